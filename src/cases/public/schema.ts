import { sql } from 'drizzle-orm';
import {
  check,
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
 * 网上申请: what a resident sent through the public form, as they sent it (docs/public-application.md).
 * `drafted` when the registry knew the applicant and an online draft case was created (`case_id`);
 * `unmatched` when it did not, for the street to match. Both answer the resident alike. The street then
 * matches an unmatched one to a household now in the registry (`matched`, with the draft case it created)
 * or closes it with an outcome after calling the applicant (`closed`, migration 0022).
 */
export const publicApplications = pgTable(
  'public_applications',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    /** WS + ten random characters: not a serial, so it tells nothing about how many came before. */
    receiptNo: text('receipt_no').notNull(),
    name: text('name').notNull(),
    idNumber: text('id_number').notNull(),
    phone: text('phone').notNull(),
    /** The street the resident says they live in (a street of the district). */
    streetCode: text('street_code').notNull(),
    address: text('address').notNull(),
    /** 家庭情况 as the resident describes it (members, situation), free text. */
    householdNote: text('household_note').notNull(),
    programs: text('programs').array().notNull(),
    consentedAt: stamp('consented_at').notNull(),
    state: text('state').notNull(),
    caseId: uuid('case_id'),
    requestId: text('request_id'),
    receivedAt: stamp('received_at').notNull(),
    version: integer('version').notNull().default(1),
    /** 办结 outcome (outcome.service.ts ONLINE_OUTCOMES), set only in `closed`. */
    outcome: text('outcome'),
    /** The caseworker's note on the call; staff only, never shown to the applicant. */
    outcomeNote: text('outcome_note'),
    handledBy: text('handled_by'),
    handledAt: stamp('handled_at'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('public_applications_receipt_uq').on(t.districtCode, t.receiptNo),
    index('public_applications_street_idx').on(t.districtCode, t.streetCode, t.state, t.receivedAt),
    check('public_applications_state_chk', sql`${t.state} in ('drafted','unmatched','matched','closed')`),
    check(
      'public_applications_case_chk',
      sql`(${t.state} in ('drafted','matched')) = (${t.caseId} is not null)`,
    ),
    check('public_applications_outcome_chk', sql`(${t.state} = 'closed') = (${t.outcome} is not null)`),
    check(
      'public_applications_handled_chk',
      sql`(${t.state} in ('matched','closed')) = (${t.handledAt} is not null)`,
    ),
    check('public_applications_programs_chk', sql`cardinality(${t.programs}) > 0`),
    check('public_applications_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
  ],
);

export type PublicApplicationRow = typeof publicApplications.$inferSelect;
