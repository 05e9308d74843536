import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 政策参数调整 (docs/parameter-changes.md): a new dated value of a parameter, proposed by one policy officer
 * and approved by another. An approved change is merged over the shipped YAML files
 * (src/parameter-changes/parameters-in-force.ts): a value at the same parameter, district and date replaces
 * the file's. A small table (a few changes a year per district): not distributed.
 *
 * `effective` is the date (YYYY-MM-DD) the value applies from, or the year (YYYY) of a yearly statistic;
 * `decided_on` is the document's own decision date (SPEC.md `decided`); `decided_by` / `decided_at` record
 * who approved, rejected or withdrew it, and when. Approval by the proposer is refused by the service and
 * by a CHECK. Approved, rejected and withdrawn changes are final (a new value is a new change).
 */
export const parameterChanges = pgTable(
  'parameter_changes',
  {
    id: uuid('id').primaryKey(),
    parameterPath: text('parameter_path').notNull(),
    /** Null: the city-wide value; else the district's own value (区级参数). */
    districtCode: text('district_code'),
    /** Integer in the parameter's unit (fen, years, days…). */
    value: bigint('value', { mode: 'number' }).notNull(),
    effective: text('effective').notNull(),
    decidedOn: text('decided_on'),
    /** 文号 of the document that sets the value. */
    documentNo: text('document_no').notNull(),
    source: text('source').notNull(),
    /** One of the YAML statuses (given, found, secondary, inferred, unverified, assumption). */
    status: text('status').notNull(),
    note: text('note'),
    /** proposed | approved | rejected | withdrawn. */
    state: text('state').notNull(),
    version: integer('version').notNull().default(1),
    proposedBy: text('proposed_by').notNull(),
    proposedAt: stamp('proposed_at').notNull(),
    /** The proposer's reason. */
    reason: text('reason').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: stamp('decided_at'),
    decisionReason: text('decision_reason'),
  },
  (t) => [
    index('parameter_changes_path_idx').on(t.parameterPath, t.proposedAt),
    index('parameter_changes_approved_idx')
      .on(t.decidedAt)
      .where(sql`${t.state} = 'approved'`),
    check('parameter_changes_state_chk', sql`${t.state} in ('proposed','approved','rejected','withdrawn')`),
    check(
      'parameter_changes_status_chk',
      sql`${t.status} in ('given','found','secondary','inferred','unverified','assumption')`,
    ),
    check('parameter_changes_district_chk', sql`${t.districtCode} ~ '^31[0-9]{4}$'`),
    check('parameter_changes_effective_chk', sql`${t.effective} ~ '^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$'`),
    check('parameter_changes_decided_on_chk', sql`${t.decidedOn} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`),
    check('parameter_changes_value_chk', sql`${t.value} >= 0`),
    check(
      'parameter_changes_decided_chk',
      sql`(${t.state} = 'proposed') = (${t.decidedAt} is null and ${t.decidedBy} is null)`,
    ),
    check(
      'parameter_changes_four_eyes_chk',
      sql`${t.state} not in ('approved','rejected') or ${t.decidedBy} <> ${t.proposedBy}`,
    ),
  ],
);

export type ParameterChangeRow = typeof parameterChanges.$inferSelect;
