import { describe, expect, it } from 'vitest';
import { CATEGORY_LIST } from './codes.ts';
import type { HouseholdFigures } from './facts/facts.types.ts';
import { FIELD_SEPARATOR, MEMBER_SEPARATOR, type PolicyInputRow } from './policy-input.repository.ts';
import { monthBounds, toPolicyHousehold, type ResolvedMemberRow } from './policy-input.service.ts';
import { packedHousehold } from './policy-input.unpack.ts';

/** A deterministic generator (mulberry32), so that a failure names a case that can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const householdId = '00000000-0000-4000-8000-000000000001';
const DAYS = [
  '2022-06-15',
  '2022-07-31',
  '2022-08-01',
  '2022-08-02',
  '2022-08-20',
  '2022-08-31',
  '2022-09-01',
];

/** Packs members as policy-input.repository.ts's SQL does (concat_ws of sixteen fields, ';' between members). */
function pack(rows: readonly ResolvedMemberRow[]): string {
  return rows
    .map(({ person: p, membership: m, figures: f }) =>
      [
        p.id,
        p.birthDate,
        p.deathDate ?? '',
        m.validFrom,
        m.validTo ?? '',
        m.seq,
        p.hukouDivisionCode.slice(0, 2),
        f.wageFen,
        f.pensionFen,
        f.otherIncomeFen,
        f.disabilityCategory ?? '',
        f.disabilityGrade ?? '',
        Number(f.employed),
        Number(f.seriousIllness),
        Number(f.hasSupporter),
        f.categories.join(','),
      ].join(FIELD_SEPARATOR),
    )
    .join(MEMBER_SEPARATOR);
}

function randomHousehold(next: () => number): ResolvedMemberRow[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const rows: ResolvedMemberRow[] = [];
  const count = 1 + Math.floor(next() * 5);
  for (let i = 0; i < count; i++) {
    const id = `00000000-0000-4000-8000-${String(Math.floor(next() * 4)).padStart(12, '0')}`;
    const validFrom = pick(DAYS);
    const ends = next() < 0.4 ? pick(DAYS) : null;
    rows.push({
      person: {
        id,
        birthDate: next() < 0.2 ? pick(DAYS) : '1960-03-01',
        deathDate: next() < 0.15 ? pick(DAYS) : null,
        hukouDivisionCode: next() < 0.7 ? '310110001001' : '340102',
      },
      membership: {
        householdId,
        validFrom,
        validTo: ends !== null && ends >= validFrom ? ends : null,
        seq: Math.floor(next() * 4),
      },
      figures: {
        wageFen: Math.floor(next() * 900_000),
        pensionFen: next() < 0.5 ? 0 : 1_234_567_890_123,
        otherIncomeFen: Math.floor(next() * 100),
        disabilityCategory: next() < 0.3 ? 1 + Math.floor(next() * 7) : null,
        disabilityGrade: next() < 0.3 ? 1 + Math.floor(next() * 4) : null,
        employed: next() < 0.5,
        seriousIllness: next() < 0.2,
        hasSupporter: next() < 0.8,
        categories: CATEGORY_LIST.filter(() => next() < 0.15),
      },
    });
  }
  return rows;
}

const figures: HouseholdFigures = {
  monetaryAssetsFen: 2_500_000,
  vehicles: 1,
  homes: 2,
  perCapitaFloorAreaBelowAverage: true,
  medicalExpenseAnnualFen: 36_000,
  educationExpenseAnnualFen: 0,
};
const figureColumns = {
  monetary_assets_fen: '2500000',
  vehicles: 1,
  homes: 2,
  floor_area_below_average: true,
  medical_expense_fen: '36000',
  education_expense_fen: null,
} satisfies Omit<PolicyInputRow, 'household_id' | 'members'>;

describe('packedHousehold', () => {
  it('reads a packed row as toPolicyHousehold maps the same members (2,000 random households)', () => {
    const next = random(20261201);
    for (let i = 0; i < 2000; i++) {
      const rows = randomHousehold(next);
      const month = next() < 0.5 ? '2022-08' : '2022-09';
      const row: PolicyInputRow = { household_id: householdId, ...figureColumns, members: pack(rows) };
      const expected = toPolicyHousehold(householdId, figures, rows, month);
      const actual = packedHousehold(row, monthBounds(month));
      expect(actual ?? { ...expected, members: [] }, `case ${i}`).toEqual(expected);
    }
  });

  it('is undefined for no members or none counting in the month, and takes defaults for absent figures', () => {
    const bounds = monthBounds('2022-08');
    const empty: PolicyInputRow = { household_id: householdId, ...figureColumns, members: '' };
    expect(packedHousehold(empty, bounds)).toBeUndefined();
    const left = '00000000-0000-4000-8000-000000000002|1960-01-01||2000-01-01|2022-07-01|0|31|0|0|0|||0|0|1|';
    expect(packedHousehold({ ...empty, members: left }, bounds)).toBeUndefined();
    const noFigures: PolicyInputRow = {
      household_id: householdId,
      monetary_assets_fen: null,
      vehicles: null,
      homes: null,
      floor_area_below_average: null,
      medical_expense_fen: null,
      education_expense_fen: null,
      members: left.replace('2022-07-01', ''),
    };
    expect(packedHousehold(noFigures, bounds)).toMatchObject({
      monetaryAssetsFen: 0,
      vehicles: 0,
      homes: 1,
      perCapitaFloorAreaBelowAverage: false,
      members: [{ hukou: 'shanghai', categories: [], hasSupporter: true, disabilityKind: null }],
    });
  });
});
