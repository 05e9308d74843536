/**
 * Engine input from dated facts, in bulk:
 *   npx tsx bench/facts.bench.ts [--households N] [--month YYYY-MM] [--schema S --keep] [--runs R]
 *
 * Loads the synthetic Yangpu population with about N households (default 1,000,000; the demo loader, with
 * its three years of history: changed incomes and assets, twelve-monthly spending, deaths, moves) into a
 * schema of its own on the PostgreSQL server of BENCH_DATABASE_URL or TEST_DATABASE_URL, vacuums it (as a
 * server's autovacuum soon would), then builds the engine input of every household for a month
 * (streamPolicyHouseholds: one statement per district through a cursor, facts resolved in SQL) and prints
 * the time against the target (≤ 15 s for 1,000,000 households), households/s, client CPU, the server
 * backend's CPU (parallel workers not included), peak RSS and the load average before and after (the
 * machine is shared: read the figures with it). With --keep the schema stays and a later run with the same
 * --schema skips the load. Asserts nothing on time.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { ALL } from '../src/auth/scope.ts';
import { selectRows } from '../src/db/sql.ts';
import { openPostgres, type Store } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { vacuumRegistryTables } from '../src/registry/maintenance.repository.ts';
import { streamPolicyHouseholds } from '../src/registry/policy-input.service.ts';
import { seedDivisions } from '../src/registry/registry.service.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const HOUSEHOLDS = Number(arg('households') ?? 1_000_000);
/** Persons per household of the demo population (its calibration gives 2.24). */
const PERSONS_PER_HOUSEHOLD = 2.24;
const RUNS = Number(arg('runs') ?? 2);
/** Parts a district is read in (default: the service's own choice). */
const PARTS = arg('parts') === undefined ? undefined : Number(arg('parts'));
const KEEP = process.argv.includes('--keep');
const TARGET_S = 15;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function admin(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** utime + stime of a process in seconds (Linux /proc; the server runs on this machine in the bench setup). */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function counts(store: Store) {
  const [row] = await selectRows<{ households: number; persons: number; facts: number; history: number }>(
    store.db,
    sql`select (select count(*)::int from households) as households,
               (select count(*)::int from persons) as persons,
               (select count(*)::int from economic_facts) as facts,
               (select count(*)::int from economic_facts where valid_to is not null or kind in ('medical_expense','education_expense')) as history`,
  );
  return row!;
}

async function main(): Promise<void> {
  if (!URL) throw new Error('set BENCH_DATABASE_URL or TEST_DATABASE_URL (a PostgreSQL server)');
  const schema = arg('schema') ?? `bench_facts_${process.pid}`;
  await admin(URL, `create schema if not exists ${schema}`);
  // One connection: the cursor's backend is the one whose CPU is read below.
  const store = openPostgres(URL, { searchPath: schema, max: 4 });
  try {
    await store.migrate();
    await seedDivisions(store);
    process.stdout.write(`facts bench: ${cpus().length} cores, node ${process.version}, load ${load()}\n`);
    if ((await counts(store)).households === 0) {
      const t0 = performance.now();
      const summary = await loadDemoPopulation(store, {
        district: '310110',
        persons: Math.round(HOUSEHOLDS * PERSONS_PER_HOUSEHOLD),
        seed: 'facts-bench',
        asOf: '2026-11-30',
      });
      await vacuumRegistryTables(store.db);
      process.stdout.write(
        `loaded ${summary.households} households, ${summary.persons} persons (+${summary.deceased} deceased), ` +
          `${summary.memberships} memberships, ${summary.facts} facts in ${((performance.now() - t0) / 1000).toFixed(1)} s (demo loader + vacuum)\n`,
      );
    }
    const c = await counts(store);
    process.stdout.write(
      `schema ${schema}: ${c.households} households, ${c.persons} persons, ${c.facts} facts (${c.history} ended or dated: history)\n`,
    );
    const [{ pid } = { pid: 0 }] = await selectRows<{ pid: number }>(
      store.db,
      sql`select pg_backend_pid() as pid`,
    );
    const month = arg('month') ?? '2026-11';
    for (let run = 1; run <= RUNS; run++) {
      const before = { load: load(), cpu: process.cpuUsage(), server: processCpuSeconds(pid) };
      let peak = process.memoryUsage().rss;
      let households = 0;
      let members = 0;
      let firstRowS = 0;
      const t0 = performance.now();
      for await (const row of streamPolicyHouseholds(
        store,
        ALL,
        month,
        PARTS === undefined ? {} : { parts: PARTS },
      )) {
        if (households === 0) firstRowS = (performance.now() - t0) / 1000;
        households += 1;
        members += row.household.members.length;
        if (households % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(before.cpu);
      const server = processCpuSeconds(pid);
      process.stdout.write(
        `[run ${run}] engine input ${month}: households=${households} members=${members} seconds=${seconds.toFixed(2)} ` +
          `households_per_s=${Math.round(households / seconds)} first_row_s=${firstRowS.toFixed(2)} ` +
          `client_cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(1)} ` +
          `server_backend_cpu_s=${server !== undefined && before.server !== undefined ? (server - before.server).toFixed(1) : 'n/a'} ` +
          `peak_rss_mb=${Math.round(peak / 2 ** 20)} target_s=${TARGET_S} ratio_to_target=${(seconds / TARGET_S).toFixed(2)} ` +
          `load_before="${before.load}" load_after="${load()}"\n`,
      );
    }
  } finally {
    await store.close();
    if (!KEEP) await admin(URL, `drop schema ${schema} cascade`);
  }
}

await main();
