import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** A job's life: queued → running → succeeded | failed; cancel: queued → cancelled, running → cancelling → cancelled. */
export const JOB_STATES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The states a job ends in: nothing runs it any more, and its idempotency key is free again if it did not succeed. */
export const FINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 任务: one unit of business work (an import, a payroll run, a re-verification), worked in batches. The
 * cursor (where the next batch starts) and the progress commit in the same transaction as each batch's
 * writes; `version` counts the committed batches, and a batch commits only if the version and the lease
 * are still the ones it started with (compare-and-set), so a batch is never committed twice.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    /** The district the job works for (310000: the city level); the first six digits of `divisionCode`. */
    districtCode: text('district_code').notNull(),
    /** The division whose staff may see the job (the enqueuer's division, or 310000). */
    divisionCode: text('division_code').notNull(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    /** The same business work is not queued twice: unique per kind among jobs that did not fail or get cancelled. */
    idempotencyKey: text('idempotency_key'),
    state: text('state').$type<JobState>().notNull().default('queued'),
    total: bigint('total', { mode: 'number' }),
    done: bigint('done', { mode: 'number' }).notNull().default(0),
    cursor: jsonb('cursor'),
    version: integer('version').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    runAfter: at('run_after').notNull(),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: at('lease_expires_at'),
    result: jsonb('result'),
    /** Why it failed (or the last error before a retry), in Chinese. */
    error: text('error'),
    createdBy: text('created_by'),
    actorDivision: text('actor_division'),
    reason: text('reason').notNull(),
    requestId: text('request_id'),
    scheduleName: text('schedule_name'),
    createdAt: at('created_at').notNull(),
    startedAt: at('started_at'),
    updatedAt: at('updated_at').notNull(),
    finishedAt: at('finished_at'),
  },
  (t) => [
    uniqueIndex('jobs_idempotency_uq')
      .on(t.kind, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null and ${t.state} not in ('failed', 'cancelled')`),
    index('jobs_queued_idx')
      .on(t.runAfter)
      .where(sql`${t.state} = 'queued'`),
    index('jobs_leased_idx')
      .on(t.leaseExpiresAt)
      .where(sql`${t.state} in ('running', 'cancelling')`),
    index('jobs_district_idx').on(t.districtCode, t.createdAt),
    check(
      'jobs_state_chk',
      sql`${t.state} in ('queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled')`,
    ),
    check('jobs_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
    check('jobs_progress_chk', sql`${t.done} >= 0 and (${t.total} is null or ${t.total} >= 0)`),
  ],
);

/**
 * 定时任务: a cron expression (five fields, Asia/Shanghai time) that enqueues a job of `kind` with
 * `payload` at each due time. Any runner's scheduler enqueues it (rows locked with SKIP LOCKED, the job's
 * idempotency key is the schedule's name and due time), so one due time gives one job however many run.
 */
export const jobSchedules = pgTable(
  'job_schedules',
  {
    name: text('name').primaryKey(),
    kind: text('kind').notNull(),
    cron: text('cron').notNull(),
    payload: jsonb('payload')
      .notNull()
      .default(sql`'{}'::jsonb`),
    districtCode: text('district_code').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    nextRunAt: at('next_run_at'),
    lastRunAt: at('last_run_at'),
    lastJobId: uuid('last_job_id'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    index('job_schedules_due_idx')
      .on(t.nextRunAt)
      .where(sql`${t.enabled}`),
    check('job_schedules_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
export type JobScheduleRow = typeof jobSchedules.$inferSelect;
