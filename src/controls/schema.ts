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

/**
 * 内控发现 (docs/controls.md): what an internal-control rule found, as a task with an owner, a deadline and a
 * resolution. Keyed district-first (Citus). Migration 0027_control_findings.sql.
 *
 * `subject_key` names what the finding is about independently of the run (a line's payable, period and kind
 * with the month; a person and month; a case): re-checking a run, or the run recomputed, meets the open
 * finding of the same rule and subject (partial unique index) instead of adding another; a dismissed one is
 * not raised again for the same subject. `check_id` is the last check that still found it: a check that no longer
 * finds an open finding of its month resolves it (复核时不再出现).
 */

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

export const controlFindings = pgTable(
  'control_findings',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    /** The rule's code (src/controls/rules). */
    rule: text('rule').notNull(),
    /** blocking (a run cannot be approved while open) | warning. */
    severity: text('severity').notNull(),
    /** The run the check ran for; null for checks outside runs. */
    runId: uuid('run_id'),
    month: text('month'),
    subjectKind: text('subject_kind').notNull(),
    subjectKey: text('subject_key').notNull(),
    lineNo: integer('line_no'),
    payableId: uuid('payable_id'),
    personId: uuid('person_id'),
    householdId: uuid('household_id'),
    caseId: uuid('case_id'),
    /** Chinese, with the facts that triggered it (names, months, amounts; never a full ID number). */
    description: text('description').notNull(),
    /** open → resolved | dismissed. */
    state: text('state').notNull(),
    resolution: text('resolution'),
    ownerId: text('owner_id'),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    foundAt: stamp('found_at').notNull(),
    checkedAt: stamp('checked_at').notNull(),
    /** The last check that found it (one id per checkRun). */
    checkId: uuid('check_id').notNull(),
    resolvedBy: text('resolved_by'),
    resolvedAt: stamp('resolved_at'),
    version: integer('version').notNull().default(1),
    createdAt: stamp('created_at').notNull(),
    updatedAt: stamp('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('control_findings_open_uq')
      .on(t.districtCode, t.rule, t.subjectKey)
      .where(sql`${t.state} = 'open'`),
    index('control_findings_subject_idx').on(t.districtCode, t.rule, t.subjectKey),
    index('control_findings_run_idx').on(t.districtCode, t.runId, t.state),
    index('control_findings_list_idx').on(t.districtCode, t.state, t.dueOn, t.id),
    check('control_findings_severity_chk', sql`${t.severity} in ('blocking','warning')`),
    check('control_findings_state_chk', sql`${t.state} in ('open','resolved','dismissed')`),
    check(
      'control_findings_subject_chk',
      sql`${t.subjectKind} in ('line','payable','person','household','case')`,
    ),
    check(
      'control_findings_resolution_chk',
      sql`(${t.state} = 'open') = (${t.resolution} is null)
        and (${t.state} = 'open') = (${t.resolvedAt} is null)`,
    ),
  ],
);
