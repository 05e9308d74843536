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
 * 跨区迁移: a person moving to another district of the city. The sending district starts it, the
 * receiving district accepts (choosing the household) or refuses; until it is accepted nothing moves.
 * The state is the machine's (transfer.machine.ts); every step is an event in `workflow_event`.
 *
 * Distribution (Citus): by the sending district (`district_code`), co-located with the person's row there,
 * so that the transfer and the person it moves are read together. The receiving district's list
 * (`to_district_code`) reads across shards; transfers are few, and the index keeps that list short.
 */
export const personTransfers = pgTable(
  'person_transfers',
  {
    /** The sending district (the person's managing district when the transfer started). */
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    /** The person's id: the same city-wide, before and after the move. */
    personId: uuid('person_id').notNull(),
    /** The person's residence committee when the transfer started (the sending side's reach). */
    fromCommitteeCode: text('from_committee_code').notNull(),
    /** The household the person leaves (null when they belonged to none). */
    fromHouseholdId: uuid('from_household_id'),
    toDistrictCode: text('to_district_code').notNull(),
    /** The committee the sender names, if it knows it (a hint; the receiver chooses the household). */
    toCommitteeCode: text('to_committee_code'),
    /** The old membership ends and the new one starts on this day. */
    moveDate: date('move_date', { mode: 'string' }).notNull(),
    state: text('state').notNull(),
    version: integer('version').notNull().default(1),
    /** Set on acceptance: the household the person joined and their relation to its head (GB/T 4761). */
    toHouseholdId: uuid('to_household_id'),
    toRelationCode: text('to_relation_code'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string', precision: 3 }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'string', precision: 3 }),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    // One open transfer per person at a time.
    uniqueIndex('person_transfers_pending_uq')
      .on(t.districtCode, t.personId)
      .where(sql`${t.state} = 'pending'`),
    index('person_transfers_incoming_idx').on(t.toDistrictCode, t.state, t.createdAt),
    index('person_transfers_person_idx').on(t.personId, t.districtCode),
    check('person_transfers_state_chk', sql`${t.state} in ('pending','accepted','refused','withdrawn')`),
    check(
      'person_transfers_districts_chk',
      sql`${t.districtCode} ~ '^[0-9]{6}$' and ${t.toDistrictCode} ~ '^[0-9]{6}$' and ${t.toDistrictCode} <> ${t.districtCode}`,
    ),
    check(
      'person_transfers_accepted_chk',
      sql`(${t.state} = 'accepted') = (${t.toHouseholdId} is not null and ${t.toRelationCode} is not null)`,
    ),
  ],
);
