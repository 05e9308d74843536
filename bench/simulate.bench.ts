/**
 * Simulation through the API: `npx tsx bench/simulate.bench.ts [--persons N] [--pg URL [--schema S --keep] | --data DIR]`.
 * Loads the synthetic Yangpu population (src/demo, COPY), then times `POST /api/policy/simulate` as a
 * district finance officer: the baseline alone and against a reform (低保标准 +150 元), for the whole
 * district and for one street. The simulation runs inside the request (reading the registry, building
 * the columns, computing every program), so these are the times an analyst waits on the 政策测算 page.
 * Prints figures; asserts nothing on time.
 */
import pg from 'pg';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { vacuumRegistryTables } from '../src/registry/maintenance.repository.ts';
import { searchPersons, seedDivisions } from '../src/registry/registry.service.ts';
import { ALL } from '../src/auth/scope.ts';
import { benchSession } from './support/bench-server.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PERSONS = Number(arg('--persons') ?? 20_000);
const PG_URL = arg('--pg');
const DATA_DIR = arg('--data');
const MONTH = '2026-11';

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function ensurePopulation(store: Store): Promise<void> {
  const existing = (await searchPersons(store.db, ALL, { limit: 1 })).total;
  if (existing > 0) {
    process.stdout.write(`store ${store.kind}; population already loaded (${existing}+ persons)\n`);
    return;
  }
  const t0 = performance.now();
  const loaded = await loadDemoPopulation(store, {
    district: '310110',
    persons: PERSONS,
    seed: 'simulate-bench',
  });
  await vacuumRegistryTables(store.db);
  process.stdout.write(
    `store ${store.kind}; ${PERSONS} persons in ${loaded.households} households loaded in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}

async function main(): Promise<void> {
  const schema = arg('--schema') ?? `bench_simulate_${process.pid}`;
  if (PG_URL) await adminQuery(PG_URL, `create schema if not exists ${schema}`);
  const store = PG_URL ? openPostgres(PG_URL, { searchPath: schema, max: 2 }) : await openPglite(DATA_DIR);
  await store.migrate();
  await seedDivisions(store);
  await ensurePopulation(store);
  const { app, cookie, csrfToken } = await benchSession(store, 'finance_officer', '310110');

  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const run = async (label: string, body: Record<string, unknown>): Promise<void> => {
    const t0 = performance.now();
    const response = await app.inject({
      method: 'POST',
      url: '/api/policy/simulate',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { month: MONTH, ...body },
    });
    const wall = performance.now() - t0;
    if (response.statusCode !== 200)
      throw new Error(`${label}: HTTP ${response.statusCode} ${response.body}`);
    const result = response.json<{ households: number; persons: number; elapsedMs: number }>();
    process.stdout.write(
      `${label.padEnd(44)} ${String(result.households).padStart(9)} 户 ${String(result.persons).padStart(9)} 人` +
        `  ${(wall / 1000).toFixed(2).padStart(7)} s (in handler ${(result.elapsedMs / 1000).toFixed(2)} s)\n`,
    );
  };
  const reform = [{ parameter: 'dibao.standard', value: 180000 }];
  process.stdout.write(`\nPOST /api/policy/simulate, ${MONTH}, as a district finance officer:\n`);
  await run('district, baseline', {});
  await run('district, baseline against a reform', { reform });
  await run('street 310110012, baseline against a reform', { division: '310110012', reform });
  clearInterval(sampler);
  process.stdout.write(`peak RSS ${Math.round(peak / 1e6)} MB\n`);
  await app.close();
  await store.close();
  if (PG_URL && !process.argv.includes('--keep')) await adminQuery(PG_URL, `drop schema ${schema} cascade`);
}

await main();
