/**
 * Verification figures (issue 9, "Numbers"):
 *   npx tsx bench/verification.bench.ts [--store postgres|pglite] [--households N] [--schema S --keep]
 *     [--data-dir D] [--single R] [--batch-ms MS] [--engine-sample K]
 *
 * Setup: the synthetic Yangpu population (the demo loader, with its three years of facts) with enough
 * households for N recipients, loaded into a schema of its own on the PostgreSQL server of BENCH_DATABASE_URL
 * or TEST_DATABASE_URL (--store postgres, default) or into an embedded PGlite store in a folder (--store
 * pglite); then N households (default 200,000) get a standing 低保 authorisation of their adults by COPY.
 * With --keep the schema (or the folder) stays and a later run with the same --schema (--data-dir) skips the
 * load and the authorisations. Then:
 *   (b) the re-verification job verification.recheck over the N recipients, run by a job runner as a worker
 *       runs it (batches sized to --batch-ms): seconds against the target (≤ 60 s on PostgreSQL, ≤ 300 s on
 *       PGlite, for 200,000), households/s, and the projection to 200,000 when N is smaller;
 *   (c) on those requests, the concealment the simulated sources planted (ground-truth.ts): the share above
 *       the tolerance that the reports flag (target ≥ 99%) and the within-tolerance items flagged (target 0);
 *   (a) R single requests (default 20), each gathered from the simulated sources: the time from the answers
 *       in hand to the report stored (the unit that records the answers and issues the report; target
 *       ≤ 200 ms), p50/p95/max;
 *   and the change list's engine reckoning on K reports (default 2,000): the population API against
 *       evaluateHousehold one household at a time.
 * Prints figures and ratios to target; asserts nothing on time. The machine is shared: read the load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { ALL } from '../src/auth/scope.ts';
import { OPERATOR } from '../src/auth/roles.ts';
import { calendarOf } from '../src/calendar/calendar.service.ts';
import { loadConfig } from '../src/config.ts';
import { shanghaiToday } from '../src/core/clock.ts';
import { selectRows } from '../src/db/sql.ts';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { JobKinds } from '../src/jobs/job-kind.ts';
import { getJob } from '../src/jobs/jobs.repository.ts';
import { enqueueJob } from '../src/jobs/jobs.service.ts';
import { recheckJobKind } from '../src/jobs/kinds/verification-recheck.job.ts';
import { JobRunner } from '../src/jobs/runner.ts';
import { baselineParameters } from '../src/policy/index.ts';
import { seedDivisions } from '../src/registry/registry.service.ts';
import { gatherBatch } from '../src/verification/gather.service.ts';
import { changesOfReports } from '../src/verification/recheck/changes.ts';
import { reportedOfJob } from '../src/verification/recheck/recheck.repository.ts';
import { RECHECK_KIND, type RecheckTotals } from '../src/verification/recheck/recheck.service.ts';
import { pgArray } from '../src/verification/recheck/recipients.repository.ts';
import { issueReports } from '../src/verification/report/report.service.ts';
import { createRequest } from '../src/verification/request.service.ts';
import { LOCAL_SOURCE_CODES, type SourceCode } from '../src/verification/sources/catalogue.ts';
import { groundTruth, type PlantedItem } from '../src/verification/sources/ground-truth.ts';
import { SimulatedSource } from '../src/verification/sources/simulated.source.ts';
import type { SourceAdapter } from '../src/verification/sources/source.ts';
import { inUnitOfWork, type ActingContext } from '../src/workflow/unit-of-work.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const STORE = arg('store') ?? 'postgres';
const URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const HOUSEHOLDS = Number(arg('households') ?? 200_000);
const SINGLE = Number(arg('single') ?? 20);
const ENGINE_SAMPLE = Number(arg('engine-sample') ?? 2_000);
const BATCH_MS = arg('batch-ms') === undefined ? undefined : Number(arg('batch-ms'));
const KEEP = process.argv.includes('--keep');
const DISTRICT = '310110';
/** Persons per household of the demo population (its calibration gives 2.24); some headroom for the empty. */
const PERSONS_PER_HOUSEHOLD = 2.24 * 1.1;
const TARGET_RECHECK_S = STORE === 'pglite' ? 300 : 60;
const TARGET_RECHECK_HOUSEHOLDS = 200_000;
const TARGET_SINGLE_MS = 200;
const TARGET_FLAGGED = 0.99;
const actor: ActingContext = { userId: 'bench', divisionCode: DISTRICT, reason: '核对基准测试' };
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const out = (line: string) => process.stdout.write(`${line}\n`);

async function admin(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function count(store: Store, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await selectRows<{ n: number }>(store.db, query);
  return row?.n ?? 0;
}

/** Standing 低保 authorisations of the adults of the first `n` households without one, by COPY. */
async function authorise(store: Store, n: number, day: string): Promise<number> {
  const have = await count(
    store,
    sql`select count(distinct household_id)::int as n from verification_authorisations
        where district_code = ${DISTRICT} and purpose = 'dibao' and standing and ended_on is null`,
  );
  if (have >= n) return 0;
  const rows = await selectRows<{ household_id: string; person_ids: string[] | string }>(
    store.db,
    sql`select m.household_id::text, array_agg(m.person_id order by m.person_id)::text[] as person_ids
        from household_members m join persons p on p.district_code = m.district_code and p.id = m.person_id
        where m.district_code = ${DISTRICT} and m.valid_from <= ${day}::date
          and (m.valid_to is null or m.valid_to > ${day}::date) and (p.death_date is null or p.death_date > ${day}::date)
          and p.birth_date <= (${day}::date - interval '18 years')
          and not exists (select 1 from verification_authorisations a where a.district_code = m.district_code
            and a.household_id = m.household_id and a.purpose = 'dibao' and a.standing and a.ended_on is null)
        group by m.household_id order by m.household_id limit ${n - have}`,
  );
  const now = new Date().toISOString();
  const attachment = randomUUID();
  function* csv() {
    for (const r of rows) {
      const ids = pgArray(r.person_ids);
      yield `${DISTRICT},${randomUUID()},${r.household_id},dibao,"{${ids.join(',')}}",2026-01-05,,true,${attachment},bench,${now},1\n`;
    }
  }
  return store.transaction((tx) =>
    tx.copyFrom(
      'verification_authorisations',
      [
        'district_code',
        'id',
        'household_id',
        'purpose',
        'person_ids',
        'signed_on',
        'valid_until',
        'standing',
        'attachment_id',
        'created_by',
        'created_at',
        'version',
      ],
      csv(),
    ),
  );
}

async function openStore(): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (STORE === 'pglite') {
    const dir = arg('data-dir') ?? mkdtempSync(join(tmpdir(), 'mz-verify-bench-'));
    const store = await openPglite(dir);
    return {
      store,
      drop: () => {
        if (!KEEP) rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  if (!URL) throw new Error('set BENCH_DATABASE_URL or TEST_DATABASE_URL (a PostgreSQL server)');
  const schema = arg('schema') ?? `bench_verify_${process.pid}`;
  await admin(URL, `create schema if not exists ${schema}`);
  const store = openPostgres(URL, { searchPath: schema, max: 4 });
  return { store, drop: async () => (KEEP ? undefined : admin(URL, `drop schema ${schema} cascade`)) };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

// ---- (b) the re-verification of N recipients ----------------------------------------------------------

async function recheck(store: Store): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const kinds = new JobKinds().register(recheckJobKind());
  const { job } = await enqueueJob(store, kinds, {
    kind: RECHECK_KIND,
    payload: { districtCode: DISTRICT, program: 'dibao' },
    actor,
    divisionCode: DISTRICT,
    idempotencyKey: `bench-${randomUUID()}`,
  });
  const runner = new JobRunner({
    store,
    config,
    kinds,
    schedules: false,
    pauseBetweenBatches: false,
    // Warnings only (a batch that failed and is retried): the batches' own lines would flood the output.
    say: (line) => {
      if (line.startsWith('警告')) out(line);
    },
    ...(BATCH_MS === undefined ? {} : { batchMs: BATCH_MS }),
  });
  const before = { load: load(), cpu: process.cpuUsage() };
  const t0 = performance.now();
  const summary = await runner.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(before.cpu);
  const done = await getJob(store.db, job.id);
  const r = (done?.result ?? {}) as Partial<RecheckTotals>;
  const households = done?.done ?? 0;
  const projected = (seconds * TARGET_RECHECK_HOUSEHOLDS) / Math.max(1, households);
  out(
    `(b) recheck ${STORE}: state=${done?.state} households=${households} requests=${r.requests} reported=${r.reported} ` +
      `changes=${r.changes} affecting=${r.affecting} unsigned=${r.unsignedCount} batches=${summary.batches} ` +
      `seconds=${seconds.toFixed(1)} households_per_s=${Math.round(households / seconds)} ` +
      `projected_200k_s=${projected.toFixed(1)} target_s=${TARGET_RECHECK_S} ratio_to_target=${(projected / TARGET_RECHECK_S).toFixed(2)} ` +
      `client_cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(1)} load_before="${before.load}" load_after="${load()}"`,
  );
  return job.id;
}

// ---- (c) planted concealment flagged -------------------------------------------------------------------

const FLAG_CODES = new Set(['unreported_income', 'underreported', 'homes', 'vehicles', 'business']);

function flagKey(item: PlantedItem): string {
  if (item.kind === 'deposits' || item.kind === 'securities') return `${item.requestId}||monetary_assets`;
  if (item.kind === 'homes' || item.kind === 'vehicles') return `${item.requestId}||${item.kind}`;
  return `${item.requestId}|${item.personId}|${item.kind}`;
}

async function flagged(store: Store, jobId: string): Promise<void> {
  let above = 0;
  let aboveFlagged = 0;
  let within = 0;
  let withinFlagged = 0;
  let after: string | null = null;
  for (;;) {
    const rows: { id: string; household_id: string; person_ids: string[] | string; as_of: string }[] =
      await selectRows(
        store.db,
        sql`select id::text, household_id::text, person_ids::text[] as person_ids, as_of::text from verification_requests
            where district_code = ${DISTRICT} and job_id = ${jobId}::uuid and state = 'reported'
            ${after === null ? sql`` : sql`and id > ${after}::uuid`} order by id limit 5000`,
      );
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    const planted = await groundTruth(
      store.db,
      rows.map((r) => ({
        districtCode: DISTRICT,
        requestId: r.id,
        householdId: r.household_id,
        asOf: r.as_of,
        personIds: pgArray(r.person_ids),
      })),
    );
    const reports = await reportedOfJob(
      store.db,
      DISTRICT,
      jobId,
      rows.map((r) => r.id),
    );
    const flags = new Set<string>();
    for (const { requestId, body } of reports) {
      for (const f of body.flags) {
        if (!FLAG_CODES.has(f.code)) continue;
        flags.add(`${requestId}|${f.personId ?? ''}|${f.kind ?? f.code}`);
      }
    }
    const aboveKeys = new Set(planted.filter((p) => p.aboveTolerance).map(flagKey));
    for (const item of planted) {
      const key = flagKey(item);
      if (item.aboveTolerance) {
        above += 1;
        if (flags.has(key)) aboveFlagged += 1;
      } else {
        within += 1;
        // A household figure flagged because of another member's concealment above the tolerance is right.
        if (flags.has(key) && !aboveKeys.has(key)) withinFlagged += 1;
      }
    }
  }
  const share = above === 0 ? 1 : aboveFlagged / above;
  out(
    `(c) planted concealment: above_tolerance=${above} flagged=${aboveFlagged} share=${(share * 100).toFixed(2)}% ` +
      `target=${TARGET_FLAGGED * 100}% ratio_to_target=${(share / TARGET_FLAGGED).toFixed(3)} ` +
      `within_tolerance=${within} within_flagged=${withinFlagged} target_within_flagged=0`,
  );
}

// ---- engine: the population API against one household at a time --------------------------------------

async function engine(store: Store, jobId: string): Promise<void> {
  const ids = await selectRows<{ id: string }>(
    store.db,
    sql`select id::text from verification_requests where district_code = ${DISTRICT} and job_id = ${jobId}::uuid
        and state = 'reported' order by id limit ${ENGINE_SAMPLE}`,
  );
  const reports = await reportedOfJob(
    store.db,
    DISTRICT,
    jobId,
    ids.map((r) => r.id),
  );
  const parameters = baselineParameters().forDistrict(DISTRICT);
  const time = (mode: 'population' | 'each') => {
    const t0 = performance.now();
    const result = changesOfReports(reports, 'dibao', parameters, mode);
    return { ms: performance.now() - t0, changes: result.reduce((n, h) => n + h.changes.length, 0) };
  };
  time('population'); // warm-up
  const population = time('population');
  const each = time('each');
  out(
    `engine: reports=${reports.length} changes=${population.changes} population_api_ms=${population.ms.toFixed(1)} ` +
      `evaluate_household_ms=${each.ms.toFixed(1)} ratio=${(each.ms / Math.max(0.001, population.ms)).toFixed(1)}`,
  );
}

// ---- (a) one request: answers in hand → report stored --------------------------------------------------

async function single(store: Store): Promise<void> {
  const calendar = await calendarOf(store);
  const households = await selectRows<{ household_id: string }>(
    store.db,
    sql`select distinct household_id::text from verification_authorisations
        where district_code = ${DISTRICT} and purpose = 'dibao' and standing and ended_on is null
        order by household_id desc limit ${SINGLE}`,
  );
  const adapters = new Map<SourceCode, SourceAdapter>(
    LOCAL_SOURCE_CODES.map((s) => [
      s,
      new SimulatedSource(s, store.db, { timeoutMs: 60_000, maxAttempts: 3 }),
    ]),
  );
  const answerToReport: number[] = [];
  const reportOnly: number[] = [];
  for (const [i, h] of households.entries()) {
    await inUnitOfWork(store, actor, (tx) =>
      createRequest(tx, { scope: ALL, role: OPERATOR, userId: null }, calendar, {
        districtCode: DISTRICT,
        householdId: h.household_id,
        purpose: 'dibao',
      }),
    );
    let units = 0;
    let started = 0;
    await gatherBatch(
      { jobId: randomUUID(), batch: i + 1, limit: 100, districtCode: DISTRICT },
      {
        adapters,
        retry: { retryMs: 1000, maxRetryMs: 60_000 },
        issueReports: async (tx, d, ids) => {
          const t0 = performance.now();
          const n = await issueReports(tx, d, ids);
          reportOnly.push(performance.now() - t0);
          return n;
        },
        unit: async (work) => {
          units += 1;
          // The second unit starts with the agencies' answers in hand and ends with the report committed.
          if (units === 2) started = performance.now();
          const result = await inUnitOfWork(store, actor, work);
          if (units === 2) answerToReport.push(performance.now() - started);
          return result;
        },
        say: () => {},
        maxWaitMs: 0,
      },
    );
  }
  const p95 = quantile(answerToReport, 0.95);
  out(
    `(a) single request ${STORE}: requests=${answerToReport.length} answers_to_report_ms p50=${quantile(answerToReport, 0.5).toFixed(1)} ` +
      `p95=${p95.toFixed(1)} max=${Math.max(...answerToReport).toFixed(1)} issue_reports_ms p50=${quantile(reportOnly, 0.5).toFixed(1)} ` +
      `target_ms=${TARGET_SINGLE_MS} ratio_to_target=${(p95 / TARGET_SINGLE_MS).toFixed(2)} load="${load()}"`,
  );
}

async function main(): Promise<void> {
  const { store, drop } = await openStore();
  try {
    await store.migrate();
    await seedDivisions(store);
    out(`verification bench: ${STORE}, ${cpus().length} cores, node ${process.version}, load ${load()}`);
    const day = shanghaiToday();
    if ((await count(store, sql`select count(*)::int as n from households`)) === 0) {
      const t0 = performance.now();
      const summary = await loadDemoPopulation(store, {
        district: DISTRICT,
        persons: Math.ceil(HOUSEHOLDS * PERSONS_PER_HOUSEHOLD),
        seed: 'verification-bench',
        asOf: '2026-11-30',
      });
      out(
        `loaded ${summary.households} households, ${summary.persons} persons in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const t1 = performance.now();
    const copied = await authorise(store, HOUSEHOLDS, day);
    out(
      `standing 低保 authorisations copied: ${copied} in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    const jobId = await recheck(store);
    await flagged(store, jobId);
    await engine(store, jobId);
    await single(store);
  } finally {
    await store.close();
    await drop();
  }
}

await main();
