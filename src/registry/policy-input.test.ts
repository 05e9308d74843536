import { describe, expect, it } from 'vitest';
import type { HouseholdFigures, PersonFigures } from './facts/facts.types.ts';
import { monthBounds, toPolicyHousehold, type ResolvedMemberRow } from './policy-input.service.ts';

const householdId = '00000000-0000-4000-8000-000000000001';
const figures: HouseholdFigures = {
  monetaryAssetsFen: 1_000_000,
  vehicles: 0,
  homes: 1,
  perCapitaFloorAreaBelowAverage: true,
  medicalExpenseAnnualFen: 12_000,
  educationExpenseAnnualFen: 0,
};
const household = householdId;

let n = 0;
function row(
  person: Partial<PersonFigures & { hukouDivisionCode: string; birthDate: string; deathDate: string | null }>,
  membership: { validFrom: string; validTo?: string | null; seq?: number; householdId?: string },
): ResolvedMemberRow {
  n += 1;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const { hukouDivisionCode, birthDate, deathDate, ...rest } = person;
  return {
    person: {
      id,
      name: `人${n}`,
      birthDate: birthDate ?? '1980-01-01',
      deathDate: deathDate ?? null,
      hukouDivisionCode: hukouDivisionCode ?? '310110001001',
    },
    figures: {
      disabilityCategory: null,
      disabilityGrade: null,
      employed: false,
      seriousIllness: false,
      hasSupporter: true,
      categories: [],
      wageFen: 0,
      pensionFen: 0,
      otherIncomeFen: 0,
      ...rest,
    },
    membership: {
      householdId: membership.householdId ?? householdId,
      validFrom: membership.validFrom,
      validTo: membership.validTo ?? null,
      seq: membership.seq ?? n,
    },
  };
}

describe('toPolicyHousehold', () => {
  it('maps hukou, incomes, categories and GB/T 26341 disability to the engine input', () => {
    const rows = [
      row(
        { hukouDivisionCode: '310110001', wageFen: 300_000, disabilityCategory: 4, disabilityGrade: 2 },
        { validFrom: '2020-01-01' },
      ),
      row(
        {
          hukouDivisionCode: '340102',
          categories: ['tekun'],
          disabilityCategory: 1,
          disabilityGrade: 1,
          hasSupporter: false,
        },
        { validFrom: '2020-01-01' },
      ),
      row(
        {
          disabilityCategory: 7,
          disabilityGrade: 3,
          seriousIllness: true,
          employed: true,
          pensionFen: 5,
          otherIncomeFen: 7,
        },
        { validFrom: '2020-01-01' },
      ),
    ];
    const result = toPolicyHousehold(household, figures, rows, '2022-08');
    expect(result).toMatchObject({
      monetaryAssetsFen: 1_000_000,
      vehicles: 0,
      homes: 1,
      perCapitaFloorAreaBelowAverage: true,
      medicalExpenseAnnualFen: 12_000,
      temporaryAssistanceMonths: 0,
      renovationCostFen: 0,
    });
    expect(result.members.map((m) => [m.hukou, m.disabilityKind, m.disabilityGrade])).toEqual([
      ['shanghai', 'physical', 2],
      ['other', 'visual', 1],
      ['shanghai', 'multiple', 3],
    ]);
    expect(result.members[0]).toMatchObject({ wageFen: 300_000, categories: [] });
    expect(result.members[1]).toMatchObject({ categories: ['tekun'], hasSupporter: false });
    expect(result.members[2]).toMatchObject({
      seriousIllness: true,
      employed: true,
      pensionFen: 5,
      otherIncomeFen: 7,
    });
  });

  it('counts the membership valid on the first day of the month (valid_to exclusive)', () => {
    const stays = row({}, { validFrom: '2022-01-01' });
    const leftOnFirst = row({}, { validFrom: '2021-01-01', validTo: '2022-08-01' });
    const leftOnSecond = row({}, { validFrom: '2021-01-01', validTo: '2022-08-02' });
    const joinedOnFirst = row({}, { validFrom: '2022-08-01' });
    const joinedMidMonth = row({}, { validFrom: '2022-08-15' });
    const rows = [stays, leftOnFirst, leftOnSecond, joinedOnFirst, joinedMidMonth];
    const ids = toPolicyHousehold(household, figures, rows, '2022-08').members.map((m) => m.id);
    expect(ids).toEqual([stays.person.id, leftOnSecond.person.id, joinedOnFirst.person.id]);
    const september = toPolicyHousehold(household, figures, rows, '2022-09').members.map((m) => m.id);
    expect(september).toEqual([stays.person.id, joinedOnFirst.person.id, joinedMidMonth.person.id]);
  });

  it('counts a child born during the month, and excludes persons dead before the month', () => {
    const newborn = row({ birthDate: '2022-08-20' }, { validFrom: '2022-08-20' });
    // As endMembership records a death: the membership ends the day after the day of death.
    const diedInJuly = row({ deathDate: '2022-07-31' }, { validFrom: '2000-01-01', validTo: '2022-08-01' });
    const diedInAugust = row({ deathDate: '2022-08-01' }, { validFrom: '2000-01-01', validTo: '2022-08-02' });
    const ids = toPolicyHousehold(
      household,
      figures,
      [newborn, diedInJuly, diedInAugust],
      '2022-08',
    ).members.map((m) => m.id);
    expect(ids).toEqual([newborn.person.id, diedInAugust.person.id]);
  });

  it('lists a person once even with two rows covering the month, and ignores other households', () => {
    const a = row({}, { validFrom: '2022-01-01', seq: 1 });
    const again = { ...a, membership: { ...a.membership, seq: 2 } };
    const elsewhere = row(
      {},
      { validFrom: '2022-01-01', householdId: '00000000-0000-4000-8000-0000000000ff' },
    );
    expect(
      toPolicyHousehold(household, figures, [again, a, elsewhere], '2022-08').members.map((m) => m.id),
    ).toEqual([a.person.id]);
  });

  it('rejects a malformed month and knows month lengths', () => {
    expect(() => toPolicyHousehold(household, figures, [], '2022-13')).toThrow('月份「2022-13」无效');
    expect(monthBounds('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29' });
    expect(monthBounds('2023-02').last).toBe('2023-02-28');
  });
});
