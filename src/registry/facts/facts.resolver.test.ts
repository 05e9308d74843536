import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fact, factArb, HOUSEHOLD_ID, PERSON_ID, dayArb } from './facts.fixtures.ts';
import {
  categoriesOn,
  compareFacts,
  countingFactIds,
  holdsOn,
  resolveHousehold,
  resolvePerson,
  spendingFor,
  spendingWindowStart,
  winningFact,
} from './facts.resolver.ts';
import { SOURCE_RANK, type FactRecord } from './facts.types.ts';

describe('rule 1: a fact counts on a day when valid on it (valid_to exclusive), never when voided', () => {
  it('holds from valid_from to the day before valid_to', () => {
    const f = fact({ kind: 'wage', validFrom: '2022-03-01', validTo: '2022-06-01' });
    expect(holdsOn(f, '2022-02-28')).toBe(false);
    expect(holdsOn(f, '2022-03-01')).toBe(true);
    expect(holdsOn(f, '2022-05-31')).toBe(true);
    expect(holdsOn(f, '2022-06-01')).toBe(false);
    expect(holdsOn({ ...f, validTo: null }, '2099-01-01')).toBe(true);
    expect(holdsOn({ ...f, voidedAt: '2022-04-01T00:00:00.000Z' }, '2022-04-01')).toBe(false);
  });

  it('takes effect from the next month when it starts after the first day (as memberships do)', () => {
    const facts = [fact({ kind: 'wage', amountFen: 300_000, validFrom: '2022-03-02' })];
    expect(resolvePerson(facts, '2022-03-01').wageFen).toBe(0);
    expect(resolvePerson(facts, '2022-04-01').wageFen).toBe(300_000);
  });

  it('an empty interval (superseded the day it started) never counts', () => {
    const f = fact({ kind: 'wage', validFrom: '2022-03-01', validTo: '2022-03-01' });
    expect(holdsOn(f, '2022-03-01')).toBe(false);
  });
});

describe('rule 2: special categories come only from 认定 facts', () => {
  it('counts every held category, in SPEC.md order, and ignores any other source', () => {
    const facts = [
      fact({ kind: 'category', category: 'orphan' }),
      fact({ kind: 'category', category: 'tekun' }),
      fact({ kind: 'category', category: 'kunjing_child', sourceKind: 'verified' }),
      fact({ kind: 'category', category: 'traditional', validTo: '2022-02-01' }),
    ];
    expect(categoriesOn(facts, '2022-03-01')).toEqual(['tekun', 'orphan']);
    expect(categoriesOn(facts, '2022-01-15')).toEqual(['tekun', 'orphan', 'traditional']);
  });
});

describe('rule 3: 核对 > 部门 > 申报, then the later valid_from, then the later recording', () => {
  it('ranks sources before dates', () => {
    const declared = fact({ kind: 'wage', amountFen: 1, validFrom: '2022-02-01', sourceKind: 'declared' });
    const agency = fact({ kind: 'wage', amountFen: 2, validFrom: '2021-01-01', sourceKind: 'agency' });
    const verified = fact({ kind: 'wage', amountFen: 3, validFrom: '2020-01-01', sourceKind: 'verified' });
    expect(resolvePerson([declared, agency], '2022-03-01').wageFen).toBe(2);
    expect(resolvePerson([declared, agency, verified], '2022-03-01').wageFen).toBe(3);
    // A verified figure that has ended lets the lower ranks count again.
    const ended = { ...verified, validTo: '2022-03-01' };
    expect(resolvePerson([declared, agency, ended], '2022-03-01').wageFen).toBe(2);
  });

  it('within a rank, the later valid_from, then the later recording, then the larger id', () => {
    const early = fact({ kind: 'pension', amountFen: 1, validFrom: '2021-01-01' });
    const late = fact({ kind: 'pension', amountFen: 2, validFrom: '2021-06-01' });
    expect(resolvePerson([late, early], '2022-01-01').pensionFen).toBe(2);
    const sameDayLater = fact({ ...late, amountFen: 3, recordedAt: '2022-01-01T00:00:00.001Z' });
    expect(resolvePerson([early, sameDayLater, late], '2022-01-01').pensionFen).toBe(3);
    const a = fact({ kind: 'pension', amountFen: 4, id: '00000000-0000-4000-8000-00000000000a' });
    const b = fact({ kind: 'pension', amountFen: 5, id: '00000000-0000-4000-8000-00000000000b' });
    expect(resolvePerson([b, a], '2022-03-01').pensionFen).toBe(5);
  });

  it('compares recordings in any ISO form and ids in any case', () => {
    const a = fact({ kind: 'wage', recordedAt: '2022-01-01T08:00:00+08:00' });
    const b = fact({ kind: 'wage', recordedAt: '2022-01-01T00:00:00.001Z' });
    expect(compareFacts(b, a)).toBeGreaterThan(0);
  });

  it('a verified "not disabled" outranks a declared disability', () => {
    const declared = fact({ kind: 'disability', disabilityCategory: 4, disabilityGrade: 2 });
    const verified = fact({ kind: 'disability', sourceKind: 'verified', validFrom: '2022-02-01' });
    expect(resolvePerson([declared], '2022-03-01')).toMatchObject({
      disabilityCategory: 4,
      disabilityGrade: 2,
    });
    expect(resolvePerson([declared, verified], '2022-03-01')).toMatchObject({
      disabilityCategory: null,
      disabilityGrade: null,
    });
  });
});

describe('rule 4: spending for month M is the sum of spending dated in the twelve months before M', () => {
  it('sums the facts dated from the first day of M−12 to the last day of M−1', () => {
    const facts = [
      fact({ kind: 'medical_expense', amountFen: 100, validFrom: '2021-02-28' }),
      fact({ kind: 'medical_expense', amountFen: 200, validFrom: '2021-03-01' }),
      fact({ kind: 'medical_expense', amountFen: 400, validFrom: '2022-02-28' }),
      fact({ kind: 'medical_expense', amountFen: 800, validFrom: '2022-03-01' }),
      fact({ kind: 'education_expense', amountFen: 1600, validFrom: '2021-12-01' }),
    ];
    expect(spendingWindowStart('2022-03-01')).toBe('2021-03-01');
    expect(resolveHousehold(facts, '2022-03-01')).toMatchObject({
      medicalExpenseAnnualFen: 600,
      educationExpenseAnnualFen: 1600,
    });
    // The console's date picker: a day inside the month reads the same window as the month.
    expect(resolveHousehold(facts, '2022-03-17').medicalExpenseAnnualFen).toBe(600);
  });

  it('counts only the highest-ranked source dated in the window, and never a voided fact', () => {
    const facts = [
      fact({ kind: 'medical_expense', amountFen: 100, validFrom: '2021-06-01' }),
      fact({ kind: 'medical_expense', amountFen: 200, validFrom: '2021-07-01' }),
      fact({ kind: 'medical_expense', amountFen: 5000, validFrom: '2021-08-01', sourceKind: 'verified' }),
      fact({
        kind: 'medical_expense',
        amountFen: 9999,
        validFrom: '2021-08-01',
        sourceKind: 'verified',
        voidedAt: '2021-09-01T00:00:00.000Z',
      }),
      fact({ kind: 'medical_expense', amountFen: 7000, validFrom: '2020-08-01', sourceKind: 'verified' }),
    ];
    expect(spendingFor(facts, 'medical_expense', '2022-03-01')).toBe(5000);
    expect(spendingFor(facts.slice(0, 2), 'medical_expense', '2022-03-01')).toBe(300);
    expect(countingFactIds(facts, '2022-03-01')).toEqual(new Set([facts[2]!.id]));
  });
});

describe('rule 5: no fact, the defaults of SPEC.md', () => {
  it('gives money 0, flags false, one home, a supporter, no disability, no category', () => {
    expect(resolvePerson([], '2022-03-01')).toEqual({
      wageFen: 0,
      pensionFen: 0,
      otherIncomeFen: 0,
      disabilityCategory: null,
      disabilityGrade: null,
      employed: false,
      seriousIllness: false,
      hasSupporter: true,
      categories: [],
    });
    expect(resolveHousehold([], '2022-03-01')).toEqual({
      monetaryAssetsFen: 0,
      vehicles: 0,
      homes: 1,
      perCapitaFloorAreaBelowAverage: false,
      medicalExpenseAnnualFen: 0,
      educationExpenseAnnualFen: 0,
    });
  });
});

// ---- properties -----------------------------------------------------------------------------------

const personFacts = fc.array(factArb('person', PERSON_ID), { maxLength: 25 });
const householdFacts = fc.array(factArb('household', HOUSEHOLD_ID), { maxLength: 25 });

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('properties (fast-check)', () => {
  it('the winner holds on the day and no other fact holding on the day beats it', () => {
    fc.assert(
      fc.property(personFacts, dayArb, (facts, day) => {
        for (const kind of ['wage', 'pension', 'other_income', 'disability', 'employment'] as const) {
          const w = winningFact(facts, kind, day);
          const holding = facts.filter((f) => f.kind === kind && holdsOn(f, day));
          if (holding.length === 0) {
            expect(w).toBeUndefined();
            continue;
          }
          expect(w).toBeDefined();
          expect(holdsOn(w!, day)).toBe(true);
          for (const f of holding) expect(compareFacts(w!, f)).toBeGreaterThanOrEqual(0);
          // The winner has the highest rank among those holding.
          expect(SOURCE_RANK[w!.sourceKind]).toBe(Math.max(...holding.map((f) => SOURCE_RANK[f.sourceKind])));
        }
      }),
    );
  });

  it('the answer does not depend on the order of the facts', () => {
    fc.assert(
      fc.property(personFacts, householdFacts, dayArb, fc.integer(), (p, h, day, seed) => {
        expect(resolvePerson(shuffled(p, seed), day)).toEqual(resolvePerson(p, day));
        expect(resolveHousehold(shuffled(h, seed), day)).toEqual(resolveHousehold(h, day));
      }),
    );
  });

  it('a voided fact, or a fact not holding on the day, changes nothing', () => {
    fc.assert(
      fc.property(personFacts, factArb('person', PERSON_ID), dayArb, (facts, extra, day) => {
        const voided: FactRecord = { ...extra, voidedAt: '2022-01-01T00:00:00.000Z' };
        expect(resolvePerson([...facts, voided], day)).toEqual(resolvePerson(facts, day));
        if (!holdsOn({ ...extra, voidedAt: null }, day)) {
          expect(resolvePerson([...facts, { ...extra, voidedAt: null }], day)).toEqual(
            resolvePerson(facts, day),
          );
        }
      }),
    );
  });

  it('a lower-ranked fact never displaces a higher-ranked one holding on the day', () => {
    fc.assert(
      fc.property(personFacts, dayArb, fc.integer({ min: 0, max: 2_000_000 }), (facts, day, amount) => {
        const before = resolvePerson(facts, day);
        const declared = fact({ kind: 'wage', amountFen: amount, validFrom: day, sourceKind: 'declared' });
        const winner = winningFact(facts, 'wage', day);
        if (winner && SOURCE_RANK[winner.sourceKind] > SOURCE_RANK.declared) {
          expect(resolvePerson([...facts, declared], day).wageFen).toBe(before.wageFen);
        }
      }),
    );
  });

  it('spending equals the sum of the top-ranked facts dated in the window; facts outside it change nothing', () => {
    fc.assert(
      fc.property(householdFacts, dayArb, (facts, day) => {
        const from = spendingWindowStart(day);
        const to = `${day.slice(0, 7)}-01`;
        const dated = facts.filter(
          (f) =>
            f.kind === 'medical_expense' && f.voidedAt === null && f.validFrom >= from && f.validFrom < to,
        );
        const top = Math.max(0, ...dated.map((f) => SOURCE_RANK[f.sourceKind]));
        const expected = dated
          .filter((f) => SOURCE_RANK[f.sourceKind] === top)
          .reduce((sum, f) => sum + (f.amountFen ?? 0), 0);
        expect(resolveHousehold(facts, day).medicalExpenseAnnualFen).toBe(expected);
        const outside = fact({
          kind: 'medical_expense',
          amountFen: 123,
          validFrom: to,
          sourceKind: 'verified',
        });
        expect(resolveHousehold([...facts, outside], day)).toEqual(resolveHousehold(facts, day));
      }),
    );
  });

  it('every counting fact holds (or is dated in the window) and the figures come from counting facts only', () => {
    fc.assert(
      fc.property(personFacts, householdFacts, dayArb, (p, h, day) => {
        for (const facts of [p, h]) {
          const ids = countingFactIds(facts, day);
          const counting = facts.filter((f) => ids.has(f.id));
          for (const f of counting) expect(f.voidedAt).toBeNull();
          expect(
            resolvePerson(
              counting.filter((f) => f.subjectType === 'person'),
              day,
            ),
          ).toEqual(
            resolvePerson(
              facts.filter((f) => f.subjectType === 'person'),
              day,
            ),
          );
          expect(
            resolveHousehold(
              counting.filter((f) => f.subjectType === 'household'),
              day,
            ),
          ).toEqual(
            resolveHousehold(
              facts.filter((f) => f.subjectType === 'household'),
              day,
            ),
          );
        }
      }),
    );
  });
});

it('fixtures: a household and a person fact carry their subject', () => {
  expect(fact({ kind: 'homes' }).subjectId).toBe(HOUSEHOLD_ID);
  expect(fact({ kind: 'wage' }).subjectId).toBe(PERSON_ID);
});
