import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL, divisionScope, type DataScope } from '../auth/scope.ts';
import { selectRows } from '../db/sql.ts';
import type { Db } from '../db/store.ts';
import { loadDemoPopulation } from '../demo/demo.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { recordDeath } from './edits/edits.service.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import {
  cachedPopulationFigures,
  figuresMark,
  FiguresCache,
  keepFiguresWarm,
  untilShanghaiMidnight,
} from './figures.cache.ts';
import { populationFigures } from './figures.service.ts';
import type { PopulationFigures } from './registry.types.ts';

/** A cache over fake figures: `persons` is the number of computations so far, the mark is set by hand. */
function fakeCache() {
  const state = { mark: 1, computed: 0, pending: [] as (() => void)[], hold: false };
  const db = {} as Db;
  const cache = new FiguresCache(db, {
    mark: () => Promise.resolve(state.mark),
    now: () => new Date('2026-12-02T04:00:00Z'),
    compute: async (_db: Db, _scope: DataScope, asOf: string) => {
      if (state.hold) await new Promise<void>((resolve) => state.pending.push(resolve));
      state.computed += 1;
      return { asOf, persons: state.computed } as PopulationFigures;
    },
  });
  const release = async () => {
    state.hold = false;
    for (const resolve of state.pending.splice(0)) resolve();
    await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { state, cache, release };
}

describe('FiguresCache', () => {
  it('computes a scope and day once while the registry does not change', async () => {
    const { state, cache } = fakeCache();
    const first = await cache.read(ALL, '2026-12-02');
    const again = await cache.read(ALL, '2026-12-02');
    expect([first.figures.persons, first.fresh, again.figures.persons, again.fresh]).toEqual([
      1,
      true,
      1,
      true,
    ]);
    // Another day and another scope are figures of their own.
    expect((await cache.read(ALL, '2026-12-01')).figures.persons).toBe(2);
    expect((await cache.read(divisionScope('310110'), '2026-12-02')).figures.persons).toBe(3);
    expect(state.computed).toBe(3);
  });

  it('answers a read after a registry write at once with the last figures, and the next read with new ones', async () => {
    const { state, cache, release } = fakeCache();
    await cache.read(ALL, '2026-12-02');
    state.mark = 2;
    state.hold = true;
    const stale = await cache.read(ALL, '2026-12-02');
    expect([stale.figures.persons, stale.fresh]).toEqual([1, false]);
    // While the new figures are computed, further reads wait for nothing and start no second computation.
    await new Promise((resolve) => setImmediate(resolve));
    const during = await cache.read(ALL, '2026-12-02');
    await new Promise((resolve) => setImmediate(resolve));
    expect([during.figures.persons, during.fresh, state.pending.length]).toEqual([1, false, 1]);
    await release();
    const fresh = await cache.read(ALL, '2026-12-02');
    expect([fresh.figures.persons, fresh.fresh, state.computed]).toEqual([2, true, 2]);
  });

  it('keeps the last figures when a background computation fails, and tries again on the next read', async () => {
    const { state, cache } = fakeCache();
    await cache.read(ALL, '2026-12-02');
    let fail = true;
    const failing = new FiguresCache({} as Db, {
      mark: () => Promise.resolve(state.mark),
      now: () => new Date(),
      compute: () =>
        fail ? Promise.reject(new Error('gone')) : Promise.resolve({ persons: 9 } as PopulationFigures),
    });
    await expect(failing.read(ALL, '2026-12-02')).rejects.toThrow('gone');
    fail = false;
    expect((await failing.read(ALL, '2026-12-02')).figures.persons).toBe(9);
    state.mark = 5;
    fail = true;
    const kept = await failing.read(ALL, '2026-12-02');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect([kept.figures.persons, kept.fresh]).toEqual([9, false]);
    fail = false;
    await failing.read(ALL, '2026-12-02');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await failing.read(ALL, '2026-12-02')).toMatchObject({ fresh: true });
  });
});

describeStores('dashboard figures through the cache', (ctx) => {
  it('moves the mark with a registry write of the district only, and then gives the figures after it', async () => {
    const district = '310105';
    const scope = divisionScope(district);
    await loadDemoPopulation(ctx.store, { district, persons: 400, seed: 'figures-cache' });
    const asOf = '2026-12-02';
    const before = await cachedPopulationFigures(ctx.store.db, scope, asOf);
    expect(before.fresh).toBe(true);
    expect(before.figures).toEqual(await populationFigures(ctx.store.db, scope, asOf));
    const mark = await figuresMark(ctx.store.db, scope);
    expect(mark).toBeGreaterThan(0);
    // Another district's load moves the city's mark, not this district's.
    await loadDemoPopulation(ctx.store, { district: '310106', persons: 50, seed: 'figures-cache-2' });
    expect(await figuresMark(ctx.store.db, scope)).toBe(mark);
    expect(await figuresMark(ctx.store.db, ALL)).toBeGreaterThan(mark);
    expect((await cachedPopulationFigures(ctx.store.db, scope, asOf)).fresh).toBe(true);

    const [person] = await selectRows<{ id: string }>(
      ctx.store.db,
      sql`select id from persons where district_code = ${district} and death_date is null order by id limit 1`,
    );
    await inUnitOfWork(ctx.store, { userId: null, divisionCode: district, reason: '死亡医学证明' }, (tx) =>
      recordDeath(tx, ALL, { districtCode: district, personId: person!.id, deathDate: '2026-11-30' }),
    );
    expect(await figuresMark(ctx.store.db, scope)).toBeGreaterThan(mark);
    const stale = await cachedPopulationFigures(ctx.store.db, scope, asOf);
    expect([stale.fresh, stale.figures.persons]).toEqual([false, before.figures.persons]);
    // The background computation is under way; a read once it is done has the death.
    let after = stale;
    for (let i = 0; i < 500 && !after.fresh; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await cachedPopulationFigures(ctx.store.db, scope, asOf);
    }
    expect([after.fresh, after.figures.persons]).toEqual([true, before.figures.persons - 1]);
  });

  it("computes today's figures of each district with a registry and of the city ahead of the first read", async () => {
    const warmedAt = new Date('2026-12-05T01:00:00Z');
    const restore = setClock(fixedClock(warmedAt));
    const warmer = keepFiguresWarm(ctx.store.db);
    try {
      await warmer.warmed;
      setClock(fixedClock('2026-12-05T02:00:00Z'));
      for (const scope of [divisionScope('310105'), divisionScope('310106'), ALL]) {
        const read = await cachedPopulationFigures(ctx.store.db, scope, '2026-12-05');
        expect([read.fresh, read.computedAt]).toEqual([true, warmedAt.toISOString()]);
      }
      // A district without a registry is left to its first read.
      const empty = await cachedPopulationFigures(ctx.store.db, divisionScope('310101'), '2026-12-05');
      expect(empty.computedAt).toBe('2026-12-05T02:00:00.000Z');
    } finally {
      warmer.stop();
      restore();
    }
  });
});

describe('untilShanghaiMidnight', () => {
  it('counts to the next midnight at UTC+8', () => {
    expect(untilShanghaiMidnight(new Date('2026-12-01T15:59:00Z'))).toBe(60_000);
    expect(untilShanghaiMidnight(new Date('2026-12-01T16:00:00Z'))).toBe(24 * 3600_000);
    expect(untilShanghaiMidnight(new Date('2026-12-02T04:00:00Z'))).toBe(12 * 3600_000);
  });
});
