import { describe, expect, it } from 'vitest';
import { shanghaiDateTime, shanghaiMonth, shanghaiToday, shanghaiYear } from './clock.ts';
import { currentMonth } from './format.ts';

describe('console clock', () => {
  it('is Shanghai’s date whatever the browser’s time zone: 07:59 in Shanghai is still the previous UTC day', () => {
    const early = new Date('2026-12-01T07:59:00+08:00');
    expect(early.toISOString().slice(0, 10)).toBe('2026-11-30');
    expect(shanghaiToday(early)).toBe('2026-12-01');
    expect(shanghaiMonth(early)).toBe('2026-12');
    expect(currentMonth(early)).toBe('2026-12');
    expect(shanghaiYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027);
  });

  it('shows instants in Shanghai time whatever the browser zone', () => {
    expect(shanghaiDateTime('2026-11-30T16:05:00.000Z')).toBe('2026-12-01 00:05');
    expect(shanghaiDateTime('not a date')).toBe('not a date');
  });
});
