import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeclaredFigures } from '../../registry/facts/declared.repository.ts';
import {
  allowed,
  plantedItems,
  simulationModel,
  toleranceOn,
  type SimulatedRequest,
  type SimulationModel,
  type Tolerance,
} from './ground-truth.ts';
import { simulatedAnswers } from './simulated.source.ts';
import type { AnswerRow } from './source.ts';

/**
 * The simulated sources against their ground truth, over many random households: a difference the report
 * computes (wage = the larger of tax and housing fund; the household's money = every member's deposits +
 * securities; homes and vehicles summed) is above the tolerance exactly when an item above it was planted.
 * Noise never moves a planted item across the tolerance, and honest figures are never flagged.
 */

const SOURCES_ASKED = [
  'tax',
  'housing_fund',
  'social_insurance',
  'deposits',
  'securities',
  'real_estate',
  'vehicles',
  'business',
] as const;

/** A model that plants often, so that every branch is met in a few hundred households. */
const busy = (base: SimulationModel): SimulationModel => ({
  ...base,
  seed: 'test-seed',
  noise: { incomeBp: 300, assetsBp: 300 },
  planted: {
    ...base.planted,
    incomeAboveBp: 2000,
    incomeWithinBp: 3000,
    depositsAboveBp: 1500,
    depositsWithinBp: 3000,
    securitiesAboveBp: 1500,
    securitiesWithinBp: 3000,
    homesAboveBp: 2000,
    vehiclesAboveBp: 2000,
    businessAboveBp: 2000,
  },
});

const money = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 2_000_000 }),
  fc.integer({ min: 0, max: 50_000_000_00 }),
);

const household = fc.record({
  persons: fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 5 }),
  householdId: fc.uuid(),
  wages: fc.array(money, { minLength: 5, maxLength: 5 }),
  pensions: fc.array(money, { minLength: 5, maxLength: 5 }),
  others: fc.array(money, { minLength: 5, maxLength: 5 }),
  assets: money,
  homes: fc.integer({ min: 0, max: 3 }),
  vehicles: fc.integer({ min: 0, max: 2 }),
  tolerance: fc.record({
    incomeFen: fc.integer({ min: 0, max: 100_000 }),
    incomeBp: fc.integer({ min: 0, max: 2000 }),
    assetsFen: fc.integer({ min: 0, max: 5_000_000 }),
    assetsBp: fc.integer({ min: 0, max: 2000 }),
  }),
});

type Case = typeof household extends fc.Arbitrary<infer T> ? T : never;

function setUp(c: Case): { request: SimulatedRequest; declared: DeclaredFigures; tolerance: Tolerance } {
  const request: SimulatedRequest = {
    districtCode: '310110',
    requestId: '00000000-0000-4000-8000-000000000001',
    householdId: c.householdId,
    asOf: '2026-11-20',
    personIds: c.persons,
  };
  const declared: DeclaredFigures = {
    persons: new Map(
      c.persons.map((id, i) => [
        id,
        {
          wageFen: c.wages[i]!,
          pensionFen: c.pensions[i]!,
          otherIncomeFen: c.others[i]!,
          employed: c.wages[i]! > 0,
        },
      ]),
    ),
    households: new Map([
      [c.householdId, { monetaryAssetsFen: c.assets, homes: c.homes, vehicles: c.vehicles }],
    ]),
  };
  return { request, declared, tolerance: c.tolerance };
}

function answersOf(c: Case, model: SimulationModel): AnswerRow[] {
  const { request, declared, tolerance } = setUp(c);
  return SOURCES_ASKED.flatMap((s) => simulatedAnswers(s, request, declared, tolerance, model, 'ref'));
}

function verified(rows: readonly AnswerRow[], personId: string, kind: string) {
  return rows
    .filter((r) => r.personId === personId && r.kind === kind)
    .reduce((sum, r) => sum + (r.amountFen ?? r.quantity ?? (r.flag ? 1 : 0)), 0);
}

describe('simulated sources and their ground truth', () => {
  const base = simulationModel();

  it('reads simulated.yaml: every number an assumption with a source', () => {
    expect(base.seed.length).toBeGreaterThan(0);
    expect(base.noise.incomeBp).toBeGreaterThan(0);
    expect(base.planted.incomeAboveBp).toBeGreaterThan(0);
    // The dated tolerance is read for the request's day.
    expect(toleranceOn('2026-11-20')).toEqual({
      incomeFen: 20000,
      incomeBp: 500,
      assetsFen: 500000,
      assetsBp: 500,
    });
  });

  it('flags exactly what was planted above the tolerance, whatever the noise', () => {
    const model = busy(base);
    let above = 0;
    let within = 0;
    fc.assert(
      fc.property(household, (c) => {
        const { request, declared, tolerance } = setUp(c);
        const planted = plantedItems(request, declared, tolerance, model);
        const bySource = SOURCES_ASKED.map(
          (s) => [s, simulatedAnswers(s, request, declared, tolerance, model, 'ref')] as const,
        );
        const rows = (source: string) => bySource.find(([s]) => s === source)![1];
        for (const personId of c.persons) {
          const d = declared.persons.get(personId)!;
          const figures = {
            wage: [
              Math.max(
                verified(rows('tax'), personId, 'wage'),
                verified(rows('housing_fund'), personId, 'wage'),
              ),
              d.wageFen,
            ],
            pension: [verified(rows('social_insurance'), personId, 'pension'), d.pensionFen],
            other_income: [verified(rows('tax'), personId, 'other_income'), d.otherIncomeFen],
          } as const;
          for (const [kind, [v, declaredFen]] of Object.entries(figures)) {
            const flagged =
              Math.abs(v - declaredFen) > allowed(declaredFen, tolerance.incomeFen, tolerance.incomeBp);
            const item = planted.find((i) => i.personId === personId && i.kind === kind);
            expect(flagged).toBe(item?.aboveTolerance === true);
            if (item?.aboveTolerance) above += 1;
            else if (item) within += 1;
          }
          const business = verified(rows('business'), personId, 'business') > 0;
          expect(business).toBe(planted.some((i) => i.personId === personId && i.kind === 'business'));
        }
        const all = bySource.flatMap(([, r]) => r);
        const sum = (kind: string) =>
          all.filter((r) => r.kind === kind).reduce((n, r) => n + (r.amountFen ?? r.quantity ?? 0), 0);
        const moneyFlagged =
          Math.abs(sum('deposits') + sum('securities') - c.assets) >
          allowed(c.assets, tolerance.assetsFen, tolerance.assetsBp);
        expect(moneyFlagged).toBe(
          planted.some((i) => (i.kind === 'deposits' || i.kind === 'securities') && i.aboveTolerance),
        );
        expect(sum('homes') > c.homes).toBe(planted.some((i) => i.kind === 'homes'));
        expect(sum('homes')).toBeGreaterThanOrEqual(c.homes);
        expect(sum('vehicles') > c.vehicles).toBe(planted.some((i) => i.kind === 'vehicles'));
      }),
      { numRuns: 400 },
    );
    // The property met both kinds of plant.
    expect(above).toBeGreaterThan(50);
    expect(within).toBeGreaterThan(50);
  });

  it('answers an honest household with its declared figures, within the noise', () => {
    const honest: SimulationModel = {
      ...busy(base),
      planted: Object.fromEntries(Object.keys(base.planted).map((k) => [k, 0])) as SimulationModel['planted'],
    };
    fc.assert(
      fc.property(household, (c) => {
        const rows = answersOf(c, honest);
        for (const [i, personId] of c.persons.entries()) {
          const wage = verified(
            rows.filter((r) => r.kind === 'wage' && r.personId === personId).slice(0, 1),
            personId,
            'wage',
          );
          const bound = Math.floor((c.wages[i]! * 300) / 10_000);
          expect(Math.abs(wage - c.wages[i]!)).toBeLessThanOrEqual(bound);
        }
        expect(rows.some((r) => r.kind === 'business')).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic: the same request gets the same answers', () => {
    const c = fc.sample(household, { numRuns: 1, seed: 7 })[0]!;
    expect(answersOf(c, busy(base))).toEqual(answersOf(c, busy(base)));
    const many = fc.sample(household, { numRuns: 50, seed: 8 });
    const differ = many.filter(
      (h) =>
        JSON.stringify(answersOf(h, busy(base))) !==
        JSON.stringify(answersOf(h, { ...busy(base), seed: 'another' })),
    );
    expect(differ.length).toBeGreaterThan(0);
  });
});
