/**
 * The dashboard's first paint: `npx tsx bench/dashboard.bench.ts [--persons N] [--pg URL [--schema S --keep] | --data DIR]`.
 * Loads the synthetic Yangpu population (default 1,000,000 persons; a --data folder that already holds one is
 * reused), then times `GET /api/statistics/population` as a district user through the server: the first read
 * of the day (computed), a read of unchanged figures, a read right after a registry write (the last figures at
 * once, the new ones computed in the background) and how long until the new ones are there, and the same for a
 * street. Prints figures; asserts nothing on time.
 */
import { sql } from 'drizzle-orm';
import { ALL } from '../src/auth/scope.ts';
import { selectRows } from '../src/db/sql.ts';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { recordDeath } from '../src/registry/edits/edits.service.ts';
import { searchPersons, seedDivisions } from '../src/registry/registry.service.ts';
import { inUnitOfWork } from '../src/workflow/unit-of-work.ts';
import { benchSession } from './support/bench-server.ts';
import { adminQuery } from './support/bench-store.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PERSONS = Number(arg('--persons') ?? 1_000_000);
const PG_URL = arg('--pg');
const DATA_DIR = arg('--data');
const DISTRICT = '310110';

async function ensurePopulation(store: Store): Promise<void> {
  if ((await searchPersons(store.db, ALL, { limit: 1 })).total > 0) return;
  const t0 = performance.now();
  await loadDemoPopulation(store, { district: DISTRICT, persons: PERSONS, seed: 'dashboard-bench' });
  process.stdout.write(`${PERSONS} persons loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

const ms = (t0: number): string => `${(performance.now() - t0).toFixed(0)} ms`;

async function main(): Promise<void> {
  const schema = arg('--schema') ?? `bench_dashboard_${process.pid}`;
  if (PG_URL) await adminQuery(PG_URL, `create schema if not exists ${schema}`);
  const store = PG_URL ? openPostgres(PG_URL, { searchPath: schema, max: 4 }) : await openPglite(DATA_DIR);
  await store.migrate();
  await seedDivisions(store);
  await ensurePopulation(store);
  const { app, cookie } = await benchSession(store, 'district_approver', DISTRICT);
  const read = async (division?: string) => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/statistics/population${division ? `?division=${division}` : ''}`,
      headers: { cookie },
    });
    if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode} ${response.body}`);
    return response.json<{ fresh: boolean; totals: { persons: number } }>();
  };
  const [street] = await selectRows<{ code: string }>(
    store.db,
    sql`select left(residence_division_code, 9) as code from persons where district_code = ${DISTRICT} limit 1`,
  );
  process.stdout.write(`store ${store.kind}, GET /api/statistics/population as a district user:\n`);
  for (const [label, division] of [
    ['district', undefined],
    ['street', street!.code],
  ] as const) {
    let t0 = performance.now();
    const first = await read(division);
    process.stdout.write(
      `  ${label}: first read, nothing computed yet ${ms(t0)}, ${first.totals.persons} persons\n`,
    );
    t0 = performance.now();
    await read(division);
    process.stdout.write(`  ${label}: read of computed figures (warmed or read before) ${ms(t0)}\n`);
    const [person] = await selectRows<{ id: string }>(
      store.db,
      sql`select id from persons where district_code = ${DISTRICT} and death_date is null
            and residence_division_code like ${`${division ?? DISTRICT}%`} limit 1`,
    );
    await inUnitOfWork(store, { userId: null, divisionCode: DISTRICT, reason: '基准测试：死亡登记' }, (tx) =>
      recordDeath(tx, ALL, { districtCode: DISTRICT, personId: person!.id, deathDate: '2026-11-30' }),
    );
    t0 = performance.now();
    const stale = await read(division);
    process.stdout.write(`  ${label}: read right after a registry write ${ms(t0)} (fresh: ${stale.fresh})\n`);
    const t1 = performance.now();
    await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
    process.stdout.write(`  ${label}: GET /api/auth/me during the recomputation ${ms(t1)}\n`);
    let fresh = stale;
    while (!fresh.fresh) {
      // As the console does (every 3 s): poll again a little later.
      await new Promise((resolve) => setTimeout(resolve, 100));
      fresh = await read(division);
    }
    process.stdout.write(
      `  ${label}: new figures there after ${ms(t0)} (${first.totals.persons - fresh.totals.persons} fewer persons)\n`,
    );
  }
  await app.close();
  await store.close();
  if (PG_URL && !process.argv.includes('--keep')) await adminQuery(PG_URL, `drop schema ${schema} cascade`);
}

await main();
