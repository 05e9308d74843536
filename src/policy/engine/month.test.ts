import { describe, expect, it } from 'vitest';
import { ageOn, dateKey, parseMonth } from './month.ts';
import { floorMulDiv, formatYuan, productAtLeast } from './exact.ts';

describe('month and age', () => {
  it('knows the last day of each month', () => {
    expect(parseMonth('2021-02').lastDay).toBe('2021-02-28');
    expect(parseMonth('2024-02').lastDay).toBe('2024-02-29');
    expect(parseMonth('2022-12').lastDayKey).toBe(20221231);
    expect(() => parseMonth('2022-13')).toThrow();
  });

  it('rejects impossible dates', () => {
    expect(dateKey('2021-02-29')).toBeNull();
    expect(dateKey('2020-02-29')).toBe(20200229);
    expect(dateKey('2020-04-31')).toBeNull();
    expect(dateKey('20-04-01')).toBeNull();
  });

  it('counts completed years on the last day; 29 February birthdays move on 1 March in common years', () => {
    expect(ageOn(20040229, parseMonth('2021-02').lastDayKey)).toBe(16);
    expect(ageOn(20040229, parseMonth('2021-03').lastDayKey)).toBe(17);
    expect(ageOn(20040229, parseMonth('2024-02').lastDayKey)).toBe(20);
    expect(ageOn(19800831, parseMonth('2022-08').lastDayKey)).toBe(42);
    expect(ageOn(19800901, parseMonth('2022-08').lastDayKey)).toBe(41);
  });
});

describe('exact integer helpers', () => {
  it('formats fen as yuan without floating point', () => {
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(213000)).toBe('2130.00');
    expect(formatYuan(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
    expect(formatYuan(-150)).toBe('-1.50');
  });

  it('multiplies beyond 2^53 exactly', () => {
    const big = Number.MAX_SAFE_INTEGER;
    expect(floorMulDiv(big, 7000, 10000)).toBe(Number((BigInt(big) * 7000n) / 10000n));
    expect(floorMulDiv(100001, 7000, 10000)).toBe(70000);
    expect(productAtLeast(big, 48000, 10000, big)).toBe(true);
    expect(productAtLeast(big, 10000, 48000, big)).toBe(false);
    expect(productAtLeast(big - 1, 3, big, 3)).toBe(false);
  });
});
