/**
 * SQL of the job runner: enqueue, claim (FOR UPDATE SKIP LOCKED), the per-batch compare-and-set that
 * commits a cursor, leases, cancellation, schedules. Times that decide who may run a job (leases, due
 * times) are the database's `now()`, one clock for every process on every host.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import type { JobCursor } from './job-kind.ts';
import type { JobState } from './schema.ts';

export interface Job {
  id: string;
  districtCode: string;
  divisionCode: string;
  kind: string;
  payload: unknown;
  idempotencyKey: string | null;
  state: JobState;
  total: number | null;
  done: number;
  cursor: JobCursor | null;
  version: number;
  attempts: number;
  maxAttempts: number;
  runAfter: string;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  createdBy: string | null;
  actorDivision: string | null;
  reason: string;
  requestId: string | null;
  scheduleName: string | null;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  finishedAt: string | null;
}

interface JobDbRow extends Omit<
  Job,
  'runAfter' | 'leaseExpiresAt' | 'createdAt' | 'startedAt' | 'updatedAt' | 'finishedAt'
> {
  runAfter: Date | string;
  leaseExpiresAt: Date | string | null;
  createdAt: Date | string;
  startedAt: Date | string | null;
  updatedAt: Date | string;
  finishedAt: Date | string | null;
}

const iso = (value: Date | string | null): string | null =>
  value === null ? null : value instanceof Date ? value.toISOString() : new Date(value).toISOString();

function toJob(row: JobDbRow): Job {
  return {
    ...row,
    total: row.total === null ? null : Number(row.total),
    done: Number(row.done),
    runAfter: iso(row.runAfter) ?? '',
    leaseExpiresAt: iso(row.leaseExpiresAt),
    createdAt: iso(row.createdAt) ?? '',
    startedAt: iso(row.startedAt),
    updatedAt: iso(row.updatedAt) ?? '',
    finishedAt: iso(row.finishedAt),
  };
}

const JOB_COLUMNS =
  sql.raw(`id::text as "id", district_code as "districtCode", division_code as "divisionCode",
  kind, payload, idempotency_key as "idempotencyKey", state, total::float8 as "total", done::float8 as "done",
  "cursor", version, attempts, max_attempts as "maxAttempts", run_after as "runAfter",
  lease_owner as "leaseOwner", lease_expires_at as "leaseExpiresAt", result, error,
  created_by as "createdBy", actor_division as "actorDivision", reason, request_id as "requestId",
  schedule_name as "scheduleName", created_at as "createdAt", started_at as "startedAt",
  updated_at as "updatedAt", finished_at as "finishedAt"`);

async function jobRows(db: Db, query: SQL): Promise<Job[]> {
  return (await selectRows<JobDbRow>(db, query)).map(toJob);
}

const json = (value: unknown) => sql`${JSON.stringify(value ?? null)}::jsonb`;

export interface NewJob {
  id: string;
  districtCode: string;
  divisionCode: string;
  kind: string;
  payload: unknown;
  idempotencyKey: string | null;
  maxAttempts: number;
  total: number | null;
  createdBy: string | null;
  actorDivision: string | null;
  reason: string;
  requestId: string | null;
  scheduleName: string | null;
}

export async function insertJob(db: Db, job: NewJob): Promise<Job> {
  const [row] = await jobRows(
    db,
    sql`insert into jobs (id, district_code, division_code, kind, payload, idempotency_key, max_attempts, total,
          run_after, created_by, actor_division, reason, request_id, schedule_name, created_at, updated_at)
        values (${job.id}, ${job.districtCode}, ${job.divisionCode}, ${job.kind}, ${json(job.payload)},
          ${job.idempotencyKey}, ${job.maxAttempts}, ${job.total}, now(), ${job.createdBy}, ${job.actorDivision},
          ${job.reason}, ${job.requestId}, ${job.scheduleName}, now(), now())
        returning ${JOB_COLUMNS}`,
  );
  if (!row) throw new Error('insert into jobs returned nothing');
  return row;
}

/** The job holding this idempotency key (queued, running or succeeded), if any. */
export async function findJobByKey(db: Db, kind: string, key: string): Promise<Job | undefined> {
  const [row] = await jobRows(
    db,
    sql`select ${JOB_COLUMNS} from jobs
        where kind = ${kind} and idempotency_key = ${key} and state not in ('failed', 'cancelled')`,
  );
  return row;
}

/** The oldest job of `kind` that has not ended (queued, running or cancelling), if any. */
export async function findActiveJob(db: Db, kind: string): Promise<Job | undefined> {
  const [row] = await jobRows(
    db,
    sql`select ${JOB_COLUMNS} from jobs
        where kind = ${kind} and state in ('queued', 'running', 'cancelling')
        order by created_at, id limit 1`,
  );
  return row;
}

export async function getJob(db: Db, id: string): Promise<Job | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await jobRows(db, sql`select ${JOB_COLUMNS} from jobs where id = ${id}`);
  return row;
}

export interface JobListFilter {
  /** Undefined: every district (city level); else the district and the division prefix within it. */
  district?: string | undefined;
  divisionPrefix?: string | undefined;
  kinds: readonly string[];
  states?: readonly JobState[] | undefined;
  limit: number;
  offset: number;
}

export async function listJobs(db: Db, filter: JobListFilter): Promise<{ items: Job[]; total: number }> {
  if (filter.kinds.length === 0) return { items: [], total: 0 };
  const where = [
    sql`kind in (${sql.join(
      filter.kinds.map((k) => sql`${k}`),
      sql`, `,
    )})`,
  ];
  if (filter.district !== undefined) where.push(sql`district_code = ${filter.district}`);
  if (filter.divisionPrefix !== undefined && filter.divisionPrefix.length > 6) {
    where.push(sql`starts_with(division_code, ${filter.divisionPrefix})`);
  }
  if (filter.states && filter.states.length > 0) {
    where.push(
      sql`state in (${sql.join(
        filter.states.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    );
  }
  const condition = sql.join(where, sql` and `);
  const items = await jobRows(
    db,
    sql`select ${JOB_COLUMNS} from jobs where ${condition}
        order by created_at desc, id limit ${filter.limit} offset ${filter.offset}`,
  );
  const [count] = await selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from jobs where ${condition}`,
  );
  return { items, total: count?.n ?? 0 };
}

/**
 * Takes the next job that is due (queued and past its run_after) or abandoned (its lease expired), for
 * `owner`, with a lease of `leaseSeconds`. SKIP LOCKED: two runners never take the same job, and a job
 * whose batch is committing right now (its row locked) is left alone.
 */
export async function claimJob(
  db: Db,
  owner: string,
  leaseSeconds: number,
  kinds: readonly string[],
): Promise<Job | undefined> {
  if (kinds.length === 0) return undefined;
  const kindList = sql.join(
    kinds.map((k) => sql`${k}`),
    sql`, `,
  );
  const [row] = await jobRows(
    db,
    sql`update jobs set
          state = case when state = 'cancelling' then 'cancelling' else 'running' end,
          lease_owner = ${owner},
          lease_expires_at = now() + make_interval(secs => ${leaseSeconds}),
          attempts = attempts + 1,
          started_at = coalesce(started_at, now()),
          updated_at = now()
        where id = (
          select id from jobs
          where kind in (${kindList})
            and ((state = 'queued' and run_after <= now())
              or (state in ('running', 'cancelling') and lease_expires_at < now()))
          order by run_after, created_at
          limit 1
          for update skip locked)
        returning ${JOB_COLUMNS}`,
  );
  return row;
}

/** Extends the lease while a long batch runs; false when the job is no longer this owner's. */
export async function renewLease(db: Db, id: string, owner: string, leaseSeconds: number): Promise<boolean> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`update jobs set lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
        where id = ${id} and lease_owner = ${owner} and state in ('running', 'cancelling')
        returning id::text as id`,
  );
  return rows.length > 0;
}

export interface Advance {
  cursor: JobCursor;
  progress: number;
  total?: number | undefined;
  finished: boolean;
  result?: Record<string, unknown> | undefined;
}

/**
 * The batch's compare-and-set: commits the new cursor and progress only if the job is still running under
 * this owner at the version the batch started from. Run in the batch's own transaction, so the cursor and
 * the batch's writes commit together; false means the batch must be rolled back.
 */
export async function advanceJob(
  db: Db,
  id: string,
  owner: string,
  version: number,
  leaseSeconds: number,
  step: Advance,
): Promise<boolean> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`update jobs set
          "cursor" = ${json(step.cursor)},
          done = done + ${step.progress},
          total = coalesce(${step.total ?? null}::bigint, total),
          version = version + 1,
          lease_expires_at = now() + make_interval(secs => ${leaseSeconds}),
          state = ${step.finished ? 'succeeded' : 'running'},
          result = coalesce(${step.result === undefined ? null : JSON.stringify(step.result)}::jsonb, result),
          finished_at = ${step.finished ? sql`now()` : sql`null`},
          lease_owner = ${step.finished ? sql`null` : sql`lease_owner`},
          error = null,
          updated_at = now()
        where id = ${id} and lease_owner = ${owner} and version = ${version} and state = 'running'
        returning id::text as id`,
  );
  return rows.length > 0;
}

/** The full result of a job that finished in its last unit (written after it, for display). */
export async function setJobResult(db: Db, id: string, result: Record<string, unknown>): Promise<void> {
  await db.execute(sql`update jobs set result = ${json(result)}, updated_at = now() where id = ${id}`);
}

/** Gives the job back for a later try (an error that may pass): queued again after `delayMs`. */
export async function retryJobLater(
  db: Db,
  id: string,
  owner: string,
  error: string,
  delayMs: number,
): Promise<boolean> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`update jobs set state = 'queued', lease_owner = null, lease_expires_at = null, error = ${error},
          run_after = now() + make_interval(secs => ${delayMs / 1000}), updated_at = now()
        where id = ${id} and lease_owner = ${owner} and state = 'running'
        returning id::text as id`,
  );
  return rows.length > 0;
}

/** A stopping runner hands its job back at once (the claim it made is not counted as a try). */
export async function releaseJob(db: Db, id: string, owner: string): Promise<void> {
  await db.execute(
    sql`update jobs set state = case when state = 'cancelling' then 'cancelling' else 'queued' end,
          lease_owner = null, lease_expires_at = case when state = 'cancelling' then now() else null end,
          attempts = greatest(attempts - 1, 0), run_after = now(), updated_at = now()
        where id = ${id} and lease_owner = ${owner}`,
  );
}

/** Ends the job: failed (with why) or cancelled. `owner` null: whoever holds it (a queued job has no owner). */
export async function endJob(
  db: Db,
  id: string,
  owner: string | null,
  end: { state: 'failed' | 'cancelled'; error?: string | null; result?: Record<string, unknown> | undefined },
): Promise<Job | undefined> {
  const [row] = await jobRows(
    db,
    sql`update jobs set state = ${end.state}, error = ${end.error ?? null},
          result = coalesce(${end.result === undefined ? null : JSON.stringify(end.result)}::jsonb, result),
          lease_owner = null, lease_expires_at = null, finished_at = now(), updated_at = now()
        where id = ${id} and state not in ('succeeded', 'failed', 'cancelled')
          ${owner === null ? sql`` : sql`and lease_owner = ${owner}`}
        returning ${JOB_COLUMNS}`,
  );
  return row;
}

/** Asks for a cancel: a queued job ends at once, a running one at its next batch. Undefined: already ended. */
export async function requestCancel(db: Db, id: string): Promise<Job | undefined> {
  const [row] = await jobRows(
    db,
    sql`update jobs set
          state = case when state = 'queued' then 'cancelled' else 'cancelling' end,
          finished_at = case when state = 'queued' then now() else null end,
          updated_at = now()
        where id = ${id} and state in ('queued', 'running')
        returning ${JOB_COLUMNS}`,
  );
  return row;
}

/** The payloads of a kind's jobs that have not ended (whose files must be kept). */
export async function openJobPayloads(
  db: Db,
  kind: string,
  states: readonly ('queued' | 'running' | 'cancelling')[] = ['queued', 'running', 'cancelling'],
): Promise<unknown[]> {
  const rows = await selectRows<{ payload: unknown }>(
    db,
    sql`select payload from jobs where kind = ${kind} and state in (${sql.join(
      states.map((s) => sql`${s}`),
      sql`, `,
    )})`,
  );
  return rows.map((r) => r.payload);
}

/** Leases held now, by owner: a runner expires those of processes it knows are dead (same host). */
export async function heldLeases(db: Db): Promise<{ id: string; owner: string }[]> {
  return selectRows(
    db,
    sql`select id::text as id, lease_owner as owner from jobs
        where state in ('running', 'cancelling') and lease_owner is not null`,
  );
}

export async function expireLease(db: Db, id: string, owner: string): Promise<void> {
  await db.execute(
    sql`update jobs set lease_expires_at = now() - interval '1 second'
        where id = ${id} and lease_owner = ${owner}`,
  );
}

// ---- schedules --------------------------------------------------------------------------------------

export interface JobSchedule {
  name: string;
  kind: string;
  cron: string;
  payload: unknown;
  districtCode: string;
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastJobId: string | null;
}

interface ScheduleDbRow extends Omit<JobSchedule, 'nextRunAt' | 'lastRunAt'> {
  nextRunAt: Date | string | null;
  lastRunAt: Date | string | null;
}

const SCHEDULE_COLUMNS = sql.raw(`name, kind, cron, payload, district_code as "districtCode", enabled,
  next_run_at as "nextRunAt", last_run_at as "lastRunAt", last_job_id::text as "lastJobId"`);

const toSchedule = (row: ScheduleDbRow): JobSchedule => ({
  ...row,
  nextRunAt: iso(row.nextRunAt),
  lastRunAt: iso(row.lastRunAt),
});

export async function listSchedules(db: Db): Promise<JobSchedule[]> {
  return (
    await selectRows<ScheduleDbRow>(db, sql`select ${SCHEDULE_COLUMNS} from job_schedules order by name`)
  ).map(toSchedule);
}

/** One schedule by name. */
export async function findSchedule(db: Db, name: string): Promise<JobSchedule | undefined> {
  const [row] = await selectRows<ScheduleDbRow>(
    db,
    sql`select ${SCHEDULE_COLUMNS} from job_schedules where name = ${name}`,
  );
  return row ? toSchedule(row) : undefined;
}

/**
 * Sets a schedule's expression, whether it is on, and its next run (null when off): a compare-and-set on
 * the expression and switch the caller read (a run of the schedule meanwhile moves only its times). Returns
 * the schedule as written, or undefined when it is gone or was changed by someone else meanwhile.
 */
export async function updateSchedule(
  db: Db,
  name: string,
  seen: { cron: string; enabled: boolean },
  change: { cron: string; enabled: boolean; nextRunAt: Date | null },
): Promise<JobSchedule | undefined> {
  const [row] = await selectRows<ScheduleDbRow>(
    db,
    sql`update job_schedules set cron = ${change.cron}, enabled = ${change.enabled},
          next_run_at = ${change.nextRunAt?.toISOString() ?? null}::timestamptz, updated_at = now()
        where name = ${name} and cron = ${seen.cron} and enabled = ${seen.enabled}
        returning ${SCHEDULE_COLUMNS}`,
  );
  return row ? toSchedule(row) : undefined;
}

/**
 * Creates or updates a schedule. The next run is kept when the cron expression is unchanged (a restart
 * does not move it); a new or changed expression, or a schedule switched on, takes `nextRunAt`.
 */
export async function upsertSchedule(
  db: Db,
  schedule: Pick<JobSchedule, 'name' | 'kind' | 'cron' | 'payload' | 'districtCode' | 'enabled'> & {
    nextRunAt: Date | null;
  },
): Promise<void> {
  const next = schedule.nextRunAt?.toISOString() ?? null;
  await db.execute(
    sql`insert into job_schedules (name, kind, cron, payload, district_code, enabled, next_run_at, created_at, updated_at)
        values (${schedule.name}, ${schedule.kind}, ${schedule.cron}, ${json(schedule.payload)},
          ${schedule.districtCode}, ${schedule.enabled}, ${next}::timestamptz, now(), now())
        on conflict (name) do update set
          kind = excluded.kind, payload = excluded.payload, district_code = excluded.district_code,
          next_run_at = case
            when job_schedules.cron = excluded.cron and job_schedules.enabled and excluded.enabled
              then job_schedules.next_run_at
            else excluded.next_run_at end,
          cron = excluded.cron, enabled = excluded.enabled,
          updated_at = case
            when (job_schedules.cron, job_schedules.enabled, job_schedules.payload)
              is distinct from (excluded.cron, excluded.enabled, excluded.payload)
              then now() else job_schedules.updated_at end`,
  );
}

/** Schedules due now, locked for this transaction (another runner's scheduler skips them). */
export async function lockDueSchedules(db: Db): Promise<(JobSchedule & { now: string })[]> {
  return (
    await selectRows<ScheduleDbRow & { now: Date | string }>(
      db,
      sql`select ${SCHEDULE_COLUMNS}, now() as now from job_schedules
          where enabled and next_run_at <= now()
          order by next_run_at
          for update skip locked`,
    )
  ).map((row) => ({ ...toSchedule(row), now: iso(row.now) ?? '' }));
}

export async function scheduleRan(
  db: Db,
  name: string,
  ranAt: string,
  jobId: string | null,
  nextRunAt: Date | null,
): Promise<void> {
  await db.execute(
    sql`update job_schedules set last_run_at = ${ranAt}::timestamptz,
          last_job_id = coalesce(${jobId}::uuid, last_job_id),
          next_run_at = ${nextRunAt?.toISOString() ?? null}::timestamptz, updated_at = now()
        where name = ${name}`,
  );
}
