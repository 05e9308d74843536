import { randomUUID } from 'node:crypto';
import { ageOn } from '../../calendar/days.ts';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import type { BatchOutcome } from '../../jobs/job-kind.ts';
import { type ProgramCode } from '../../policy/index.ts';
import { RowDigest, type WorkTx } from '../../workflow/unit-of-work.ts';
import { coverageOf } from '../authorisation.rules.ts';
import { enqueueGathering, gatherBatch } from '../gather.service.ts';
import { issueReports } from '../report/report.service.ts';
import { requestNumber } from '../request.service.ts';
import { LOCAL_SOURCE_CODES, type SourceCode } from '../sources/catalogue.ts';
import type { SimulationModel } from '../sources/ground-truth.ts';
import type { SourceAdapter } from '../sources/source.ts';
import { verificationParameter, VP } from '../verification.parameters.ts';
import { changesOfReports, type EngineMode } from './changes.ts';
import {
  analyzeRequestTables,
  insertChanges,
  insertRecheckRequests,
  laterReportedOfJob,
  openRequestsOfJob,
  reportedOfJob,
  type ChangeRow,
  type NewRecheckRequest,
  type RecheckBatchCommon,
} from './recheck.repository.ts';
import { bulkRecheck } from './recheck.bulk.ts';
import {
  recipientAuthorisations,
  recipientCount,
  recipientMembers,
  recipientPage,
} from './recipients.repository.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/**
 * 在保对象定期复核, one batch of the job (src/jobs/kinds/verification-recheck.job.ts), in ONE unit of work:
 *   1. the next page of recipient households (recipients.repository.ts), each checked as a request is: every
 *      adult member covered today by an authorisation of the program — a household with a member who joined
 *      later and has not signed is not asked about, it is listed as 待补签授权 with the names;
 *   2–5, when every local source is simulated (recheck.bulk.ts): the answers computed in memory from the ground
 *      truth, the reports built, the change list reckoned, each table written once by COPY (requests in their
 *      final state). Otherwise, step by step:
 *   2. their requests (origin recheck, the job's id, due in working days), timeline events and source
 *      queries in one statement;
 *   3. the sources asked at once through the gathering job's batch (gather.service.ts) with the adapters that
 *      answer inside this transaction (the simulated ones); the others' queries stay pending and the district's
 *      gathering job sends them later, outside any transaction, as it does for every request;
 *   4. the reports issued (report.service.ts, called by the gathering batch for the requests complete);
 *   5. the change list of the job's requests reported (changes.ts), one statement;
 *   6. one `verification.rechecked` record whose digest covers the requests and change rows written.
 * A batch cut off anywhere is rolled back whole; a household that already has a request of this job is
 * skipped, so a job resumed from its cursor asks about each household once. After the last page, the job
 * collects the changes of its requests that the gathering job reported later (file and HTTP sources).
 */

export const RECHECK_KIND = 'verification.recheck';
export const RECHECK_LABEL = '在保对象定期复核';
const BATCH_REASON_SAY = '在保对象定期复核';

/** Names kept in the job's result (the count is always whole). */
const MAX_UNSIGNED_LISTED = 500;

export interface UnsignedHousehold {
  householdNo: string;
  /** The adults whose authorisation is missing, expired or ended. */
  names: string[];
}

export interface RecheckTotals {
  households: number;
  requests: number;
  reported: number;
  changes: number;
  affecting: number;
  unsignedCount: number;
  unsigned: UnsignedHousehold[];
}

/** The day asked about is fixed by the first batch (the clock then) and carried: every batch asks the same. */
export type RecheckCursor =
  | { phase: 'recipients'; asOf: string; after: string | null; totals: RecheckTotals }
  | { phase: 'collect'; asOf: string; after: string | null; totals: RecheckTotals };

export const EMPTY_TOTALS: RecheckTotals = {
  households: 0,
  requests: 0,
  reported: 0,
  changes: 0,
  affecting: 0,
  unsignedCount: 0,
  unsigned: [],
};

export interface RecheckInput {
  jobId: string;
  batch: number;
  limit: number;
  districtCode: string;
  program: ProgramCode;
  cursor: RecheckCursor | null;
}

export interface RecheckEnvironment {
  calendar: WorkingCalendar;
  /** The adapters that answer inside the batch's transaction (simulated), built on its connection. */
  inUnitAdapters: (db: Db) => Map<SourceCode, SourceAdapter>;
  /** Some local source is not among them (file, HTTP): its queries wait for the gathering job. */
  othersWait: boolean;
  /**
   * Every local source is simulated (answers follow from the ground truth): the batch answers in memory with
   * this model and writes by COPY (recheck.bulk.ts), instead of asking through the gathering batch.
   */
  inMemory?: SimulationModel | undefined;
  retry: { retryMs: number; maxRetryMs: number };
  say: (line: string) => void;
  engine?: EngineMode | undefined;
  /** Tests: called after the requests are written (a throw here cuts the batch off mid-way). */
  afterRequests?: ((batch: number) => void | Promise<void>) | undefined;
}

/** The job's result as shown with it (Chinese labels in the console come from the keys). */
export function recheckResult(totals: RecheckTotals, waiting?: number): Record<string, unknown> {
  return { ...totals, ...(waiting === undefined ? {} : { waiting }) };
}

interface Classified {
  requests: NewRecheckRequest[];
  unsigned: UnsignedHousehold[];
}

async function classify(
  tx: WorkTx,
  input: RecheckInput,
  asOf: string,
  page: readonly { householdId: string; householdNo: string; committeeCode: string }[],
): Promise<Classified> {
  const ids = page.map((h) => h.householdId);
  const [members, authorisations] = [
    await recipientMembers(tx.db, input.districtCode, ids, asOf),
    await recipientAuthorisations(tx.db, input.districtCode, ids, input.program),
  ];
  const adultAge = verificationParameter(VP.adult_age, asOf);
  const out: Classified = { requests: [], unsigned: [] };
  for (const h of page) {
    const list = members.get(h.householdId) ?? [];
    if (list.length === 0) continue; // nobody lives there on the day: nothing to ask about
    const adults = list
      .filter((m) => ageOn(m.birthDate, asOf) >= adultAge)
      .map((m) => ({ personId: m.personId, name: m.name }));
    const coverage = coverageOf(authorisations.get(h.householdId) ?? [], input.program, adults, asOf);
    const missing = [...coverage.unsigned, ...coverage.expired];
    if (missing.length > 0) {
      out.unsigned.push({ householdNo: h.householdNo, names: missing.map((m) => m.name) });
      continue;
    }
    const id = randomUUID();
    out.requests.push({
      id,
      requestNo: requestNumber(input.districtCode, asOf, id),
      householdId: h.householdId,
      committeeCode: h.committeeCode,
      personIds: list.map((m) => m.personId),
      authorisationIds: coverage.authorisationIds,
    });
  }
  return out;
}

/** The change rows of these requests of the job that are reported, written; their count and the affecting. */
async function recordChanges(
  tx: WorkTx,
  input: RecheckInput,
  requestIds: readonly string[],
  digest: RowDigest,
  engine: EngineMode | undefined,
): Promise<{ reported: number; changes: number; affecting: number }> {
  const reports = await reportedOfJob(tx.db, input.districtCode, input.jobId, requestIds);
  if (reports.length === 0) return { reported: 0, changes: 0, affecting: 0 };
  const parameters = parametersInForce().forDistrict(input.districtCode);
  const rows: ChangeRow[] = changesOfReports(reports, input.program, parameters, engine).flatMap((h) =>
    h.changes.map((c) => ({
      districtCode: input.districtCode,
      jobId: input.jobId,
      requestId: h.requestId,
      householdId: h.householdId,
      personId: c.personId,
      kind: c.kind,
      program: input.program,
      oldValue: c.oldValue,
      newValue: c.newValue,
      source: c.source,
      asOf: h.asOf,
      affectsEligibility: c.affectsEligibility,
      affectsAmount: c.affectsAmount,
    })),
  );
  await insertChanges(tx, rows);
  rows.forEach((r) => digest.add({ table: 'verification_changes', ...r }));
  return {
    reported: reports.length,
    changes: rows.length,
    affecting: rows.filter((r) => r.affectsEligibility || r.affectsAmount).length,
  };
}

function added(
  totals: RecheckTotals,
  more: Partial<Omit<RecheckTotals, 'unsigned'>>,
  unsigned: UnsignedHousehold[] = [],
) {
  return {
    households: totals.households + (more.households ?? 0),
    requests: totals.requests + (more.requests ?? 0),
    reported: totals.reported + (more.reported ?? 0),
    changes: totals.changes + (more.changes ?? 0),
    affecting: totals.affecting + (more.affecting ?? 0),
    unsignedCount: totals.unsignedCount + unsigned.length,
    unsigned: [...totals.unsigned, ...unsigned].slice(0, MAX_UNSIGNED_LISTED),
  };
}

interface BatchWork {
  digest: RowDigest;
  created: number;
  counts: { reported: number; changes: number; affecting: number };
  summary?: Record<string, unknown>;
}

/** Every local source simulated: the batch answered and written set-based (recheck.bulk.ts). */
async function inMemoryBatch(
  tx: WorkTx,
  input: RecheckInput,
  common: RecheckBatchCommon,
  requests: readonly NewRecheckRequest[],
  model: SimulationModel,
  env: RecheckEnvironment,
): Promise<BatchWork> {
  const out = await bulkRecheck(
    tx,
    { jobId: input.jobId, batch: input.batch, districtCode: input.districtCode, program: input.program },
    common,
    requests,
    model,
    { engine: env.engine, afterRequests: () => env.afterRequests?.(input.batch) },
  );
  return {
    digest: out.digest,
    created: out.requests,
    counts: { reported: out.reported, changes: out.changes, affecting: out.affecting },
    summary: { rows: out.digest.counts(), facts: out.facts },
  };
}

/**
 * Some local source answers later (file, HTTP): the requests written pending, the sources asked through the
 * gathering batch in this unit (the simulated ones answer at once), the reports of those complete issued.
 */
async function gatheredBatch(
  tx: WorkTx,
  input: RecheckInput,
  common: RecheckBatchCommon,
  requests: readonly NewRecheckRequest[],
  first: boolean,
  env: RecheckEnvironment,
): Promise<BatchWork> {
  const { districtCode } = input;
  const digest = new RowDigest();
  const created = await insertRecheckRequests(tx, common, requests, LOCAL_SOURCE_CODES);
  created.forEach((r) => digest.add({ table: 'verification_requests', ...r }));
  if (first && created.length > 0) await analyzeRequestTables(tx);
  await env.afterRequests?.(input.batch);
  let counts = { reported: 0, changes: 0, affecting: 0 };
  if (created.length > 0) {
    const issued: string[] = [];
    await gatherBatch(
      { jobId: input.jobId, batch: input.batch, limit: Math.max(input.limit, created.length), districtCode },
      {
        adapters: env.inUnitAdapters(tx.db),
        retry: env.retry,
        issueReports: async (unitTx, district, ids) => {
          const n = await issueReports(unitTx, district, ids);
          if (district === districtCode) issued.push(...ids);
          return n;
        },
        // Every step of the gathering batch runs in this batch's transaction.
        unit: (work) => work(tx),
        say: env.say,
        maxWaitMs: 0,
      },
    );
    const mine = new Set(created.map((r) => r.id));
    counts = await recordChanges(
      tx,
      input,
      issued.filter((id) => mine.has(id)),
      digest,
      env.engine,
    );
    if (env.othersWait) await enqueueGathering(tx, districtCode);
  }
  return { digest, created: created.length, counts };
}

/** One batch of the job (see the file's comment), in the caller's unit. */
export async function recheckBatch(
  tx: WorkTx,
  input: RecheckInput,
  env: RecheckEnvironment,
): Promise<BatchOutcome> {
  // The day asked about, and the day every adult's authorisation must hold on (Shanghai).
  const cursor: RecheckCursor = input.cursor ?? {
    phase: 'recipients',
    asOf: shanghaiToday(tx.now),
    after: null,
    totals: EMPTY_TOTALS,
  };
  if (cursor.phase === 'collect') return collectBatch(tx, input, cursor, env);
  const { districtCode, program } = input;
  const asOf = cursor.asOf;
  const total = cursor.after === null ? await recipientCount(tx.db, districtCode, program, asOf) : undefined;
  const page = await recipientPage(tx.db, districtCode, program, asOf, cursor.after, input.limit);
  const classified = await classify(tx, input, asOf, page);
  const due = env.calendar.deadline(asOf, verificationParameter(VP.deadline_working_days, asOf));
  const common = { districtCode, purpose: program, jobId: input.jobId, asOf, due };
  const done = env.inMemory
    ? await inMemoryBatch(tx, input, common, classified.requests, env.inMemory, env)
    : await gatheredBatch(tx, input, common, classified.requests, cursor.after === null, env);
  const { digest, created, counts } = done;
  const totals = added(
    cursor.totals,
    { households: page.length, requests: created, ...counts },
    classified.unsigned,
  );
  if (digest.count > 0 || classified.unsigned.length > 0 || page.length > 0) {
    tx.recordBatch({
      action: 'verification.rechecked',
      entityType: 'job',
      entityId: `${input.jobId}#${input.batch}`,
      district: districtCode,
      digest,
      summary: {
        program,
        asOf,
        households: page.length,
        requests: created,
        ...counts,
        unsigned: classified.unsigned.length,
        ...done.summary,
      },
    });
  }
  const last = page.at(-1)?.householdId ?? cursor.after;
  const next: RecheckCursor =
    page.length < input.limit
      ? { phase: 'collect', asOf, after: null, totals }
      : { phase: 'recipients', asOf, after: last, totals };
  env.say(
    `${BATCH_REASON_SAY}：第 ${input.batch} 批 ${page.length} 户，新建核对委托 ${created} 件，出具报告 ${counts.reported} 份，变更 ${counts.changes} 项`,
  );
  return {
    cursor: next as unknown as BatchOutcome['cursor'],
    progress: page.length,
    total,
    finished: false,
    result: recheckResult(totals),
  };
}

/** After the last page: the changes of the job's requests reported later by the gathering job. */
async function collectBatch(
  tx: WorkTx,
  input: RecheckInput,
  cursor: Extract<RecheckCursor, { phase: 'collect' }>,
  env: RecheckEnvironment,
): Promise<BatchOutcome> {
  const ids = await laterReportedOfJob(tx.db, input.districtCode, input.jobId, cursor.after, input.limit);
  const digest = new RowDigest();
  const counts = await recordChanges(tx, input, ids, digest, env.engine);
  if (digest.count > 0) {
    tx.recordBatch({
      action: 'verification.rechecked',
      entityType: 'job',
      entityId: `${input.jobId}#${input.batch}`,
      district: input.districtCode,
      digest,
      summary: { program: input.program, collected: ids.length, ...counts },
    });
  }
  const totals = added(cursor.totals, counts);
  const finished = ids.length < input.limit;
  const waiting = finished ? await openRequestsOfJob(tx.db, input.districtCode, input.jobId) : undefined;
  return {
    cursor: { ...cursor, after: ids.at(-1) ?? cursor.after, totals } as unknown as BatchOutcome['cursor'],
    progress: 0,
    finished,
    result: recheckResult(totals, waiting),
  };
}
