/**
 * Payroll figures (issue 11, "Numbers"):
 *   npx tsx bench/payroll.bench.ts [--store pglite|postgres] [--entitlements N] [--month YYYY-MM]
 *     [--schema S --keep] [--data-dir D] [--batch-ms MS]
 *
 * Setup: the synthetic Yangpu population (the demo loader) large enough for N entitlements, and for every
 * household an entitlement per program the engine grants it at the engine's amount (compute.fixtures.ts,
 * by COPY; cut at N). Then a run of the month (default 2026-10, a quarter's first month: 老年综合津贴 paid)
 * computed by the `payroll.run` job through a job runner as a worker runs it, the controls included.
 * Prints entitlements/s, lines, ledger entries, control findings and wall time per phase; asserts nothing
 * on time. Default N: 300,000 on PGlite; `--store postgres --entitlements 4500000` for the city figure.
 * The machine is shared: read the load.
 */
import { countOf, loadText, openBenchStore, out, seconds } from './support/bench-store.ts';
import { cpus } from 'node:os';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.ts';
import { selectRows } from '../src/db/sql.ts';
import { JobKinds } from '../src/jobs/job-kind.ts';
import { getJob } from '../src/jobs/jobs.repository.ts';
import { enqueueJob } from '../src/jobs/jobs.service.ts';
import { PAYROLL_RUN_KIND, payrollRunJobKind } from '../src/jobs/kinds/payroll-run.job.ts';
import { JobRunner } from '../src/jobs/runner.ts';
import { collectTimings, type Timings } from '../src/payroll/compute/compute.service.ts';
import {
  FIXTURE_DISTRICT,
  fixtureActor,
  loadPopulation,
  seedEntitlements,
  startRun,
} from '../src/payroll/compute/compute.fixtures.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const STORE = arg('store') ?? 'pglite';
const ENTITLEMENTS = Number(arg('entitlements') ?? (STORE === 'pglite' ? 300_000 : 4_500_000));
const MONTH = arg('month') ?? '2026-10';
const BATCH_MS = arg('batch-ms') === undefined ? undefined : Number(arg('batch-ms'));
const KEEP = process.argv.includes('--keep');
/** Entitlements per person of the demo population (measured: about 0.3; headroom so that N is reached). */
const ENTITLEMENTS_PER_PERSON = Number(arg('per-person') ?? 0.25);
const TARGET_S = STORE === 'pglite' ? 60 : 120;
const TARGET_N = STORE === 'pglite' ? 300_000 : 4_500_000;

const openStore = () =>
  openBenchStore({
    kind: STORE,
    name: 'payroll',
    dataDir: arg('data-dir'),
    schema: arg('schema'),
    keep: KEEP,
  });

async function main(): Promise<void> {
  const { store, drop } = await openStore();
  try {
    await store.migrate();
    out(`payroll bench: ${STORE}, ${cpus().length} cores, node ${process.version}, load ${loadText()}`);
    if ((await countOf(store, sql`select count(*)::int as n from entitlements`)) === 0) {
      const t0 = performance.now();
      await loadPopulation(store, Math.ceil(ENTITLEMENTS / ENTITLEMENTS_PER_PERSON), 'payroll-bench');
      out(`population loaded in ${seconds(t0)} s`);
      const t1 = performance.now();
      const n = await seedEntitlements(store, { month: MONTH, max: ENTITLEMENTS });
      out(`entitlements written: ${n} in ${seconds(t1)} s`);
    }
    const entitlements = await countOf(store, sql`select count(*)::int as n from entitlements`);
    const byProgram = await selectRows<{ program: string; n: number }>(
      store.db,
      sql`select program, count(*)::int as n from entitlements group by program order by program`,
    );
    out(`entitlements: ${entitlements} (${byProgram.map((r) => `${r.program} ${r.n}`).join(', ')})`);

    const runId = await startRun(store, MONTH);
    const kinds = new JobKinds().register(payrollRunJobKind());
    const { job } = await enqueueJob(store, kinds, {
      kind: PAYROLL_RUN_KIND,
      payload: { districtCode: FIXTURE_DISTRICT, runId },
      actor: fixtureActor,
      divisionCode: FIXTURE_DISTRICT,
    });
    const runner = new JobRunner({
      store,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      kinds,
      ...(BATCH_MS === undefined ? {} : { batchMs: BATCH_MS }),
      schedules: false,
      retryDelayMs: () => 0,
    });
    const timings: Timings = new Map();
    collectTimings(timings);
    const t2 = performance.now();
    await runner.runUntilIdle();
    collectTimings(undefined);
    const wall = (performance.now() - t2) / 1000;
    const done = await getJob(store.db, job.id);
    const [run] = await selectRows<Record<string, unknown>>(
      store.db,
      sql`select state, line_count, total_fen, held_count, held_fen from payroll_runs where id = ${runId}::uuid`,
    );
    const lines = await countOf(
      store,
      sql`select count(*)::int as n from payroll_lines where run_id = ${runId}::uuid`,
    );
    const ledger = await countOf(
      store,
      sql`select count(*)::int as n from ledger_entries where run_id = ${runId}::uuid`,
    );
    const findings = await countOf(store, sql`select count(*)::int as n from control_findings`).catch(
      () => -1,
    );
    const batches = await countOf(
      store,
      sql`select count(*)::int as n from audit_log where action = 'payroll.computed'`,
    ).catch(() => -1);
    out(
      `run ${MONTH}: job ${done?.state} in ${wall.toFixed(1)} s (${batches} batches), entitlements/s=${(entitlements / wall).toFixed(0)}, ` +
        `lines=${lines} ledger_entries=${ledger} findings=${findings} run=${JSON.stringify(run)}`,
    );
    out(
      `phases (s): ${[...timings].map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}`).join(', ')}; ` +
        `other (runner, audit, commits) ${(wall - [...timings.values()].reduce((a, b) => a + b, 0) / 1000).toFixed(1)}`,
    );
    if (done?.state !== 'succeeded') out(`job error: ${String(done?.error)}`);
    const projected = (wall * TARGET_N) / Math.max(1, entitlements);
    out(
      `projection to ${TARGET_N}: ${projected.toFixed(0)} s (target ${TARGET_S} s, ratio ${(projected / TARGET_S).toFixed(2)}), load ${loadText()}`,
    );
  } finally {
    await store.close();
    await drop();
  }
}

await main();
