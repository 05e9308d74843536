import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 待办 (docs/events.md 待办): work a rule found for a person — tell a family of the funeral subsidy, collect a
 * payee account, reach out to a household a discovery scan found. Assigned to the household's adviser (or its
 * committee when none), with a due day in working days; completed with an outcome. Distributed by
 * `district_code`. One task per source (an event, a scan hit) and kind: creating it again changes nothing.
 */
export const followUpTasks = pgTable(
  'follow_up_tasks',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    householdId: uuid('household_id'),
    personId: uuid('person_id'),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    /** The committee (or street) responsible: the data scope reads it. */
    divisionCode: text('division_code').notNull(),
    adviserId: uuid('adviser_id'),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    state: text('state').notNull(),
    /** done | declined | not_eligible | enrolled. */
    outcome: text('outcome'),
    /** What the rule wrote when it created the task (e.g. the day of death). */
    note: text('note'),
    /** What the person who completed it wrote (办结说明). */
    outcomeNote: text('outcome_note'),
    /** What created it: `event:<district>/<id>`, or a later discovery rule's key. */
    source: text('source').notNull(),
    createdAt: stamp('created_at').notNull(),
    completedBy: text('completed_by'),
    completedAt: stamp('completed_at'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('follow_up_tasks_source_uq').on(t.districtCode, t.source, t.kind),
    index('follow_up_tasks_list_idx').on(t.districtCode, t.state, t.dueOn, t.id),
    index('follow_up_tasks_adviser_idx')
      .on(t.districtCode, t.adviserId)
      .where(sql`${t.state} = 'open'`),
    check('follow_up_tasks_state_chk', sql`${t.state} in ('open','done')`),
    check(
      'follow_up_tasks_outcome_chk',
      sql`(${t.state} = 'open' and ${t.outcome} is null and ${t.completedAt} is null)
        or (${t.state} = 'done' and ${t.outcome} in ('done','declined','not_eligible','enrolled') and ${t.completedAt} is not null)`,
    ),
  ],
);
