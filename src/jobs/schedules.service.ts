import { listAuditRows } from '../audit/audit.repository.ts';
import { ALL } from '../auth/scope.ts';
import type { Store, StoreKind } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import type { JobKinds } from './job-kind.ts';
import { JobError } from './jobs.errors.ts';
import { findSchedule, listSchedules, updateSchedule, type JobSchedule } from './jobs.repository.ts';
import { saveSchedule, upcomingRun, type ScheduleInput } from './jobs.service.ts';
import { checkedCron, nextRunAfter } from './schedule.ts';

/**
 * 定时任务 as administrators keep them: the list with each one's next run, and a change of a schedule's
 * cron expression (five fields, Shanghai time) or whether it is on, made in the caller's unit of work and
 * audited there with its reason (`job.schedule_changed`, before and after). A bad expression is refused in
 * Chinese before anything is read or written.
 *
 * Schedules that a setting keeps (the audit checkpoint's, the backup's) are created from the setting and
 * follow it at each start, until an administrator changes one: from then on the administrator's change
 * rules, and a start whose setting differs says so instead of overwriting it (`keepConfiguredSchedule`).
 */

export const SCHEDULE_AUDIT_ACTION = 'job.schedule_changed';
export const SCHEDULE_ENTITY = 'job_schedule';

export interface ScheduleView {
  name: string;
  kind: string;
  kindLabel: string;
  cron: string;
  enabled: boolean;
  /** When it runs next (ISO 8601); null when off. */
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastJobId: string | null;
  /** Why it cannot be switched on with this store (a backup on a PostgreSQL server), else null. */
  unavailable: string | null;
}

export function presentSchedule(
  schedule: JobSchedule,
  kinds: JobKinds,
  storeKind: StoreKind,
  at: Date = new Date(),
): ScheduleView {
  const kind = kinds.get(schedule.kind);
  return {
    name: schedule.name,
    kind: schedule.kind,
    kindLabel: kind?.label ?? schedule.kind,
    cron: schedule.cron,
    enabled: schedule.enabled,
    nextRunAt: upcomingRun(schedule, at)?.toISOString() ?? null,
    lastRunAt: schedule.lastRunAt,
    lastJobId: schedule.lastJobId,
    unavailable: kind?.unavailable?.(storeKind) ?? null,
  };
}

export async function scheduleViews(store: Store, kinds: JobKinds, at?: Date): Promise<ScheduleView[]> {
  return (await listSchedules(store.db)).map((s) => presentSchedule(s, kinds, store.kind, at));
}

export interface ScheduleChange {
  /** The new five-field expression (Shanghai time). */
  cron?: string | undefined;
  /** Switch it on or off. */
  enabled?: boolean | undefined;
}

export interface ScheduleChanged {
  schedule: JobSchedule;
  /** False when the schedule already was as asked: nothing written, nothing recorded. */
  changed: boolean;
}

/**
 * 修改定时任务 in the caller's unit of work: a new expression, on or off, or both. A new expression or a
 * schedule switched on runs next at the expression's first time after now; switched off, it has no next
 * run. Switching on a kind that cannot run on this store is a 409 saying why; a change that crossed
 * another administrator's (compare-and-set on what was read) a 409 asking to reload. Asked for what
 * already is, nothing is written or recorded.
 */
export async function changeSchedule(
  tx: WorkTx,
  kinds: JobKinds,
  storeKind: StoreKind,
  name: string,
  change: ScheduleChange,
): Promise<ScheduleChanged> {
  if (change.cron === undefined && change.enabled === undefined) {
    throw new JobError('invalid_payload', '请给出新的定时表达式，或说明启用还是停用');
  }
  const cron = change.cron === undefined ? undefined : checkedCron(change.cron);
  const current = await findSchedule(tx.db, name);
  if (!current) throw new JobError('not_found', `定时任务不存在：${name}`);
  const next = { cron: cron ?? current.cron, enabled: change.enabled ?? current.enabled };
  if (next.cron === current.cron && next.enabled === current.enabled) {
    return { schedule: current, changed: false };
  }
  const unavailable = kinds.get(current.kind)?.unavailable?.(storeKind);
  if (next.enabled && unavailable) {
    throw new ConflictError('wrong_state', `定时任务 ${name} 不能启用：${unavailable}`, {
      state: 'disabled',
      allowedActions: [],
    });
  }
  // A new expression, or a schedule switched on, runs next at the expression's first time from now.
  const nextRunAt = next.enabled ? nextRunAfter(next.cron, tx.now) : null;
  const updated = await updateSchedule(tx.db, name, current, { ...next, nextRunAt });
  if (!updated) {
    throw new ConflictError('stale_version', `定时任务 ${name} 刚被他人修改，请刷新后重新操作`);
  }
  tx.record({
    action: SCHEDULE_AUDIT_ACTION,
    entityType: SCHEDULE_ENTITY,
    entityId: name,
    district: current.districtCode,
    before: { cron: current.cron, enabled: current.enabled, nextRunAt: current.nextRunAt },
    after: { cron: updated.cron, enabled: updated.enabled, nextRunAt: updated.nextRunAt },
  });
  return { schedule: updated, changed: true };
}

/** Whether an administrator has changed this schedule (the audit log holds their change). */
async function changedByAdministrator(store: Store, name: string): Promise<boolean> {
  const { items } = await listAuditRows(store.db, {
    scope: ALL,
    entityType: SCHEDULE_ENTITY,
    entityId: name,
    action: SCHEDULE_AUDIT_ACTION,
    limit: 1,
    offset: 0,
  });
  return items.length > 0;
}

const describe = (cron: string, enabled: boolean) => (enabled ? `“${cron}”` : `停用（“${cron}”）`);

/**
 * Keeps a schedule as its setting (`setting`, named in the notice) says, at a process's start: created if
 * absent, else brought to the setting, unless an administrator has changed it since (then theirs stays, and
 * the returned notice says that the setting differs). A kind that cannot run on this store is kept off
 * whoever changed it. Returns the notice for the operator's log, if any.
 */
export async function keepConfiguredSchedule(
  store: Store,
  kinds: JobKinds,
  input: ScheduleInput & { setting: string },
  firstRunAt?: Date,
): Promise<string | undefined> {
  const existing = await findSchedule(store.db, input.name);
  const forcedOff = kinds.get(input.kind)?.unavailable?.(store.kind) !== undefined && !input.enabled;
  if (existing && !forcedOff && (await changedByAdministrator(store, input.name))) {
    const cron = checkedCron(input.cron);
    if (existing.cron === cron && existing.enabled === input.enabled) return undefined;
    return (
      `定时任务 ${input.name} 已由管理员改为${describe(existing.cron, existing.enabled)}，` +
      `与设置 ${input.setting}（${describe(cron, input.enabled)}）不同：以管理员的修改为准` +
      `（用 jobs schedule set / enable / disable 或控制台“任务”页修改）`
    );
  }
  const { setting: _setting, ...schedule } = input;
  await saveSchedule(store, kinds, schedule, firstRunAt);
  return undefined;
}
