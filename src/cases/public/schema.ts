import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 网上申请: what a resident sent through the public form, as they sent it (docs/public-application.md).
 * `drafted` when the registry knew the applicant and an online draft case was created (`case_id`);
 * `unmatched` when it did not, for the street to match. Both answer the resident alike.
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
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('public_applications_receipt_uq').on(t.districtCode, t.receiptNo),
    index('public_applications_street_idx').on(t.districtCode, t.streetCode, t.state, t.receivedAt),
    check('public_applications_state_chk', sql`${t.state} in ('drafted','unmatched')`),
    check('public_applications_case_chk', sql`(${t.state} = 'drafted') = (${t.caseId} is not null)`),
    check('public_applications_programs_chk', sql`cardinality(${t.programs}) > 0`),
    check('public_applications_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
  ],
);

export type PublicApplicationRow = typeof publicApplications.$inferSelect;
