import { afterEach, describe, expect, it } from 'vitest';
import {
  fixedClock,
  now,
  setClock,
  shanghaiMonth,
  shanghaiStamp,
  shanghaiToday,
  shanghaiYear,
  systemClock,
} from './clock.ts';

describe('Shanghai calendar', () => {
  it('turns the day (and so the month) at midnight in Shanghai (UTC+8), not at UTC midnight', () => {
    expect(shanghaiToday(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11-30');
    expect(shanghaiToday(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01');
    expect(shanghaiToday(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
  });
});

describe('the one clock', () => {
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    restore = undefined;
  });

  it('before 08:00 in Shanghai it is already the next day, while the UTC date is still the previous one', () => {
    restore = setClock(fixedClock('2026-12-01T07:59:00+08:00'));
    expect(now().toISOString().slice(0, 10)).toBe('2026-11-30');
    expect(shanghaiToday()).toBe('2026-12-01');
    expect(shanghaiMonth()).toBe('2026-12');
    expect(shanghaiYear()).toBe(2026);
  });

  it('on New Year’s Eve at 16:00 UTC the Shanghai year has turned', () => {
    restore = setClock(fixedClock('2026-12-31T16:00:00Z'));
    expect(shanghaiToday()).toBe('2027-01-01');
    expect(shanghaiMonth()).toBe('2027-01');
    expect(shanghaiYear()).toBe(2027);
  });

  it('a bare date stands for noon in Shanghai; restoring puts the previous clock back', () => {
    restore = setClock(fixedClock('2027-02-06'));
    expect(now().toISOString()).toBe('2027-02-06T04:00:00.000Z');
    const inner = setClock(fixedClock('2030-01-01T00:00:00+08:00'));
    expect(shanghaiToday()).toBe('2030-01-01');
    inner();
    expect(shanghaiToday()).toBe('2027-02-06');
  });

  it('reads today from the clock that is set', () => {
    const seen: Date[] = [];
    restore = setClock({ now: () => (seen.push(systemClock.now()), seen.at(-1) as Date) });
    shanghaiToday();
    expect(seen).toHaveLength(1);
  });

  it('refuses a fixed clock that is not a date', () => {
    expect(() => fixedClock('2026-13-45')).toThrow(/not a date/);
  });
});

describe('file-name stamps', () => {
  it('are Shanghai wall time', () => {
    expect(shanghaiStamp(new Date('2026-03-13T18:00:00Z'))).toBe('20260314-020000');
  });
});
