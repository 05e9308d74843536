import type { z } from 'zod';
import type { Permission } from '../auth/roles.ts';
import type { Config } from '../config.ts';
import type { Store, StoreKind } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { Job } from './jobs.repository.ts';

/** Where the next batch starts: any JSON value the handler chooses (a last id, a page, a phase). */
export type JobCursor = string | number | boolean | null | JobCursor[] | { [key: string]: JobCursor };

/** What one batch did; committed with the batch's writes (the cursor, the progress, the end). */
export interface BatchOutcome {
  cursor: JobCursor;
  /** Items this batch finished (adds to the job's `done`). */
  progress: number;
  /** The job's total, when a batch learns it (usually the first). */
  total?: number | undefined;
  /** True when this was the last batch: the job has succeeded. */
  finished: boolean;
  /** What the job achieved, shown with it (counts, not personal data). */
  result?: Record<string, unknown> | undefined;
}

/** What a batch starts from. */
export interface BatchInput<P> {
  job: Job;
  payload: P;
  /** The committed cursor; null before the first batch. */
  cursor: JobCursor | null;
  /** How many items this batch should take: sized by the runner to the target batch time. */
  limit: number;
  /** This batch's number (1 for the first): with the job id, the key of its audit record. */
  batch: number;
}

/** What the runner gives a handler besides its input. */
export interface JobContext {
  store: Store;
  config: Config;
  /** A line for the operator's log (the worker's or the server's standard output). */
  say: (line: string) => void;
  /**
   * Opens this batch's unit of work: the work's writes, the audit records it makes (tx.recordBatch) and
   * the job's new cursor commit together, or nothing does. The `run` form of a handler calls it when it
   * is ready to write, after slow work outside any transaction (reading a file).
   */
  unit(work: (tx: WorkTx) => Promise<BatchOutcome>): Promise<BatchOutcome>;
}

/**
 * 任务种类: what a kind of job is and how one batch of it is done. Batches are set-based (one statement
 * over `limit` items, not a statement per item), short, and idempotent from their cursor: a batch that
 * was cut off (a crash, a lost lease) is rolled back whole and done again from the same cursor.
 *
 * A batch that writes business data records it (`tx.recordBatch`: one audit record per batch with a digest
 * of what it wrote); the unit refuses writes that recorded nothing. A batch with effects outside the
 * database only (a file signed, a message sent) writes nothing there: its cursor is then committed right
 * after it, so it may run again after a crash, and those effects must carry idempotency keys (docs/architecture.md).
 */
export interface JobKind<P = unknown> {
  kind: string;
  /** Chinese name, shown in the console, the CLI and errors. */
  label: string;
  payload: z.ZodType<P>;
  /** Who may see jobs of this kind (within their data scope). */
  viewPermission: Permission;
  /** Who may start (and cancel) one through /api/jobs; absent: only its own route, a schedule or the system. */
  startPermission?: Permission | undefined;
  /** Who may cancel one (default: the start permission, else the view permission). */
  cancelPermission?: Permission | undefined;
  /** The business work's key: the same key is not queued twice while a job with it is queued, running or succeeded. */
  idempotencyKey?: ((payload: P) => string | undefined) | undefined;
  /**
   * Why jobs of this kind cannot run on this store (in Chinese), if they cannot: its schedule cannot be
   * switched on there (a backup on a PostgreSQL server).
   */
  unavailable?: ((store: StoreKind) => string | undefined) | undefined;
  /**
   * One at a time: asked for while a job of this kind is queued or running, that job is given back instead
   * of a second (decided in the unit that would insert it). A backup.
   */
  oneAtATime?: boolean | undefined;
  /** Claims (first run and resumptions after a crash) before the job is failed. Default 20. */
  maxAttempts?: number | undefined;
  /** The first batch's size; later ones are sized by measured time. Default 100. */
  initialLimit?: number | undefined;
  /**
   * This kind's target time of one batch by store, instead of the setting's (MINZHENG_JOBS_BATCH_MS) or the
   * store's default: a kind whose batch has a large fixed part (many set-based statements whatever its size)
   * runs long batches where the server allows it. A runner given its own target (tests) keeps that. Leave the
   * embedded store out (or short): its one backend must not be held long.
   */
  batchMs?: Partial<Record<StoreKind, number>> | undefined;
  /** The largest batch the runner asks for (default: the runner's bound). */
  maxLimit?: number | undefined;
  /** The standard form: one batch in the unit of work the runner opened. */
  step?: ((tx: WorkTx, input: BatchInput<P>, ctx: JobContext) => Promise<BatchOutcome>) | undefined;
  /** The general form: opens its batch's unit itself with `ctx.unit` (after work outside a transaction). */
  run?: ((input: BatchInput<P>, ctx: JobContext) => Promise<BatchOutcome>) | undefined;
  /** After the job ended (succeeded, failed or cancelled): clean-up outside the database (files). */
  ended?: ((job: Job, payload: P, ctx: Pick<JobContext, 'config' | 'say'>) => Promise<void>) | undefined;
}

/** The kinds this process knows: a runner claims only jobs of these. */
export class JobKinds {
  private readonly kinds = new Map<string, JobKind<unknown>>();

  register<P>(kind: JobKind<P>): this {
    if (!kind.step === !kind.run) throw new Error(`job kind ${kind.kind}: give exactly one of step and run`);
    if (this.kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} is registered twice`);
    this.kinds.set(kind.kind, kind as unknown as JobKind<unknown>);
    return this;
  }

  get(kind: string): JobKind<unknown> | undefined {
    return this.kinds.get(kind);
  }

  names(): string[] {
    return [...this.kinds.keys()];
  }

  list(): JobKind<unknown>[] {
    return [...this.kinds.values()];
  }
}

/** Types a kind's definition (its payload type flows into its handler). */
export function defineJobKind<P>(kind: JobKind<P>): JobKind<P> {
  return kind;
}
