import { randomUUID } from 'node:crypto';
import { hasPermission, type ActorRole } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import { activeAdvisersOf } from '../advisers/advisers.repository.ts';
import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { householdNumbers } from '../registry/household.repository.ts';
import { pageBounds, personIdentities } from '../registry/person.repository.ts';
import { resolveDivisionPath } from '../registry/registry.service.ts';
import { RowDigest, type WorkTx } from '../workflow/unit-of-work.ts';
import { TASK_NOT_FOUND, TaskError } from './tasks.errors.ts';
import {
  completeTaskRow,
  findTask,
  insertTasks,
  listTaskRows,
  type NewTaskRow,
  type TaskFilter,
  type TaskRow,
} from './tasks.repository.ts';

/**
 * 待办 (docs/events.md 待办): work a rule found for a household — created in bulk by the rule's batch
 * (idempotent by source: the same event or scan hit never makes a second task), assigned to the household's
 * adviser or, when it has none, to its committee; due a number of working days after it was created;
 * completed by whoever may in the task's division, with an outcome.
 */

export const TASK_KINDS = {
  funeral_notice: '告知家属基本殡葬服务补贴',
  payee_account: '采集收款账户（老年综合津贴免申即享）',
} as const;
export type TaskKind = keyof typeof TASK_KINDS;

export const TASK_OUTCOMES = {
  done: '已办结',
  declined: '对象拒绝',
  not_eligible: '不符合条件',
  enrolled: '已纳入救助',
} as const;
export type TaskOutcome = keyof typeof TASK_OUTCOMES;

export function isTaskOutcome(value: string): value is TaskOutcome {
  return Object.hasOwn(TASK_OUTCOMES, value);
}

export interface TaskCaller {
  scope: DataScope;
  role: ActorRole;
  userId: string | null;
}

export interface NewTask {
  districtCode: string;
  householdId: string | null;
  personId: string | null;
  kind: TaskKind;
  /** The committee (or street) responsible when the household has no adviser. */
  divisionCode: string;
  /** What made it: `event:<district>/<id>`, a scan's hit key. */
  source: string;
  note: string | null;
  workingDays: number;
}

/**
 * Creates the tasks that do not exist yet (by district, source and kind) in one statement, with one audit
 * record for the batch. Returns the new tasks' ids by source.
 */
export async function createTasks(
  tx: WorkTx,
  calendar: WorkingCalendar,
  tasks: readonly NewTask[],
  batchKey: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (tasks.length === 0) return out;
  const today = shanghaiToday(tx.now);
  const byDistrict = new Map<string, NewTask[]>();
  for (const t of tasks) {
    const list = byDistrict.get(t.districtCode);
    if (list) list.push(t);
    else byDistrict.set(t.districtCode, [t]);
  }
  for (const [district, list] of byDistrict) {
    const advisers = await activeAdvisersOf(
      tx.db,
      district,
      list.flatMap((t) => (t.householdId ? [t.householdId] : [])),
    );
    const rows: NewTaskRow[] = list.map((t) => ({
      districtCode: district,
      id: randomUUID(),
      householdId: t.householdId,
      personId: t.personId,
      kind: t.kind,
      title: TASK_KINDS[t.kind],
      divisionCode: t.divisionCode,
      adviserId: t.householdId ? (advisers.get(t.householdId) ?? null) : null,
      dueOn: calendar.addWorkingDays(today, t.workingDays),
      state: 'open',
      note: t.note,
      source: t.source,
      createdAt: tx.now.toISOString(),
    }));
    const inserted = new Set(await insertTasks(tx, rows));
    const digest = new RowDigest();
    for (const r of rows) {
      if (!inserted.has(r.id)) continue;
      digest.add(r);
      out.set(`${r.source}|${r.kind}`, r.id);
    }
    if (digest.count > 0) {
      tx.recordBatch({
        action: 'tasks.created',
        entityType: 'follow_up_task',
        entityId: batchKey,
        district,
        digest,
        summary: { created: digest.count, existing: rows.length - digest.count },
      });
    }
  }
  return out;
}

export interface TaskView {
  id: string;
  districtCode: string;
  householdId: string | null;
  personId: string | null;
  kind: string;
  title: string;
  divisionCode: string;
  adviserId: string | null;
  dueOn: string;
  state: 'open' | 'done';
  stateName: string;
  outcome: TaskOutcome | null;
  outcomeName: string | null;
  note: string | null;
  /** 办结说明: what the person who completed it wrote. */
  outcomeNote: string | null;
  source: string;
  createdAt: string;
  completedAt: string | null;
  version: number;
}

/** A task as its list shows it: whom and where by name, and whether its deadline has passed. */
export interface TaskListItem extends TaskView {
  householdNo: string | null;
  personName: string | null;
  divisionName: string | null;
  overdue: boolean;
}

function present(row: TaskRow): TaskView {
  const outcome = row.outcome !== null && isTaskOutcome(row.outcome) ? row.outcome : null;
  return {
    id: row.id,
    districtCode: row.districtCode,
    householdId: row.householdId,
    personId: row.personId,
    kind: row.kind,
    title: row.title,
    divisionCode: row.divisionCode,
    adviserId: row.adviserId,
    dueOn: row.dueOn,
    state: row.state as 'open' | 'done',
    stateName: row.state === 'open' ? '待办' : '已办结',
    outcome,
    outcomeName: outcome ? TASK_OUTCOMES[outcome] : null,
    note: row.note,
    outcomeNote: row.outcomeNote,
    source: row.source,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
    version: row.version,
  };
}

export async function listTasks(
  db: Db,
  caller: TaskCaller,
  filter: Omit<TaskFilter, 'limit' | 'offset'> & { limit?: number; offset?: number },
  today = shanghaiToday(),
): Promise<{ items: TaskListItem[]; total: number }> {
  if (!hasPermission(caller.role, 'tasks.view')) throw new TaskError('forbidden', '您没有权限查看待办');
  const page = pageBounds(filter.limit, filter.offset);
  const { rows, total } = await listTaskRows(db, caller.scope, { ...filter, ...page });
  const numbers = new Map<string, string>();
  const names = new Map<string, string>();
  for (const district of new Set(rows.map((r) => r.districtCode))) {
    const inDistrict = rows.filter((r) => r.districtCode === district);
    const households = inDistrict.flatMap((r) => (r.householdId ? [r.householdId] : []));
    for (const [id, no] of await householdNumbers(db, caller.scope, district, households))
      numbers.set(`${district}|${id}`, no);
    const persons = inDistrict.flatMap((r) => (r.personId ? [r.personId] : []));
    for (const [id, person] of await personIdentities(db, district, persons))
      names.set(`${district}|${id}`, person.name);
  }
  return {
    items: rows.map((r) => ({
      ...present(r),
      householdNo: r.householdId ? (numbers.get(`${r.districtCode}|${r.householdId}`) ?? null) : null,
      personName: r.personId ? (names.get(`${r.districtCode}|${r.personId}`) ?? null) : null,
      divisionName: resolveDivisionPath(r.divisionCode)?.fullName ?? null,
      overdue: r.state === 'open' && r.dueOn < today,
    })),
    total,
  };
}

export interface CompleteInput {
  districtCode: string;
  id: string;
  version: number;
  outcome: string;
  note?: string | undefined;
}

/** 办结: an open task of the caller's scope, at the version they saw, with an outcome (and a note). */
export async function completeTask(tx: WorkTx, caller: TaskCaller, input: CompleteInput): Promise<TaskView> {
  if (!hasPermission(caller.role, 'tasks.complete')) throw new TaskError('forbidden', '您没有权限办结待办');
  if (!isTaskOutcome(input.outcome)) {
    throw new TaskError(
      'invalid',
      `办理结果「${input.outcome}」无效，应为：${Object.entries(TASK_OUTCOMES)
        .map(([k, v]) => `${k}（${v}）`)
        .join('、')}`,
    );
  }
  const key = { districtCode: input.districtCode, id: input.id };
  const before = await findTask(tx.db, caller.scope, key);
  if (!before) throw new TaskError('not_found', TASK_NOT_FOUND);
  if (before.state !== 'open') throw new TaskError('conflict', '该待办已办结');
  const done = {
    outcome: input.outcome,
    outcomeNote: input.note?.trim() ? input.note.trim() : null,
    completedBy: tx.actor.userId,
    completedAt: tx.now.toISOString(),
  };
  if (!(await completeTaskRow(tx, key, input.version, done))) {
    throw new TaskError('conflict', '待办已被他人修改，请刷新后重试');
  }
  const after = (await findTask(tx.db, caller.scope, key))!;
  tx.record({
    action: 'task.completed',
    entityType: 'follow_up_task',
    entityId: `${key.districtCode}/${key.id}`,
    district: before.divisionCode,
    before: present(before),
    after: present(after),
  });
  return present(after);
}
