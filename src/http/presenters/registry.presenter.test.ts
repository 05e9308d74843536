import { describe, expect, it } from 'vitest';
import { ageOf, ageOn } from './registry.presenter.ts';

describe('ages', () => {
  it('counts whole years, the birthday included', () => {
    expect(ageOn('1958-11-24', '2026-11-23')).toBe(67);
    expect(ageOn('1958-11-24', '2026-11-24')).toBe(68);
    expect(ageOn('2000-02-29', '2026-02-28')).toBe(25);
  });

  it('gives the age at death for the deceased, and today for the living', () => {
    expect(ageOf({ birthDate: '1958-11-24', deathDate: '2024-10-13' }, '2026-12-02')).toBe(65);
    expect(ageOf({ birthDate: '1958-11-24', deathDate: null }, '2026-12-02')).toBe(68);
  });
});
