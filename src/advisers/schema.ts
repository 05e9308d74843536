import { sql } from 'drizzle-orm';
import {
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * 社区救助顾问 (docs/advisers.md). Every table is keyed by district first, co-located with the households
 * it follows. `committee_code` is the household's committee when the record was written (a street's
 * reach); `case_id` names a case of the household (社会救助一件事) in the same district, when the record
 * belongs to one: the migration's foreign key on (district_code, case_id) references the cases table, which
 * this module does not import (module boundaries). Enumerations are text with CHECK constraints, as elsewhere.
 */

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

const common = {
  districtCode: text('district_code').notNull(),
  id: uuid('id').notNull(),
  householdId: uuid('household_id').notNull(),
  committeeCode: text('committee_code').notNull(),
  state: text('state').notNull(),
  version: integer('version').notNull().default(1),
  createdBy: text('created_by'),
  createdAt: stamp('created_at').notNull(),
  updatedAt: stamp('updated_at').notNull(),
};

/** An adviser's caseload: one adviser follows a household from `assigned_on` until the assignment ends. */
export const adviserAssignments = pgTable(
  'adviser_assignments',
  {
    ...common,
    adviserId: uuid('adviser_id').notNull(),
    assignedOn: date('assigned_on', { mode: 'string' }).notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('adviser_assignments_active_uq')
      .on(t.districtCode, t.householdId)
      .where(sql`${t.state} = 'active'`),
    index('adviser_assignments_adviser_idx')
      .on(t.districtCode, t.adviserId)
      .where(sql`${t.state} = 'active'`),
    check('adviser_assignments_state_chk', sql`${t.state} in ('active','ended')`),
    check('adviser_assignments_end_chk', sql`(${t.state} = 'ended') = (${t.endedOn} is not null)`),
  ],
);

const onCase = { caseId: uuid('case_id') };

/** 走访: a home visit, a call or an interview, with what the adviser saw and heard. */
export const adviserVisits = pgTable(
  'adviser_visits',
  {
    ...common,
    ...onCase,
    visitedOn: date('visited_on', { mode: 'string' }).notNull(),
    mode: text('mode').notNull(),
    notes: text('notes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    index('adviser_visits_household_idx').on(t.districtCode, t.householdId, t.visitedOn),
    check('adviser_visits_mode_chk', sql`${t.mode} in ('home','phone','interview')`),
    check('adviser_visits_state_chk', sql`${t.state} = 'recorded'`),
  ],
);

/** 需求评估: each dimension of the checklist (codes.ts) scored 0–3 with the signs seen and a note. */
export const adviserAssessments = pgTable(
  'adviser_assessments',
  {
    ...common,
    ...onCase,
    assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
    items: jsonb('items').$type<AssessmentItem[]>().notNull(),
    summary: text('summary').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    index('adviser_assessments_household_idx').on(t.districtCode, t.householdId, t.assessedOn),
    check('adviser_assessments_state_chk', sql`${t.state} = 'recorded'`),
  ],
);

export interface AssessmentItem {
  dimension: string;
  level: number;
  signs: string[];
  note: string;
}

/** 帮扶计划: the kind of support, its goals, the review date; its actions are rows of their own. */
export const adviserPlans = pgTable(
  'adviser_plans',
  {
    ...common,
    ...onCase,
    kind: text('kind').notNull(),
    goals: text('goals').notNull(),
    reviewOn: date('review_on', { mode: 'string' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    index('adviser_plans_household_idx').on(t.districtCode, t.householdId),
    uniqueIndex('adviser_plans_open_uq')
      .on(t.districtCode, t.householdId)
      .where(sql`${t.state} in ('draft','active')`),
    check('adviser_plans_kind_chk', sql`${t.kind} in ('companion','long_term','whole_course')`),
    check('adviser_plans_state_chk', sql`${t.state} in ('draft','active','completed','terminated')`),
  ],
);

/** A plan's actions, numbered within the plan; replaced together with the plan's version. */
export const adviserPlanActions = pgTable(
  'adviser_plan_actions',
  {
    districtCode: text('district_code').notNull(),
    planId: uuid('plan_id').notNull(),
    seq: integer('seq').notNull(),
    title: text('title').notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    status: text('status').notNull(),
    doneOn: date('done_on', { mode: 'string' }),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.planId, t.seq] }),
    foreignKey({
      name: 'adviser_plan_actions_plan_fk',
      columns: [t.districtCode, t.planId],
      foreignColumns: [adviserPlans.districtCode, adviserPlans.id],
    }).onDelete('cascade'),
    index('adviser_plan_actions_open_idx')
      .on(t.districtCode, t.planId, t.dueOn)
      .where(sql`${t.status} = 'open'`),
    check('adviser_plan_actions_status_chk', sql`${t.status} in ('open','done','dropped')`),
    check('adviser_plan_actions_done_chk', sql`(${t.status} = 'done') = (${t.doneOn} is not null)`),
  ],
);

/** 转介: to a program of the engine, a service or an agency; the outcome when they answer. */
export const adviserReferrals = pgTable(
  'adviser_referrals',
  {
    ...common,
    ...onCase,
    referredOn: date('referred_on', { mode: 'string' }).notNull(),
    targetKind: text('target_kind').notNull(),
    target: text('target').notNull(),
    notes: text('notes').notNull(),
    outcome: text('outcome'),
    outcomeOn: date('outcome_on', { mode: 'string' }),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    index('adviser_referrals_household_idx').on(t.districtCode, t.householdId),
    check('adviser_referrals_kind_chk', sql`${t.targetKind} in ('program','service','agency')`),
    check('adviser_referrals_state_chk', sql`${t.state} in ('referred','accepted','declined')`),
    check('adviser_referrals_outcome_chk', sql`(${t.state} = 'referred') = (${t.outcomeOn} is null)`),
  ],
);
