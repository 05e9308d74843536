import { describe, expect, it } from 'vitest';
import { formatFen, parseYuan } from './money.ts';

describe('formatFen (fen → 元 text)', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [142000, '1,420.00'],
    [75_794_149_4, '7,579,414.94'],
    [-1, '-0.01'],
    [Number.MAX_SAFE_INTEGER, '90,071,992,547,409.91'],
  ])('%d fen → %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it('is exact where a float division would not be (0.29 × 100 = 28.999…)', () => {
    expect(formatFen(29)).toBe('0.29');
    expect(formatFen(1_000_000_000_000_001)).toBe('10,000,000,000,000.01');
  });
});

describe('parseYuan (元 text → fen)', () => {
  it.each([
    ['0', 0],
    ['1420', 142000],
    ['1,420.5', 142050],
    ['0.29', 29],
    [' 4500.50 ', 450050],
  ])('%s → %d fen', (text, fen) => {
    expect(parseYuan(text)).toBe(fen);
  });

  it.each(['', '-1', '1.234', 'abc', '1e3', '12.'])('refuses %j', (text) => {
    expect(parseYuan(text)).toBeNull();
  });

  it('round-trips with formatFen', () => {
    for (const fen of [0, 1, 99, 100, 123456789, 2 ** 40 + 7]) {
      expect(parseYuan(formatFen(fen))).toBe(fen);
    }
  });
});
