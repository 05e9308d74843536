import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import { likeEscape } from '../registry/person.repository.ts';
import { selectRows } from '../db/sql.ts';
import type { Db } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { followUpTasks } from './schema.ts';

/** SQL access to `follow_up_tasks`: every read takes the caller's DataScope (the task's division). */

export type TaskRow = typeof followUpTasks.$inferSelect;
export type NewTaskRow = Omit<TaskRow, 'completedBy' | 'completedAt' | 'outcome' | 'outcomeNote' | 'version'>;

export function taskScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return and(
    eq(followUpTasks.districtCode, scope.code.slice(0, 6)),
    sql`${followUpTasks.divisionCode} like ${`${likeEscape(scope.code)}%`}`,
  ) as SQL;
}

/**
 * New tasks in one statement; a task whose source and kind already have one is left as it is (the unique
 * index). Returns the ids of the tasks inserted now.
 */
export async function insertTasks(tx: WorkTx, rows: readonly NewTaskRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const json = JSON.stringify(
    rows.map((r) => ({
      district_code: r.districtCode,
      id: r.id,
      household_id: r.householdId,
      person_id: r.personId,
      kind: r.kind,
      title: r.title,
      division_code: r.divisionCode,
      adviser_id: r.adviserId,
      due_on: r.dueOn,
      note: r.note,
      source: r.source,
      created_at: r.createdAt,
    })),
  );
  const inserted = await selectRows<{ id: string }>(
    tx.db,
    sql`insert into follow_up_tasks (district_code, id, household_id, person_id, kind, title, division_code,
        adviser_id, due_on, state, note, source, created_at)
      select district_code, id, household_id, person_id, kind, title, division_code, adviser_id, due_on, 'open',
        note, source, created_at
      from jsonb_to_recordset(${json}::jsonb) as r(district_code text, id uuid, household_id uuid, person_id uuid,
        kind text, title text, division_code text, adviser_id uuid, due_on date, note text, source text,
        created_at timestamptz)
      on conflict (district_code, source, kind) do nothing
      returning id::text as id`,
  );
  return inserted.map((r) => r.id);
}

export interface TaskFilter {
  state?: 'open' | 'done' | undefined;
  kind?: string | undefined;
  adviserId?: string | undefined;
  limit: number;
  offset: number;
}

export async function listTaskRows(
  db: Db,
  scope: DataScope,
  filter: TaskFilter,
): Promise<{ rows: TaskRow[]; total: number }> {
  const where = and(
    taskScopeWhere(scope),
    filter.state ? eq(followUpTasks.state, filter.state) : undefined,
    filter.kind ? eq(followUpTasks.kind, filter.kind) : undefined,
    filter.adviserId ? eq(followUpTasks.adviserId, filter.adviserId) : undefined,
  );
  const rows = await db
    .select()
    .from(followUpTasks)
    .where(where)
    .orderBy(asc(followUpTasks.dueOn), asc(followUpTasks.districtCode), asc(followUpTasks.id))
    .limit(filter.limit)
    .offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(followUpTasks).where(where);
  return { rows, total: total?.n ?? 0 };
}

export async function findTask(
  db: Db,
  scope: DataScope,
  key: { districtCode: string; id: string },
): Promise<TaskRow | undefined> {
  const [row] = await db
    .select()
    .from(followUpTasks)
    .where(
      and(
        eq(followUpTasks.districtCode, key.districtCode),
        eq(followUpTasks.id, key.id),
        taskScopeWhere(scope),
      ),
    );
  return row;
}

/** Compare-and-set: an open task of this version becomes done; false when it is not (any more). */
export async function completeTaskRow(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  version: number,
  done: { outcome: string; outcomeNote: string | null; completedBy: string | null; completedAt: string },
): Promise<boolean> {
  const rows = await tx.db
    .update(followUpTasks)
    .set({ ...done, state: 'done', version: version + 1 })
    .where(
      and(
        eq(followUpTasks.districtCode, key.districtCode),
        eq(followUpTasks.id, key.id),
        eq(followUpTasks.state, 'open'),
        eq(followUpTasks.version, version),
      ),
    )
    .returning({ id: followUpTasks.id });
  return rows.length === 1;
}
