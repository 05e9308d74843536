import { describe, expect, it } from 'vitest';
import { validateHousehold } from './household.validate.ts';

const member = { id: 'm1', birthDate: '1980-05-01' };
const req = (household: unknown, month = '2022-08'): unknown => ({ month, household });

function pathOf(raw: unknown, month?: string): string {
  try {
    validateHousehold(raw, month);
  } catch (error) {
    return (error as { path?: string }).path ?? String(error);
  }
  return 'valid';
}

describe('household validation', () => {
  it('applies SPEC defaults (null means omitted)', () => {
    const { household, month } = validateHousehold(
      req({ homes: null, members: [{ ...member, hukou: null }] }),
    );
    expect(month).toBe('2022-08');
    expect(household.homes).toBe(1);
    expect(household.members[0]).toEqual({
      id: 'm1',
      birthDate: '1980-05-01',
      hukou: 'shanghai',
      wageFen: 0,
      pensionFen: 0,
      otherIncomeFen: 0,
      disabilityGrade: null,
      disabilityKind: null,
      seriousIllness: false,
      employed: false,
      hasSupporter: true,
      categories: [],
    });
  });

  it('lets --month override the file and requires a month somewhere', () => {
    expect(validateHousehold(req({ members: [member] }), '2023-01').month).toBe('2023-01');
    expect(pathOf({ household: { members: [member] } })).toBe('month');
    expect(pathOf(req({ members: [member] }, '2022-8'))).toBe('month');
  });

  it.each([
    ['unknown household field', { members: [member], pets: 1 }, 'household.pets'],
    ['unknown member field', { members: [{ ...member, nickname: 'x' }] }, 'household.members[0].nickname'],
    ['wrong type', { members: [member], homes: '1' }, 'household.homes'],
    ['negative money', { members: [{ ...member, wageFen: -1 }] }, 'household.members[0].wageFen'],
    ['fractional money', { members: [member], monetaryAssetsFen: 1.5 }, 'household.monetaryAssetsFen'],
    ['above 2^53 − 1', { members: [member], monetaryAssetsFen: 2 ** 53 }, 'household.monetaryAssetsFen'],
    [
      'impossible date',
      { members: [member, { id: 'm2', birthDate: '2021-02-29' }] },
      'household.members[1].birthDate',
    ],
    [
      'birth after the month',
      { members: [member, { id: 'm2', birthDate: '2022-09-01' }] },
      'household.members[1].birthDate',
    ],
    ['duplicate member ids', { members: [member, { ...member }] }, 'household.members[1].id'],
    ['empty members', { members: [] }, 'household.members'],
    ['missing members', {}, 'household.members'],
    ['missing birth date', { members: [{ id: 'm1' }] }, 'household.members[0].birthDate'],
    ['null id', { members: [{ id: null, birthDate: '1980-01-01' }] }, 'household.members[0].id'],
    ['bad hukou', { members: [{ ...member, hukou: 'beijing' }] }, 'household.members[0].hukou'],
    ['bad grade', { members: [{ ...member, disabilityGrade: 5 }] }, 'household.members[0].disabilityGrade'],
    [
      'bad kind',
      { members: [{ ...member, disabilityKind: 'other' }] },
      'household.members[0].disabilityKind',
    ],
    [
      'unknown category',
      { members: [{ ...member, categories: ['vip'] }] },
      'household.members[0].categories[0]',
    ],
    ['boolean as number', { members: [{ ...member, employed: 1 }] }, 'household.members[0].employed'],
    ['negative count', { members: [member], vehicles: -1 }, 'household.vehicles'],
  ])('rejects %s', (_name, household, path) => {
    expect(pathOf(req(household))).toBe(path);
  });

  it('accepts a child born on the last day of the month and homes 0', () => {
    expect(pathOf(req({ homes: 0, members: [member, { id: 'm2', birthDate: '2022-08-31' }] }))).toBe('valid');
  });

  it('names the path in Chinese in the message', () => {
    expect(() =>
      validateHousehold(req({ members: [member, { id: 'm2', birthDate: '2022-09-01' }] })),
    ).toThrow(/household\.members\[1\]\.birthDate：出生日期晚于/);
  });
});
