/**
 * Statistics figures (issue 12, "Numbers": a monthly statistics table for a district of 1,000,000 persons in
 * ≤ 2 s on either store):
 *   npx tsx bench/statistics.bench.ts [--store pglite|postgres] [--persons N] [--month YYYY-MM]
 *     [--data-dir D] [--schema S] [--keep] [--repeat R]
 *
 * Setup (skipped when the store already holds it: `--data-dir D --keep`, or `--schema S --keep`): the
 * synthetic Yangpu population of N persons (the demo loader, as bench/simulate.bench.ts), an entitlement per
 * program the engine grants each household (compute.fixtures.ts, as bench/payroll.bench.ts), a payroll run of
 * the month computed by the `payroll.run` job, then the run closed and its payable lines marked paid (as the
 * bank return would). Then times the monthly table of the district (by street), of its largest street (by
 * committee), the annual table and the .xlsx of the month: the first call and the median of R more.
 * Prints figures; asserts nothing on time. The machine is shared: read the load.
 */
import { countOf, loadText, openBenchStore, out, seconds } from './support/bench-store.ts';
import { cpus } from 'node:os';
import { sql } from 'drizzle-orm';
import { divisionScope } from '../src/auth/scope.ts';
import { loadConfig } from '../src/config.ts';
import { type Store } from '../src/db/store.ts';
import { JobKinds } from '../src/jobs/job-kind.ts';
import { enqueueJob } from '../src/jobs/jobs.service.ts';
import { PAYROLL_RUN_KIND, payrollRunJobKind } from '../src/jobs/kinds/payroll-run.job.ts';
import { JobRunner } from '../src/jobs/runner.ts';
import {
  FIXTURE_DISTRICT,
  fixtureActor,
  loadPopulation,
  seedEntitlements,
  startRun,
} from '../src/payroll/compute/compute.fixtures.ts';
import { entitledFigures, paidFigures } from '../src/statistics/statistics.repository.ts';
import { annualTable, monthlyTable } from '../src/statistics/statistics.service.ts';
import { monthlyWorkbook } from '../src/statistics/statistics.xlsx.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const STORE = arg('store') ?? 'pglite';
const PERSONS = Number(arg('persons') ?? 1_000_000);
const MONTH = arg('month') ?? '2026-10';
const REPEAT = Number(arg('repeat') ?? 5);
const KEEP = process.argv.includes('--keep');
const TARGET_S = 2;

/** Population, entitlements and a paid run of the month, unless the store has them already. */
const openStore = () =>
  openBenchStore({ kind: STORE, name: 'stats', dataDir: arg('data-dir'), schema: arg('schema'), keep: KEEP });

async function setUp(store: Store): Promise<void> {
  if ((await countOf(store, sql`select count(*)::int as n from persons`)) === 0) {
    const t0 = performance.now();
    await loadPopulation(store, PERSONS, 'statistics-bench');
    out(`population of ${PERSONS} loaded in ${seconds(t0)} s (load ${loadText()})`);
  }
  if ((await countOf(store, sql`select count(*)::int as n from entitlements`)) === 0) {
    const t1 = performance.now();
    const n = await seedEntitlements(store, { month: MONTH });
    out(`entitlements written: ${n} in ${seconds(t1)} s (load ${loadText()})`);
  }
  const runs = sql`select count(*)::int as n from payroll_runs where month = ${MONTH} and state <> 'cancelled'`;
  if ((await countOf(store, runs)) === 0) {
    const runId = await startRun(store, MONTH);
    const kinds = new JobKinds().register(payrollRunJobKind());
    await enqueueJob(store, kinds, {
      kind: PAYROLL_RUN_KIND,
      payload: { districtCode: FIXTURE_DISTRICT, runId },
      actor: fixtureActor,
      divisionCode: FIXTURE_DISTRICT,
    });
    const runner = new JobRunner({
      store,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      kinds,
      schedules: false,
      retryDelayMs: () => 0,
    });
    const t2 = performance.now();
    await runner.runUntilIdle();
    out(`payroll run ${MONTH} computed in ${seconds(t2)} s (load ${loadText()})`);
    // As the bank's return leaves it: the run closed, every line sent paid (held lines stay held).
    await store.db.execute(sql`update payroll_runs set state = 'closed' where id = ${runId}::uuid`);
    await store.db.execute(
      sql`update payroll_lines set state = 'paid', paid_on = '2026-10-20' where run_id = ${runId}::uuid
        and state in ('pending', 'released')`,
    );
    await store.db.execute(sql`analyze`);
  }
}

/** CPU time of this process (ms): on PGlite the database runs in it, so this is the table's own cost. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function time<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const first = await f();
  const firstMs = performance.now() - t0;
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < REPEAT; i += 1) {
    const t = performance.now();
    const c = cpuMs();
    await f();
    ms.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? firstMs;
  out(
    `${label.padEnd(40)} first ${firstMs.toFixed(0).padStart(6)} ms, median of ${REPEAT} ${median(ms).toFixed(0).padStart(6)} ms ` +
      `(min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}; CPU of this process ${median(cpu).toFixed(0)} ms) ` +
      `target ${TARGET_S * 1000} ms: ${(median(ms) / (TARGET_S * 1000)).toFixed(2)}×`,
  );
  return first;
}

async function main(): Promise<void> {
  const { store, drop } = await openStore();
  try {
    await store.migrate();
    out(`statistics bench: ${STORE}, ${cpus().length} cores, node ${process.version}, load ${loadText()}`);
    await setUp(store);
    const persons = await countOf(store, sql`select count(*)::int as n from persons`);
    const entitlements = await countOf(store, sql`select count(*)::int as n from entitlements`);
    const lines = await countOf(store, sql`select count(*)::int as n from payroll_lines`);
    out(
      `store: ${persons} persons, ${entitlements} entitlements, ${lines} payroll lines; load ${loadText()}`,
    );
    const district = divisionScope(FIXTURE_DISTRICT);
    const t = await time(`monthly table ${FIXTURE_DISTRICT} ${MONTH}`, () =>
      monthlyTable(store.db, district, MONTH),
    );
    out(
      `  ${t.byArea.length} streets, ${t.programs.length} programs: ${t.total.households} 户次, ${t.total.persons} 人次, ` +
        `${(t.total.amountFen / 100).toFixed(2)} 元; in force ${t.entitled.total.households} 户, ${t.entitled.total.persons} 人`,
    );
    const largest = [...t.byArea].sort((a, b) => b.persons - a.persons)[0];
    if (largest)
      await time(`monthly table ${largest.code} (${largest.name})`, () =>
        monthlyTable(store.db, district, MONTH, largest.code),
      );
    const paid = await time(`  of which paid figures`, () => paidFigures(store.db, district, [MONTH], 9));
    out(`  ${paid.length} rows (program × street)`);
    await time(`  of which entitlements in force`, () => entitledFigures(store.db, district, MONTH, 9));
    await time('monthly .xlsx', async () => monthlyWorkbook(await monthlyTable(store.db, district, MONTH)));
    await time(`annual table ${MONTH.slice(0, 4)}`, () =>
      annualTable(store.db, district, Number(MONTH.slice(0, 4))),
    );
    out(`load ${loadText()}`);
  } finally {
    await store.close();
    await drop();
  }
}

await main();
