import { randomUUID } from 'node:crypto';
import { hasPermission, scopeOf, type Permission, type Role } from '../auth/roles.ts';
import { ALL, inScope, type DataScope } from '../auth/scope.ts';
import { CITY_DISTRICT } from '../audit/audit.service.ts';
import type { Config } from '../config.ts';
import type { Store } from '../db/store.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import type { JobKind, JobKinds } from './job-kind.ts';
import { JobError } from './jobs.errors.ts';
import {
  findActiveJob,
  findJobByKey,
  getJob,
  insertJob,
  listJobs,
  listSchedules,
  requestCancel,
  upsertSchedule,
  type Job,
  type JobSchedule,
} from './jobs.repository.ts';
import { jobQueued } from './notify.ts';
import { parsePayload } from './payload.ts';
import { checkedCron, nextRunAfter } from './schedule.ts';
import type { JobState } from './schema.ts';

export const JOB_STATE_LABELS: Record<JobState, string> = {
  queued: '排队中',
  running: '运行中',
  cancelling: '正在取消',
  succeeded: '已完成',
  failed: '失败',
  cancelled: '已取消',
};

const DEFAULT_MAX_ATTEMPTS = 20;

/**
 * Who looks at jobs: a user of the console or API (their role's permissions, their data scope), or an
 * operator at the command line (everything: they hold the database itself).
 */
export interface JobViewer {
  scope: DataScope;
  can: (permission: Permission) => boolean;
}

export function userViewer(user: { role: Role; divisionCode: string }): JobViewer {
  return { scope: scopeOf(user), can: (permission) => hasPermission(user.role, permission) };
}

export const OPERATOR: JobViewer = { scope: ALL, can: () => true };

/** A job is seen by those who may see its kind, within whose scope its division lies. */
export function canSeeJob(viewer: JobViewer, job: Job, kind: JobKind<unknown> | undefined): boolean {
  return kind !== undefined && viewer.can(kind.viewPermission) && inScope(viewer.scope, job.divisionCode);
}

export function canStartKind(viewer: JobViewer, kind: JobKind<unknown>): boolean {
  return kind.startPermission !== undefined && viewer.can(kind.startPermission);
}

/** May cancel jobs of this kind (whatever state a job is in). */
export function mayCancelKind(viewer: JobViewer, kind: JobKind<unknown>): boolean {
  return viewer.can(kind.cancelPermission ?? kind.startPermission ?? kind.viewPermission);
}

/** Whether the console offers 取消 for this job: it may be cancelled by this viewer, and has not ended. */
export function canCancelJob(viewer: JobViewer, job: Job, kind: JobKind<unknown> | undefined): boolean {
  if (!kind || !canSeeJob(viewer, job, kind)) return false;
  return (job.state === 'queued' || job.state === 'running') && mayCancelKind(viewer, kind);
}

/** The district a division files under: its first six digits, the city level for 310000. */
export function districtOf(divisionCode: string): string {
  return divisionCode.length >= 6 ? divisionCode.slice(0, 6) : CITY_DISTRICT;
}

function kindOf(kinds: JobKinds, name: string): JobKind<unknown> {
  const kind = kinds.get(name);
  if (!kind) throw new JobError('unknown_kind', `没有这种任务：${name}`);
  return kind;
}

function uniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

export interface EnqueueInput {
  kind: string;
  payload: unknown;
  /** Who starts it and why: the job's batches write under this context too. */
  actor: ActingContext;
  /** The division the job works for (its staff see it); 310000 for the city level. */
  divisionCode: string;
  /** Overrides the kind's own key for the payload. */
  idempotencyKey?: string | undefined;
  total?: number | undefined;
}

export interface Enqueued {
  job: Job;
  /** True when the same business work was already queued, running or done: that job, nothing new. */
  existing: boolean;
}

/**
 * Queues a job, audited (job.enqueued). The payload is checked against the kind's schema first: a bad one
 * is a Chinese 400 and nothing is written; a kind that cannot run on this store is a 409 saying why. A
 * payload whose business key is held by a job that is queued, running or succeeded gives that job back
 * instead of a second one, as does, for a kind that runs one at a time, any job of it not yet ended.
 */
export async function enqueueJob(store: Store, kinds: JobKinds, input: EnqueueInput): Promise<Enqueued> {
  const kind = kindOf(kinds, input.kind);
  const payload = parsePayload(kind.payload, kind.label, input.payload);
  const unavailable = kind.unavailable?.(store.kind);
  if (unavailable) throw new ConflictError('wrong_state', unavailable);
  const key = input.idempotencyKey ?? kind.idempotencyKey?.(payload) ?? null;
  try {
    const enqueued = await inUnitOfWork(store, input.actor, async (tx): Promise<Enqueued> => {
      const existing =
        (key === null ? undefined : await findJobByKey(tx.db, kind.kind, key)) ??
        (kind.oneAtATime ? await findActiveJob(tx.db, kind.kind) : undefined);
      if (existing) return { job: existing, existing: true };
      const job = await insertJob(tx.db, {
        id: randomUUID(),
        districtCode: districtOf(input.divisionCode),
        divisionCode: input.divisionCode,
        kind: kind.kind,
        payload,
        idempotencyKey: key,
        maxAttempts: kind.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        total: input.total ?? null,
        createdBy: input.actor.userId,
        actorDivision: input.actor.divisionCode,
        reason: input.actor.reason,
        requestId: input.actor.requestId ?? null,
        scheduleName: null,
      });
      tx.record({
        action: 'job.enqueued',
        entityType: 'job',
        entityId: job.id,
        district: job.divisionCode,
        after: { kind: job.kind, payload, idempotencyKey: key },
      });
      return { job, existing: false };
    });
    if (!enqueued.existing) jobQueued();
    return enqueued;
  } catch (error) {
    // Two requests with the same key at once: the second finds the first's job.
    if (key !== null && uniqueViolation(error)) {
      const existing = await findJobByKey(store.db, kind.kind, key);
      if (existing) return { job: existing, existing: true };
    }
    throw error;
  }
}

/** A job the viewer may see, or not_found (out of scope reads exactly like absent). */
export async function showJob(store: Store, kinds: JobKinds, viewer: JobViewer, id: string): Promise<Job> {
  const job = await getJob(store.db, id);
  if (!job || !canSeeJob(viewer, job, kinds.get(job.kind))) throw new JobError('not_found', '任务不存在');
  return job;
}

export interface JobQuery {
  kind?: string | undefined;
  states?: readonly JobState[] | undefined;
  limit: number;
  offset: number;
}

/** The jobs the viewer may see: kinds they may see, in their scope (a district user: their district's). */
export async function listVisibleJobs(
  store: Store,
  kinds: JobKinds,
  viewer: JobViewer,
  query: JobQuery,
): Promise<{ items: Job[]; total: number }> {
  const visible = kinds
    .list()
    .filter((k) => viewer.can(k.viewPermission))
    .map((k) => k.kind)
    .filter((k) => query.kind === undefined || k === query.kind);
  const scope = viewer.scope;
  return listJobs(store.db, {
    kinds: visible,
    district: scope.kind === 'all' ? undefined : scope.code.slice(0, 6),
    divisionPrefix: scope.kind === 'all' ? undefined : scope.code,
    states: query.states,
    limit: query.limit,
    offset: query.offset,
  });
}

/**
 * Cancels a job, audited (job.cancelled): a queued job ends at once; a running one at its next batch (the
 * batch in progress is rolled back). A job that has ended is a 409 naming its state.
 */
export async function cancelJob(
  store: Store,
  kinds: JobKinds,
  viewer: JobViewer,
  actor: ActingContext,
  id: string,
  env: { config: Config; say?: (line: string) => void },
): Promise<Job> {
  const { job, kind } = await inUnitOfWork(store, actor, async (tx) => {
    const current = await getJob(tx.db, id);
    const currentKind = current ? kinds.get(current.kind) : undefined;
    if (!current || !currentKind || !canSeeJob(viewer, current, currentKind)) {
      throw new JobError('not_found', '任务不存在');
    }
    if (!mayCancelKind(viewer, currentKind)) throw new JobError('forbidden', '没有取消此任务的权限');
    const after = await requestCancel(tx.db, id);
    if (!after) {
      throw new ConflictError('wrong_state', `任务${JOB_STATE_LABELS[current.state]}，不能取消`, {
        state: current.state,
        allowedActions: [],
      });
    }
    tx.record({
      action: 'job.cancelled',
      entityType: 'job',
      entityId: id,
      district: current.divisionCode,
      before: { state: current.state },
      after: { state: after.state },
    });
    return { job: after, kind: currentKind };
  });
  if (job.state === 'cancelled' && kind.ended) {
    const parsed = kind.payload.safeParse(job.payload);
    if (parsed.success)
      await kind.ended(job, parsed.data, { config: env.config, say: env.say ?? (() => {}) });
  }
  return job;
}

// ---- schedules ----------------------------------------------------------------------------------

export interface ScheduleInput {
  name: string;
  kind: string;
  cron: string;
  payload?: unknown;
  districtCode: string;
  enabled: boolean;
}

/**
 * Creates or updates a schedule kept by configuration (the audit checkpoint's, from its setting) or by an
 * operator. A new or changed schedule first runs soon (`firstRunAt`, default now), then at its cron times.
 */
export async function saveSchedule(
  store: Store,
  kinds: JobKinds,
  input: ScheduleInput,
  firstRunAt: Date = new Date(),
): Promise<void> {
  const kind = kindOf(kinds, input.kind);
  const payload = parsePayload(kind.payload, kind.label, input.payload ?? {});
  const cron = checkedCron(input.cron);
  await upsertSchedule(store.db, {
    name: input.name,
    kind: kind.kind,
    cron,
    payload,
    districtCode: input.districtCode,
    enabled: input.enabled,
    nextRunAt: input.enabled ? firstRunAt : null,
  });
}

export async function schedules(store: Store): Promise<JobSchedule[]> {
  return listSchedules(store.db);
}

/** The time after `after` a schedule runs next, for display (null when it is off). */
export function upcomingRun(schedule: JobSchedule, after: Date = new Date()): Date | null {
  if (!schedule.enabled) return null;
  return schedule.nextRunAt ? new Date(schedule.nextRunAt) : nextRunAfter(schedule.cron, after);
}
