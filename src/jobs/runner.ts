import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { JOB_RUNNER } from '../auth/roles.ts';
import { requestedWithin } from '../core/activity.ts';
import type { Config } from '../config.ts';
import type { Store } from '../db/store.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../workflow/unit-of-work.ts';
import { WorkflowError } from '../workflow/workflow.errors.ts';
import type { BatchInput, BatchOutcome, JobContext, JobKind, JobKinds } from './job-kind.ts';
import { JobFailure, JobInterrupted } from './jobs.errors.ts';
import {
  advanceJob,
  claimJob,
  endJob,
  expireLease,
  findJobByKey,
  getJob,
  heldLeases,
  insertJob,
  lockDueSchedules,
  releaseJob,
  renewLease,
  retryJobLater,
  scheduleRan,
  setJobResult,
  type Job,
} from './jobs.repository.ts';
import { onJobQueued } from './notify.ts';
import { nextRunAfter } from './schedule.ts';

/** Target time of one batch when the setting leaves it open: short on the embedded store (one backend). */
export const DEFAULT_BATCH_MS = { pglite: 20, postgres: 200 } as const;
const DEFAULT_MAX_ATTEMPTS = 20;
const DEFAULT_INITIAL_LIMIT = 100;
const MAX_LIMIT = 1_000_000;
const MIN_LIMIT = 10;
/** Requests this recent (plus the batch's own time) make the embedded store's runner pause between batches. */
const REQUESTS_RECENT_MS = 2000;

export interface RunnerOptions {
  store: Store;
  config: Config;
  kinds: JobKinds;
  /** Target milliseconds of one batch (default: the setting, else by store). */
  batchMs?: number;
  leaseSeconds?: number;
  /** How long an idle runner waits before looking for work again (an enqueue in this process wakes it). */
  pollMs?: number;
  /** Delay before retrying a job whose batch failed with an error that may pass. */
  retryDelayMs?: (attempt: number) => number;
  /** Enqueue the jobs of due schedules (default true). */
  schedules?: boolean;
  /**
   * Pause after each batch as long as it held the database while requests are coming in (default: on the
   * embedded store only; an idle server runs its batches back to back).
   */
  pauseBetweenBatches?: boolean;
  say?: (line: string) => void;
  /** Names this runner in leases (default: host/pid/random). */
  owner?: string;
}

export interface RunSummary {
  /** Jobs this runner brought to an end (succeeded, failed or cancelled), by state. */
  succeeded: number;
  failed: number;
  cancelled: number;
  batches: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether the process named in a lease is alive on this host (EPERM: alive, someone else's). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The next batch's size: scaled to the target time by the last batch's, at most doubling or quartering,
 * and never under MIN_LIMIT (a batch also costs a fixed part, its transaction and audit record, that
 * fewer items would not make shorter).
 */
export function nextLimit(limit: number, elapsedMs: number, targetMs: number): number {
  if (elapsedMs <= 0.5) return Math.min(MAX_LIMIT, limit * 2);
  const ideal = (limit * targetMs * 0.8) / elapsedMs;
  const next = Math.round(Math.min(limit * 2, Math.max(limit / 4, ideal)));
  return Math.max(Math.min(MIN_LIMIT, limit), Math.min(MAX_LIMIT, next));
}

/**
 * The acting context a job's batches write under: the person who started it, or — for a job nobody
 * started (a schedule's) — the named system actor of automatic steps (`system:job-runner`).
 */
export function jobActor(job: Job): ActingContext {
  return {
    userId: job.createdBy ?? JOB_RUNNER.userId,
    divisionCode: job.actorDivision,
    reason: job.reason,
    requestId: job.requestId ?? undefined,
  };
}

/** A Chinese line for an error that is not a JobFailure (the technical text goes to the log only). */
function errorLine(error: unknown): string {
  if (error instanceof WorkflowError) return error.message;
  const name = error instanceof Error ? error.name : typeof error;
  return `执行出错（${name}），详见服务日志`;
}

interface BatchState {
  version: number;
  /** The outcome this batch committed last (a run-form handler may commit more than one unit). */
  last?: BatchOutcome | undefined;
  /** Milliseconds spent inside the batch's transactions (from the first statement to the commit). */
  busyMs: number;
}

/**
 * 任务执行器: claims due jobs, works each in batches until it ends, and enqueues the jobs of due
 * schedules. The server runs one in its process (always on the embedded store); `minzheng worker` runs
 * one per process beside the server on PostgreSQL; `minzheng jobs run` runs one until nothing is due.
 *
 * Exactly once: each batch is one transaction that holds the batch's writes, its audit record and the
 * job's new cursor, and commits only if the job is still this runner's at the version the batch started
 * from. A batch cut off by a crash is rolled back whole; the next claim (after the lease expires, or at
 * once when the owner is known dead) resumes from the committed cursor.
 */
export class JobRunner {
  readonly owner: string;
  private readonly store: Store;
  private readonly kinds: JobKinds;
  private readonly config: Config;
  /** The target given to this runner (tests, benchmarks): it wins over a kind's. */
  private readonly explicitBatchMs: number | undefined;
  /** The setting's target, else the store's default. */
  private readonly batchMs: number;
  private readonly leaseSeconds: number;
  private readonly pollMs: number;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly schedules: boolean;
  private readonly pause: boolean;
  private readonly say: (line: string) => void;
  private readonly host = hostname();
  private readonly instance: string;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private woken = false;
  readonly summary: RunSummary = { succeeded: 0, failed: 0, cancelled: 0, batches: 0 };

  constructor(options: RunnerOptions) {
    this.store = options.store;
    this.kinds = options.kinds;
    this.config = options.config;
    this.explicitBatchMs = options.batchMs;
    this.batchMs = options.config.MINZHENG_JOBS_BATCH_MS ?? DEFAULT_BATCH_MS[options.store.kind];
    this.leaseSeconds = options.leaseSeconds ?? options.config.MINZHENG_JOBS_LEASE_SECONDS;
    this.pollMs = options.pollMs ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => Math.min(300_000, 1000 * 2 ** attempt));
    this.schedules = options.schedules ?? true;
    this.pause = options.pauseBetweenBatches ?? options.store.kind === 'pglite';
    this.say = options.say ?? (() => {});
    this.instance = randomBytes(4).toString('hex');
    this.owner = options.owner ?? `${this.host}/${process.pid}/${this.instance}`;
  }

  /** Runs in the background until stop(). */
  start(): void {
    this.unsubscribe ??= onJobQueued(() => this.wake());
    this.loop ??= this.background();
  }

  /** Looks for work now (called after an enqueue in this process). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Finishes the batch in progress, hands its job back (another runner resumes it at once) and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
  }

  /** Runs every job that is due now, and those that become due meanwhile, until none is left. */
  async runUntilIdle(): Promise<RunSummary> {
    await this.reclaimDeadOwners();
    for (;;) {
      if (this.schedules) await this.enqueueDueSchedules();
      const job = await claimJob(this.store.db, this.owner, this.leaseSeconds, this.kinds.names());
      if (!job) return this.summary;
      await this.work(job);
      if (this.stopping) return this.summary;
    }
  }

  private async background(): Promise<void> {
    let idleRounds = 0;
    while (!this.stopping) {
      try {
        if (idleRounds % 30 === 0) await this.reclaimDeadOwners();
        if (this.schedules) await this.enqueueDueSchedules();
        const job = await claimJob(this.store.db, this.owner, this.leaseSeconds, this.kinds.names());
        if (job) {
          idleRounds = 0;
          await this.work(job);
          continue;
        }
      } catch (error) {
        this.say(`警告：任务执行器出错：${error instanceof Error ? error.message : String(error)}`);
      }
      idleRounds += 1;
      if (this.woken) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
      this.woken = false;
    }
  }

  /**
   * Leases of processes known to be gone need not run out: on the embedded store every other lease is
   * (this process holds the data directory alone); on a server, those of this host whose process has
   * exited, or of an earlier run with this very pid (a restarted container).
   */
  private async reclaimDeadOwners(): Promise<void> {
    for (const lease of await heldLeases(this.store.db)) {
      if (lease.owner === this.owner) continue;
      const [host, pid, instance] = lease.owner.split('/');
      const dead =
        this.store.kind === 'pglite' ||
        (host === this.host &&
          (Number(pid) === process.pid ? instance !== this.instance : !processAlive(Number(pid))));
      if (dead) await expireLease(this.store.db, lease.id, lease.owner);
    }
  }

  /** One transaction per run: every due schedule (locked, so no other runner takes it) gets its job. */
  private async enqueueDueSchedules(): Promise<void> {
    const created = await this.store.transaction(async (session) => {
      const made: string[] = [];
      for (const schedule of await lockDueSchedules(session.db)) {
        const kind = this.kinds.get(schedule.kind);
        if (!kind) continue;
        const now = new Date(schedule.now);
        const next = nextRunAfter(schedule.cron, now);
        const previous = schedule.lastJobId ? await getJob(session.db, schedule.lastJobId) : undefined;
        // One at a time: a due time that comes while the last run is still going is skipped.
        if (previous && !['succeeded', 'failed', 'cancelled'].includes(previous.state)) {
          await scheduleRan(session.db, schedule.name, schedule.now, null, next);
          continue;
        }
        const parsed = kind.payload.safeParse(schedule.payload);
        if (!parsed.success) {
          this.say(`警告：定时任务 ${schedule.name} 的参数不合法，本次跳过`);
          await scheduleRan(session.db, schedule.name, schedule.now, null, next);
          continue;
        }
        const key = `schedule:${schedule.name}:${schedule.nextRunAt ?? schedule.now}`;
        const job =
          (await findJobByKey(session.db, kind.kind, key)) ??
          (await insertJob(session.db, {
            id: randomUUID(),
            districtCode: schedule.districtCode,
            divisionCode: schedule.districtCode,
            kind: kind.kind,
            payload: parsed.data,
            idempotencyKey: key,
            maxAttempts: kind.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
            total: null,
            createdBy: null,
            actorDivision: null,
            reason: `定时任务：${kind.label}（${schedule.name}）`,
            requestId: null,
            scheduleName: schedule.name,
          }));
        await scheduleRan(session.db, schedule.name, schedule.now, job.id, next);
        made.push(job.id);
      }
      return made;
    });
    if (created.length > 0) this.wake();
  }

  /** Works one claimed job until it ends, is handed back, or is no longer ours. */
  private async work(claimed: Job): Promise<void> {
    const kind = this.kinds.get(claimed.kind);
    if (!kind) return;
    if (claimed.state === 'cancelling') {
      await this.end(claimed, kind, { state: 'cancelled' });
      return;
    }
    if (claimed.attempts > claimed.maxAttempts) {
      await this.end(claimed, kind, {
        state: 'failed',
        error: `任务已中断 ${claimed.attempts - 1} 次（进程退出或超时），不再重试：请查明原因后重新提交`,
      });
      return;
    }
    const parsed = kind.payload.safeParse(claimed.payload);
    if (!parsed.success) {
      await this.end(claimed, kind, { state: 'failed', error: `任务参数不合法（${kind.label}），无法执行` });
      return;
    }
    const heartbeat = setInterval(
      () => void renewLease(this.store.db, claimed.id, this.owner, this.leaseSeconds).catch(() => {}),
      Math.max(1000, (this.leaseSeconds * 1000) / 3),
    );
    heartbeat.unref();
    let version = claimed.version;
    let cursor = claimed.cursor;
    let limit = kind.initialLimit ?? DEFAULT_INITIAL_LIMIT;
    const targetMs = this.explicitBatchMs ?? kind.batchMs?.[this.store.kind] ?? this.batchMs;
    try {
      for (;;) {
        if (this.stopping) {
          await releaseJob(this.store.db, claimed.id, this.owner);
          return;
        }
        const state: BatchState = { version, busyMs: 0 };
        const started = performance.now();
        let outcome: BatchOutcome;
        try {
          outcome = await this.batch(
            kind,
            { job: claimed, payload: parsed.data, cursor, limit, batch: version + 1 },
            state,
          );
        } catch (error) {
          await this.batchFailed(claimed, kind, error);
          return;
        }
        this.summary.batches += 1;
        version = state.version;
        cursor = outcome.cursor;
        // Sized by the time the batch held its transaction, not the time it queued for one (on the
        // embedded store requests go first, and waiting behind them says nothing of the batch's size).
        limit = nextLimit(limit, state.busyMs > 0 ? state.busyMs : performance.now() - started, targetMs);
        if (kind.maxLimit !== undefined) limit = Math.min(limit, kind.maxLimit);
        if (outcome.finished) {
          this.summary.succeeded += 1;
          await this.ended(claimed, kind, 'succeeded');
          return;
        }
        // Requests go between two batches. On the embedded store (one database backend), while requests
        // come in, the job takes at most half of it: a pause as long as the batch held it, so that a
        // request's few queries in a row each find the backend free instead of one batch's wait apiece.
        await yieldToEventLoop();
        if (this.pause && requestedWithin(REQUESTS_RECENT_MS + state.busyMs)) {
          await sleep(Math.min(state.busyMs, 1000));
        }
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async batch(kind: JobKind<unknown>, input: BatchInput<unknown>, state: BatchState) {
    const ctx: JobContext = {
      store: this.store,
      config: this.config,
      say: this.say,
      unit: (work) => this.commitUnit(input.job, state, work),
    };
    if (kind.step) {
      const step = kind.step;
      return ctx.unit((tx) => step(tx, input, ctx));
    }
    const outcome = await kind.run!(input, ctx);
    if (!state.last?.finished) {
      // The run ended without a unit that finished the job (it wrote nothing, or its last unit left the
      // job open): its own outcome is the cursor, as bookkeeping.
      await this.commitBookkeeping(input.job, state, state.last ? { ...outcome, progress: 0 } : outcome);
    } else if (outcome.result) {
      await setJobResult(this.store.db, input.job.id, outcome.result);
    }
    return outcome;
  }

  /**
   * The batch's unit of work. If the work recorded what it wrote, the cursor commits in the same
   * transaction. If it recorded nothing, it must have written nothing (the unit refuses otherwise): its
   * cursor then commits right after, as bookkeeping.
   */
  private async commitUnit(
    job: Job,
    state: BatchState,
    work: (tx: WorkTx) => Promise<BatchOutcome>,
  ): Promise<BatchOutcome> {
    let recorded = 0;
    let began = 0;
    const { outcome, advanced } = await inUnitOfWork(this.store, jobActor(job), async (tx) => {
      began = performance.now();
      const counted: WorkTx = {
        ...tx,
        record: (change) => {
          recorded += 1;
          tx.record(change);
        },
        recordBatch: (batch) => {
          recorded += 1;
          tx.recordBatch(batch);
        },
      };
      const result = await work(counted);
      if (recorded === 0) return { outcome: result, advanced: false };
      if (!(await advanceJob(tx.db, job.id, this.owner, state.version, this.leaseSeconds, result))) {
        throw new JobInterrupted();
      }
      return { outcome: result, advanced: true };
    });
    state.busyMs += performance.now() - began;
    if (advanced) {
      state.version += 1;
      state.last = outcome;
    } else {
      await this.commitBookkeeping(job, state, outcome);
    }
    return outcome;
  }

  private async commitBookkeeping(job: Job, state: BatchState, outcome: BatchOutcome): Promise<void> {
    const ok = await this.store.transaction((session) =>
      advanceJob(session.db, job.id, this.owner, state.version, this.leaseSeconds, outcome),
    );
    if (!ok) throw new JobInterrupted();
    state.version += 1;
    state.last = outcome;
  }

  private async batchFailed(job: Job, kind: JobKind<unknown>, error: unknown): Promise<void> {
    if (error instanceof JobInterrupted) {
      const now = await getJob(this.store.db, job.id);
      if (now?.state === 'cancelling' && now.leaseOwner === this.owner) {
        await this.end(now, kind, { state: 'cancelled' });
      }
      return; // else another runner holds it now: leave it be
    }
    if (error instanceof JobFailure) {
      await this.end(job, kind, { state: 'failed', error: error.message, result: error.result });
      return;
    }
    const line = errorLine(error);
    this.say(
      `警告：任务 ${job.id}（${kind.label}）第 ${job.attempts} 次执行出错：${error instanceof Error ? error.message : String(error)}`,
    );
    const permanent = error instanceof WorkflowError && error.code === 'unaudited_write';
    if (permanent || job.attempts >= job.maxAttempts) {
      await this.end(job, kind, { state: 'failed', error: line });
      return;
    }
    await retryJobLater(this.store.db, job.id, this.owner, line, this.retryDelayMs(job.attempts));
  }

  private async end(
    job: Job,
    kind: JobKind<unknown>,
    end: { state: 'failed' | 'cancelled'; error?: string; result?: Record<string, unknown> | undefined },
  ): Promise<void> {
    const ended = await endJob(this.store.db, job.id, this.owner, end);
    if (!ended) return;
    this.summary[end.state] += 1;
    await this.ended(ended, kind, end.state);
  }

  private async ended(job: Job, kind: JobKind<unknown>, state: 'succeeded' | 'failed' | 'cancelled') {
    if (!kind.ended) return;
    const parsed = kind.payload.safeParse(job.payload);
    if (!parsed.success) return;
    try {
      await kind.ended(job, parsed.data, { config: this.config, say: this.say });
    } catch (error) {
      this.say(
        `警告：任务 ${job.id}（${kind.label}，${state}）的收尾未完成：${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
