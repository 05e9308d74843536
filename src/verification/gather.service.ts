import { personIdentities } from '../registry/person.repository.ts';
import { randomUUID } from 'node:crypto';
import { CITY_DISTRICT } from '../audit/audit.service.ts';
import type { BatchOutcome, JobContext } from '../jobs/job-kind.ts';
import { insertJob, openJobPayloads } from '../jobs/jobs.repository.ts';
import { jobQueued } from '../jobs/notify.ts';
import { RowDigest, type WorkTx } from '../workflow/unit-of-work.ts';
import {
  claimPending,
  completedRequests,
  insertAnswers,
  markAnswered,
  markFailed,
  openWork,
  queriesOfRequests,
  startGathering,
  timeOutExpired,
  type ClaimedQuery,
  type QueryChange,
  type StoredAnswer,
} from './gather.repository.ts';
import { SOURCES, sourceAnswers, type SourceCode } from './sources/catalogue.ts';
import type {
  AnswerRow,
  CollectedAnswers,
  SendOutcome,
  SourceAdapter,
  SourceBatch,
} from './sources/source.ts';

const REMOTE_GAP = '异地核对机构在协查包有效期内未答复';

/**
 * 信息获取: the gathering job's batch, set-based. One batch
 *   1. (a unit) moves received requests to gathering and takes, per source, up to `limit` pending queries,
 *      marked sent in this batch (`${jobId}#${batch}:${source}`, the idempotency key an agency may refuse
 *      twice);
 *   2. (no transaction) sends each source its one batch, all sources at once, and picks up answer files;
 *   3. (a unit) records the answers in one statement per step, the queries' new states, the sent queries
 *      whose time passed, and issues the reports of requests whose every query has ended;
 *   4. (after that commit) moves the answer files consumed to done/ (refused ones to rejected/).
 * A crash between 1 and 3 leaves queries sent: their time passes, they are sent again (answers are keyed by
 * request, source, person and kind, so nothing counts twice). A crash between 3 and 4 leaves files in the
 * inbox: picked up again, their rows are duplicates, ignored and counted as such.
 */

export const GATHER_KIND = 'verification.gather';
export const GATHER_LABEL = '核对信息获取';
/** Claims of one gathering job before it is failed (each batch is safe to redo). */
export const GATHER_JOB_MAX_ATTEMPTS = 10;

export type IssueReports = (
  tx: WorkTx,
  districtCode: string,
  requestIds: readonly string[],
) => Promise<number>;

export interface GatherEnvironment {
  adapters: ReadonlyMap<SourceCode, SourceAdapter>;
  /** A failed send is retried after retryMs × 2^(attempts − 1), at most maxRetryMs. */
  retry: { retryMs: number; maxRetryMs: number };
  issueReports: IssueReports;
  unit: JobContext['unit'];
  say: (line: string) => void;
  /** How long a batch waits for a retry that is due soon (else it ends, and the schedule comes back). */
  maxWaitMs?: number | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface GatherInput {
  jobId: string;
  batch: number;
  limit: number;
  /** A district, or 310000: every district (the schedule's sweep). */
  districtCode: string;
}

export interface GatherTotals {
  moved: number;
  sent: number;
  answered: number;
  failed: number;
  timedOut: number;
  retried: number;
  rows: number;
  duplicates: number;
  late: number;
  reported: number;
  problems: string[];
}

const MAX_PROBLEMS_KEPT = 50;

/** How long, in words: 2 天, 30 秒. */
function duration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} 天`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} 小时`;
  if (ms % 60_000 === 0) return `${ms / 60_000} 分钟`;
  return `${Math.round(ms / 100) / 10} 秒`;
}

/** The batch each source is sent: the claimed queries with the members as agencies know them. */
async function batchesOf(
  tx: WorkTx,
  claimed: ReadonlyMap<SourceCode, ClaimedQuery[]>,
  ref: (source: SourceCode) => string,
): Promise<Map<SourceCode, SourceBatch>> {
  const people = new Map<string, Awaited<ReturnType<typeof personIdentities>>>();
  const all = [...claimed.values()].flat();
  for (const district of new Set(all.map((q) => q.districtCode))) {
    const ids = all.filter((q) => q.districtCode === district).flatMap((q) => q.personIds);
    people.set(district, await personIdentities(tx.db, district, ids));
  }
  const out = new Map<SourceCode, SourceBatch>();
  for (const [source, queries] of claimed) {
    out.set(source, {
      source,
      batchRef: ref(source),
      queries: queries.map((q) => ({
        districtCode: q.districtCode,
        requestId: q.requestId,
        requestNo: q.requestNo,
        purpose: q.purpose,
        authorisationRefs: q.authorisationIds,
        asOf: q.asOf,
        persons: q.personIds.flatMap((personId) => {
          const p = people.get(q.districtCode)?.get(personId);
          return p ? [{ personId, idNumber: p.idNumber, name: p.name }] : [];
        }),
      })),
    });
  }
  return out;
}

async function safeSend(adapter: SourceAdapter, batch: SourceBatch): Promise<SendOutcome> {
  try {
    return await adapter.send(batch);
  } catch (error) {
    const reason = `${SOURCES[adapter.source].name}查询出错：${error instanceof Error ? error.message : String(error)}`;
    return {
      answered: new Map(),
      failed: new Map(batch.queries.map((q) => [q.requestId, reason])),
      waiting: [],
    };
  }
}

async function safeCollect(adapter: SourceAdapter): Promise<CollectedAnswers | string> {
  try {
    return await adapter.collect!();
  } catch (error) {
    return `${SOURCES[adapter.source].name}答复文件读取出错：${error instanceof Error ? error.message : String(error)}`;
  }
}

/** One batch of the gathering job (see the file's comment). */
export async function gatherBatch(input: GatherInput, env: GatherEnvironment): Promise<BatchOutcome> {
  const district = input.districtCode === CITY_DISTRICT ? null : input.districtCode;
  const auditDistrict = district ?? CITY_DISTRICT;
  const totals: GatherTotals = {
    moved: 0,
    sent: 0,
    answered: 0,
    failed: 0,
    timedOut: 0,
    retried: 0,
    rows: 0,
    duplicates: 0,
    late: 0,
    reported: 0,
    problems: [],
  };
  const problem = (line: string) => {
    env.say(`核对信息获取：${line}`);
    if (totals.problems.length < MAX_PROBLEMS_KEPT) totals.problems.push(line);
  };

  // 1. Move received requests on and claim pending queries, per source.
  const claimed = new Map<SourceCode, ClaimedQuery[]>();
  let batches = new Map<SourceCode, SourceBatch>();
  await env.unit(async (tx) => {
    const moved = await startGathering(tx, district, input.limit);
    const digest = new RowDigest();
    moved.forEach((m) => digest.add({ moved: m }));
    // While requests are moved on, the batch asks about those (key lookups); retries and leftovers are taken
    // by the batches after the backlog of received requests is gone.
    const of =
      moved.length > 0 ? moved.map((m) => ({ districtCode: m.districtCode, requestId: m.id })) : undefined;
    const claims = [...env.adapters].map(([source, adapter]) => ({
      source,
      batchRef: `${input.jobId}#${input.batch}:${source}`,
      timeoutMs: adapter.timeoutMs,
    }));
    for (const [source, rows] of await claimPending(tx, district, claims, input.limit, of)) {
      if (rows.length === 0) continue;
      claimed.set(source as SourceCode, rows);
      rows.forEach((r) =>
        digest.add({
          sent: source,
          districtCode: r.districtCode,
          requestId: r.requestId,
          attempts: r.attempts,
        }),
      );
    }
    totals.moved = moved.length;
    totals.sent = [...claimed.values()].reduce((n, rows) => n + rows.length, 0);
    batches = await batchesOf(tx, claimed, (source) => `${input.jobId}#${input.batch}:${source}`);
    if (digest.count > 0) {
      tx.recordBatch({
        action: 'verification.queried',
        entityType: 'job',
        entityId: `${input.jobId}#${input.batch}:queried`,
        district: auditDistrict,
        digest,
        summary: {
          moved: totals.moved,
          sent: Object.fromEntries([...claimed].map(([s, r]) => [s, r.length])),
        },
      });
    }
    return { cursor: input.batch, progress: 0, finished: false };
  });

  // 2. Ask every source at once, outside any transaction; pick up the answer files.
  const sent = await Promise.all(
    [...batches].map(
      async ([source, batch]) => [source, await safeSend(env.adapters.get(source)!, batch)] as const,
    ),
  );
  const collected: [SourceCode, CollectedAnswers][] = [];
  for (const [source, adapter] of env.adapters) {
    if (!adapter.collect) continue;
    const result = await safeCollect(adapter);
    if (typeof result === 'string') problem(result);
    else if (result.files.length > 0) collected.push([source, result]);
  }

  // 3. Record what came back, time out what did not, issue the reports of requests that are complete.
  let finished = false;
  let waitMs = 0;
  const outcome = await env.unit(async (tx) => {
    const digest = new RowDigest();
    const changes: QueryChange[] = [];
    const answers: StoredAnswer[] = [];
    const answeredKeys = new Map<SourceCode, { districtCode: string; requestId: string }[]>();
    const keep = (
      source: SourceCode,
      districtCode: string,
      requestId: string,
      persons: readonly string[],
      rows: readonly AnswerRow[],
      late: boolean,
    ) => {
      const members = new Set(persons);
      for (const row of rows) {
        const kind: string = row.kind;
        if (!sourceAnswers(source, kind)) {
          problem(`${SOURCES[source].name}答复了其不提供的类别「${kind}」（委托 ${requestId}），该行未登记`);
          continue;
        }
        if (!members.has(row.personId)) {
          problem(`${SOURCES[source].name}的答复中人员 ${row.personId} 不属于委托 ${requestId}，该行未登记`);
          continue;
        }
        answers.push({ ...row, districtCode, source, late });
      }
    };
    for (const [source, result] of sent) {
      const queries = new Map(claimed.get(source)!.map((q) => [q.requestId, q]));
      const keys: { districtCode: string; requestId: string }[] = [];
      for (const [requestId, rows] of result.answered) {
        const q = queries.get(requestId);
        if (!q) continue;
        keep(source, q.districtCode, requestId, q.personIds, rows, false);
        keys.push({ districtCode: q.districtCode, requestId });
      }
      answeredKeys.set(source, keys);
      const failures = [...result.failed].flatMap(([requestId, error]) => {
        const q = queries.get(requestId);
        return q ? [{ districtCode: q.districtCode, requestId, error }] : [];
      });
      const failed = await markFailed(tx, source, failures, {
        maxAttempts: env.adapters.get(source)!.maxAttempts,
        ...env.retry,
      });
      changes.push(...failed);
    }
    for (const [source, result] of collected) {
      result.problems.forEach(problem);
      const known = await queriesOfRequests(tx.db, source, [...result.answered.keys()]);
      const keys = answeredKeys.get(source) ?? [];
      for (const [requestId, rows] of result.answered) {
        const q = known.get(requestId);
        if (!q) {
          problem(
            `${SOURCES[source].name}答复了不存在或未向其查询的核对委托 ${requestId}（${rows.length} 行），未登记`,
          );
          continue;
        }
        const open = (q.state === 'pending' || q.state === 'sent') && q.requestState === 'gathering';
        keep(source, q.districtCode, requestId, q.personIds, rows, !open);
        if (open) keys.push({ districtCode: q.districtCode, requestId });
      }
      answeredKeys.set(source, keys);
    }
    const inserted = await insertAnswers(tx, answers);
    totals.rows = inserted.filter((a) => !a.late).length;
    totals.late = inserted.filter((a) => a.late).length;
    totals.duplicates = answers.length - inserted.length;
    inserted.forEach((a) => digest.add(a));
    changes.push(
      ...(await markAnswered(
        tx,
        [...answeredKeys].flatMap(([source, keys]) => keys.map((k) => ({ ...k, source }))),
      )),
    );
    const expiring = [...env.adapters].map(([source, adapter]) => ({
      source,
      maxAttempts: adapter.maxAttempts,
      error: `${SOURCES[source].name}在 ${duration(adapter.timeoutMs)}内未答复（已查询 ${adapter.maxAttempts} 次）`,
    }));
    // 异地协查 has no adapter: its query is sent by a package export and expires with the package.
    expiring.push({ source: 'remote', maxAttempts: 1, error: REMOTE_GAP });
    changes.push(...(await timeOutExpired(tx, district, expiring)));
    changes.forEach((c) => digest.add(c));
    totals.answered = changes.filter((c) => c.state === 'answered').length;
    totals.failed = changes.filter((c) => c.state === 'failed').length;
    totals.timedOut = changes.filter((c) => c.state === 'timed_out').length;
    totals.retried = changes.filter((c) => c.state === 'pending').length;
    if (digest.count > 0) {
      tx.recordBatch({
        action: 'verification.answered',
        entityType: 'job',
        entityId: `${input.jobId}#${input.batch}:answered`,
        district: auditDistrict,
        digest,
        summary: {
          rows: totals.rows,
          late: totals.late,
          duplicates: totals.duplicates,
          answered: totals.answered,
          failed: totals.failed,
          timedOut: totals.timedOut,
          retried: totals.retried,
          problems: totals.problems.length,
        },
      });
    }
    // The requests this batch may have completed are those whose queries it changed; once the backlog is
    // gone, a scan also takes what an earlier batch left (a report that failed, another job's answers).
    // One key per request (a request's queries change together: sent to every source at once).
    const touched = [
      ...new Map(
        changes.map((c) => [
          `${c.districtCode}|${c.requestId}`,
          { districtCode: c.districtCode, requestId: c.requestId },
        ]),
      ).values(),
    ];
    const complete = await completedRequests(
      tx.db,
      district,
      input.limit,
      totals.moved > 0 ? touched : undefined,
    );
    for (const d of new Set(complete.map((c) => c.districtCode))) {
      const ids = complete.filter((c) => c.districtCode === d).map((c) => c.requestId);
      totals.reported += await env.issueReports(tx, d, ids);
    }
    const progress = totals.answered + totals.failed + totals.timedOut;
    // A full batch: more is waiting, and counting it would cost a scan of the backlog.
    const full =
      totals.moved >= input.limit || [...claimed.values()].some((rows) => rows.length >= input.limit);
    if (full) return { cursor: input.batch, progress, finished: false, result: { ...totals } };
    const left = await openWork(tx, district, [...env.adapters.keys()]);
    // A batch that did nothing (another job holds the queries) ends rather than spin; the other job goes on.
    const idle = totals.moved + totals.sent + progress + totals.retried + totals.rows + totals.reported === 0;
    const busy = !idle && (left.received > 0 || left.due > 0 || (left.complete > 0 && totals.reported > 0));
    if (!busy && left.nextRetryAt) {
      const until = new Date(left.nextRetryAt).getTime() - tx.now.getTime();
      if (until <= (env.maxWaitMs ?? 30_000)) waitMs = Math.max(0, until);
      else finished = true;
    } else finished = !busy;
    return { cursor: input.batch, progress, finished, result: { ...totals } };
  });

  // 4. The answers are committed: consume the files.
  for (const [source, result] of collected) {
    try {
      await env.adapters.get(source)!.acknowledge?.(result.files);
    } catch (error) {
      problem(
        `答复文件归档出错（下次将重新读取，重复行不会重复登记）：${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (!finished && waitMs > 0) await (env.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(waitMs);
  return outcome;
}

/**
 * Queues the gathering of a district in the caller's unit (the request service calls it after accepting a
 * request), as the system actor. Nothing is queued when a gathering job of the district (or the city-wide
 * sweep) is still queued: it will read the request when it runs. A running one does not count — it may have
 * read its last to-do list already and end without the request, which then waited for the next sweep
 * (minutes; seen under load in bench/applications.bench.ts) — so at most one runs and one waits. The
 * schedule's sweep remains for a job claimed in the moment before this unit commits. Returns whether a job
 * was queued.
 */
export async function enqueueGathering(tx: WorkTx, districtCode: string): Promise<boolean> {
  const open = await openJobPayloads(tx.db, GATHER_KIND, ['queued']);
  const covered = open.some((p) => {
    const d = (p as { districtCode?: unknown } | null)?.districtCode;
    return d === districtCode || d === CITY_DISTRICT;
  });
  if (covered) return false;
  const reason = '受理核对委托后自动发起信息获取';
  const job = await insertJob(tx.db, {
    id: randomUUID(),
    districtCode,
    divisionCode: districtCode,
    kind: GATHER_KIND,
    payload: { districtCode },
    idempotencyKey: null,
    maxAttempts: GATHER_JOB_MAX_ATTEMPTS,
    total: null,
    createdBy: null,
    actorDivision: districtCode,
    reason,
    requestId: tx.actor.requestId ?? null,
    scheduleName: null,
  });
  tx.record({
    action: 'job.enqueued',
    entityType: 'job',
    entityId: job.id,
    district: districtCode,
    after: { kind: GATHER_KIND, payload: job.payload, idempotencyKey: null },
  });
  jobQueued();
  return true;
}
