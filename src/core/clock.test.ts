import { describe, expect, it } from 'vitest';
import { shanghaiToday } from './clock.ts';

describe('Shanghai calendar', () => {
  it('turns the day (and so the month) at midnight in Shanghai (UTC+8), not at UTC midnight', () => {
    expect(shanghaiToday(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11-30');
    expect(shanghaiToday(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01');
    expect(shanghaiToday(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
  });
});
