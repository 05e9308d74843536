/**
 * Registry benchmark: `npx tsx bench/registry.bench.ts [--persons N] [--pg URL [--schema S --keep] | --data DIR]`.
 * Loads the synthetic Yangpu population (src/demo, COPY), then times the registry's reads: person
 * search by initials / name / last four ID digits in a district and a street scope, household search
 * and detail, dashboard figures, and the engine-input stream (households per second, peak memory). Prints figures and ratios; asserts nothing on time.
 */
import pg from 'pg';
import { ALL, divisionScope, type DataScope } from '../src/auth/scope.ts';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { vacuumRegistryTables } from '../src/registry/maintenance.repository.ts';
import {
  getHouseholdDetail,
  populationFigures,
  searchHouseholds,
  searchPersons,
  seedDivisions,
  streamPolicyHouseholds,
} from '../src/registry/registry.service.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PERSONS = Number(arg('--persons') ?? 100_000);
const PG_URL = arg('--pg');
/** Keep the PGlite database in this folder and reuse it on the next run (skips loading). */
const DATA_DIR = arg('--data');

async function load(store: Store): Promise<{ households: number; seconds: number }> {
  const t0 = performance.now();
  const loaded = await loadDemoPopulation(store, {
    district: '310110',
    persons: PERSONS,
    seed: 'registry-bench',
  });
  const seconds = (performance.now() - t0) / 1000;
  // The state a server's autovacuum reaches a minute after the load (PGlite's loader does it itself).
  await vacuumRegistryTables(store.db);
  return { households: loaded.households, seconds };
}

async function time<T>(label: string, runs: number, work: () => Promise<T>): Promise<T> {
  let result = await work(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) result = await work();
  const ms = (performance.now() - t0) / runs;
  process.stdout.write(`${label.padEnd(58)}${ms.toFixed(2).padStart(10)} ms\n`);
  return result;
}

async function main(): Promise<void> {
  // On the server the benchmark works in a schema of its own, dropped at the end.
  const schema = arg('--schema') ?? `bench_registry_${process.pid}`;
  if (PG_URL) await adminQuery(PG_URL, `create schema if not exists ${schema}`);
  const store = PG_URL ? openPostgres(PG_URL, { searchPath: schema, max: 2 }) : await openPglite(DATA_DIR);
  await store.migrate();
  await seedDivisions(store);
  const existing = (await searchPersons(store.db, ALL, { limit: 1 })).total;
  const loaded = existing > 0 ? { households: 0, seconds: 0 } : await load(store);
  process.stdout.write(
    `store ${store.kind}; ${PERSONS} persons in ${loaded.households} households loaded (demo loader, COPY) in ` +
      `${loaded.seconds.toFixed(2)} s\n\n`,
  );
  const district: DataScope = divisionScope('310110');
  const street: DataScope = divisionScope('310110012');
  const last4 = (await searchPersons(store.db, ALL, { limit: 1, unmask: true })).rows[0]!.idNumber.slice(-4);
  const sampleNo = (await searchHouseholds(store.db, street, { limit: 1, offset: 40 })).rows[0]!.householdNo;
  const zs = await time('persons: initials "zs", district scope, page 1', 20, () =>
    searchPersons(store.db, district, { initials: 'zs' }),
  );
  await time('persons: initials "zs", street scope, page 1', 20, () =>
    searchPersons(store.db, street, { initials: 'zs' }),
  );
  await time('persons: initials "zs", district scope, page 50', 20, () =>
    searchPersons(store.db, district, { initials: 'zs', offset: 1000 }),
  );
  await time('persons: name prefix "张", district scope', 20, () =>
    searchPersons(store.db, district, { name: '张' }),
  );
  await time('persons: name contains "明", district scope', 20, () =>
    searchPersons(store.db, district, { name: '明', nameMatch: 'contains' }),
  );
  await time(`persons: last four "${last4}", district scope`, 20, () =>
    searchPersons(store.db, district, { idNumber: last4 }),
  );
  await time('households: head initials "w", street scope', 20, () =>
    searchHouseholds(store.db, street, { headInitials: 'w' }),
  );
  await time('households: head name "张", district scope', 20, () =>
    searchHouseholds(store.db, district, { headName: '张' }),
  );
  await time('households: committee, street scope, page 3', 20, () =>
    searchHouseholds(store.db, street, { divisionCode: '310110012001', offset: 40 }),
  );
  await time('households: member count ≥ 4, district scope', 10, () =>
    searchHouseholds(store.db, district, { minMembers: 4 }),
  );
  await time('household detail by number', 50, () =>
    getHouseholdDetail(store.db, district, { districtCode: '310110', householdNo: sampleNo }),
  );
  await time('figures: district scope', 5, () => populationFigures(store.db, district, '2022-06-30'));
  await time('figures: street scope', 5, () => populationFigures(store.db, street, '2022-06-30'));
  // A committee also gets its households by size (one more aggregate, over its memberships).
  const committee = divisionScope('310110012001');
  await time('figures: committee scope', 5, () => populationFigures(store.db, committee, '2022-06-30'));
  process.stdout.write(
    `\n("zs" matches ${zs.totalExact ? '' : 'more than '}${zs.total} persons in the district)\n`,
  );

  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let count = 0;
  let members = 0;
  const t0 = performance.now();
  for await (const row of streamPolicyHouseholds(store, district, '2022-08')) {
    count += 1;
    members += row.household.members.length;
    if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const s = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(
    `stream engine input 2022-08: ${count} households, ${members} members in ${s.toFixed(2)} s = ${Math.round(count / s)} households/s; ` +
      `RSS ${Math.round(rssBefore / 1e6)} → peak ${Math.round(peak / 1e6)} MB\n`,
  );
  await store.close();
  if (PG_URL && !process.argv.includes('--keep')) await adminQuery(PG_URL, `drop schema ${schema} cascade`);
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

await main();
