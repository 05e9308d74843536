import { describe, expect, it } from 'vitest';
import { makeIdNumber, maskIdNumber, parseIdNumber, validateIdNumber } from './id-number.ts';

describe('GB 11643 ID numbers', () => {
  it('accepts the standard example and computes the X check character', () => {
    expect(parseIdNumber('11010519491231002X')).toMatchObject({
      ok: true,
      facts: { addressCode: '110105', birthDate: '1949-12-31', sex: 2 },
    });
    expect(parseIdNumber('11010519491231002x')).toMatchObject({ ok: true, value: '11010519491231002X' });
  });

  it('rejects a wrong check digit, a bad format and an impossible date', () => {
    expect(parseIdNumber('110105194912310021')).toEqual({ ok: false, problem: 'checksum' });
    expect(parseIdNumber('1101051949123100')).toEqual({ ok: false, problem: 'format' });
    expect(parseIdNumber('11010519491231002Y')).toEqual({ ok: false, problem: 'format' });
    const feb30 = makeIdNumber('310110', '1990-02-30', 11);
    expect(parseIdNumber(feb30)).toEqual({ ok: false, problem: 'birth_date' });
  });

  it('requires the encoded birth date and sex to match the record', () => {
    const id = makeIdNumber('310110', '1980-05-01', 123); // odd sequence: male
    expect(validateIdNumber(id, { birthDate: '1980-05-01', sex: 1 }).ok).toBe(true);
    expect(validateIdNumber(id, { birthDate: '1980-05-02', sex: 1 })).toMatchObject({
      problem: 'birth_date_mismatch',
    });
    expect(validateIdNumber(id, { birthDate: '1980-05-01', sex: 2 })).toMatchObject({
      problem: 'sex_mismatch',
    });
    expect(validateIdNumber(makeIdNumber('310110', '2030-01-01', 2), { today: '2026-11-22' })).toMatchObject({
      problem: 'birth_date',
    });
  });

  it('masks all but the address code and the last four characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });
});
