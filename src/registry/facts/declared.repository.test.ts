import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { ALL } from '../../auth/scope.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import {
  seedHousehold,
  streetActor,
  type SeededHousehold,
} from '../../verification/verification.fixtures.ts';
import { declaredFiguresOn } from './declared.repository.ts';
import { addFact } from './facts.service.ts';

/**
 * The declared figures verification compares with: only 申报 facts count, the latest valid on the day; a
 * verified or agency figure, however recent, does not replace what the household declared.
 */
describeStores('declared figures on a day', (ctx) => {
  let restore: () => void;
  let seeded: SeededHousehold;
  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    seeded = await seedHousehold(ctx.store, 'D1');
  });
  afterAll(() => restore());

  const person = (id: string) => ({ subjectType: 'person' as const, districtCode: '310110', subjectId: id });
  const household = () => ({
    subjectType: 'household' as const,
    districtCode: '310110',
    subjectId: seeded.household.id,
  });

  it('reads the declared incomes and assets of many persons and households at once, with defaults', async () => {
    const [a, b] = seeded.adults.map((x) => x.id) as [string, string];
    await inUnitOfWork(ctx.store, streetActor, async (tx) => {
      await addFact(tx, ALL, person(a), {
        kind: 'wage',
        amountFen: 350_000,
        validFrom: '2026-06-01',
        sourceKind: 'declared',
        sourceRef: '申报表-2',
      });
      await addFact(tx, ALL, person(a), {
        kind: 'wage',
        amountFen: 520_000,
        validFrom: '2026-07-01',
        sourceKind: 'verified',
        sourceRef: '核对报告 HD-1',
      });
      await addFact(tx, ALL, person(b), {
        kind: 'pension',
        amountFen: 120_000,
        validFrom: '2026-12-15',
        sourceKind: 'declared',
        sourceRef: '申报表-3',
      });
      await addFact(tx, ALL, household(), {
        kind: 'monetary_assets',
        amountFen: 8_000_000,
        validFrom: '2026-01-01',
        sourceKind: 'declared',
        sourceRef: '申报表-4',
      });
      await addFact(tx, ALL, household(), {
        kind: 'vehicles',
        quantity: 1,
        validFrom: '2026-01-01',
        sourceKind: 'agency',
        sourceRef: '交管',
      });
    });
    const figures = await declaredFiguresOn(
      ctx.store.db,
      '310110',
      [a, b, seeded.child.id],
      [seeded.household.id],
      '2026-11-20',
    );
    // The later declaration wins; the verified 5,200 元 is not a declaration.
    expect(figures.persons.get(a)).toEqual({
      wageFen: 350_000,
      pensionFen: 0,
      otherIncomeFen: 0,
      employed: false,
    });
    // A pension declared from a later day does not count yet.
    expect(figures.persons.get(b)).toEqual({
      wageFen: 150_000,
      pensionFen: 0,
      otherIncomeFen: 0,
      employed: false,
    });
    expect(figures.persons.get(seeded.child.id)).toEqual({
      wageFen: 0,
      pensionFen: 0,
      otherIncomeFen: 0,
      employed: false,
    });
    // The vehicle known to the agency is not declared: the default (none) stands; no homes fact: one home.
    expect(figures.households.get(seeded.household.id)).toEqual({
      monetaryAssetsFen: 8_000_000,
      homes: 1,
      vehicles: 0,
    });
    expect((await declaredFiguresOn(ctx.store.db, '310110', [], [], '2026-11-20')).persons.size).toBe(0);
  });
});
