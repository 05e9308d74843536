import { describe, expect, it } from 'vitest';
import type { PolicyHousehold } from '../household.ts';
import { CATEGORIES, DISABILITY_KINDS } from '../household.ts';
import { parseMonth } from './month.ts';
import { baselineParameters } from './parameter-store.ts';
import { populationOf } from './population.ts';
import { PROGRAM_CODES } from './program.ts';
import { runPrograms } from './run.ts';

/** mulberry32: a small seeded generator, so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random households that hit the rules' edges: incomes near the lines, ages near the band edges, all flags. */
function randomHouseholds(count: number, seed: number): PolicyHousehold[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const money = (): number =>
    pick([0, 0, 0, 1, 86999, 87000, 87001, 141999, 142000, 142001, Math.floor(r() * 500000), 2 ** 40]);
  const households: PolicyHousehold[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(r() * 6);
    const members = Array.from({ length: n }, (_, j) => {
      const year = 1915 + Math.floor(r() * 108);
      const month = 1 + Math.floor(r() * 12);
      const day = month === 2 ? 1 + Math.floor(r() * 28) : 1 + Math.floor(r() * 30);
      const birth =
        r() < 0.02
          ? '2004-02-29'
          : `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      const cats = CATEGORIES.filter((): boolean => r() < 0.04);
      return {
        id: `p${j}`,
        birthDate: birth > '2022-08-31' ? '2022-08-31' : birth,
        hukou: r() < 0.9 ? ('shanghai' as const) : ('other' as const),
        wageFen: r() < 0.4 ? money() : 0,
        pensionFen: r() < 0.4 ? money() : 0,
        otherIncomeFen: r() < 0.2 ? money() : 0,
        disabilityGrade: r() < 0.15 ? pick([1, 2, 3, 4] as const) : null,
        disabilityKind: r() < 0.1 ? pick(DISABILITY_KINDS) : null,
        seriousIllness: r() < 0.1,
        employed: r() < 0.3,
        hasSupporter: r() < 0.7,
        categories: cats,
      };
    });
    const limit = (n <= 2 ? 3300000 : 3000000) * n;
    households.push({
      monetaryAssetsFen: pick([0, limit, limit + 1, Math.floor(r() * limit * 2)]),
      vehicles: r() < 0.1 ? 1 : 0,
      homes: pick([0, 1, 1, 1, 2, 3]),
      perCapitaFloorAreaBelowAverage: r() < 0.3,
      medicalExpenseAnnualFen: r() < 0.3 ? Math.floor(r() * 3000000) : 0,
      educationExpenseAnnualFen: r() < 0.2 ? Math.floor(r() * 2000000) : 0,
      temporaryAssistanceMonths: r() < 0.1 ? Math.floor(r() * 6) : 0,
      renovationCostFen: r() < 0.1 ? Math.floor(r() * 800000) : 0,
      members,
    });
  }
  return households;
}

describe('batch and single-household evaluation agree', () => {
  // 100,000 one-household evaluations: allow for a busy machine (no assertion is about time)
  it('on 100,000 random households (2022-08, all programs)', { timeout: 600_000 }, () => {
    const month = parseMonth('2022-08');
    const store = baselineParameters();
    const households = randomHouseholds(100_000, 20220801);
    const pop = populationOf(households);
    const batch = runPrograms(pop, month, store);
    let checked = 0;
    households.forEach((hh, h) => {
      const one = populationOf([hh]);
      const single = runPrograms(one, month, store);
      for (const code of PROGRAM_CODES) {
        const b = batch.get(code)?.columns;
        const s = single.get(code)?.columns;
        if (!b || !s) throw new Error(`${code} did not compute`);
        if (
          b.eligible[h] !== s.eligible[0] ||
          b.amount[h] !== s.amount[0] ||
          (!b.member && b.reasons[h] !== s.reasons[0])
        )
          expect({ h, code, batch: [b.eligible[h], b.amount[h]] }).toEqual({
            h,
            code,
            batch: [s.eligible[0], s.amount[0]],
          });
        if (b.member && s.member) {
          const start = pop.memberStart[h] as number;
          for (let k = 0; k < hh.members.length; k++)
            if (
              b.member.amount[start + k] !== s.member.amount[k] ||
              b.member.eligible[start + k] !== s.member.eligible[k] ||
              b.member.reasons[start + k] !== s.member.reasons[k]
            )
              expect({ h, code, k, amount: b.member.amount[start + k] }).toEqual({
                h,
                code,
                k,
                amount: s.member.amount[k],
              });
        }
        checked++;
      }
    });
    expect(checked).toBe(100_000 * PROGRAM_CODES.length);
    // the population is not degenerate: every program finds someone
    for (const code of PROGRAM_CODES.filter((c) => c !== 'price_subsidy' && c !== 'dibao_edge'))
      expect(
        batch.get(code)?.columns?.amount.some((a) => a > 0),
        code,
      ).toBe(true);
  });
});
