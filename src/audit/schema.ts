import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * 审计日志: append-only, hash-chained. Each row's `hash` is SHA-256 over its canonical serialisation and
 * the previous row's hash (`prev_hash`), so editing, deleting or reordering rows breaks the chain and
 * `minzheng audit verify` finds every broken row. `hash_version` names the serialisation (src/audit/hash.ts).
 * One chain for the whole installation (not distributed by district): appends are serialised on the
 * `audit_head` row, and ids are dense from the first v2 row on (each is its predecessor's plus one).
 * `district_code` (the record's district, 310000 for the city level) scopes reading.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: timestamp('at', { withTimezone: true, mode: 'string', precision: 3 }).notNull(),
    actorId: text('actor_id'),
    actorDivision: text('actor_division'),
    districtCode: text('district_code').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    reason: text('reason'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    hashVersion: smallint('hash_version').notNull(),
  },
  (t) => [
    index('audit_log_entity_idx').on(t.entityType, t.entityId),
    index('audit_log_actor_idx').on(t.actorId),
    // The list reads one district newest first; a date range reads by time.
    index('audit_log_district_idx').on(t.districtCode, t.id),
    index('audit_log_at_idx').on(t.at),
    // The newest row of a district and entity type: the change mark of derived figures (lastAuditIdOf).
    index('audit_log_district_entity_idx').on(t.districtCode, t.entityType, t.id),
    // A person's membership rows are keyed householdId/personId/validFrom: "this person's rows" by person.
    index('audit_log_member_person_idx')
      .on(sql`split_part(${t.entityId}, '/', 2)`)
      .where(sql`${t.entityType} = 'household_member'`),
    check('audit_log_hash_chk', sql`length(${t.hash}) = 64 and length(${t.prevHash}) = 64`),
    check('audit_log_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
    check('audit_log_hash_version_chk', sql`${t.hashVersion} in (1, 2)`),
  ],
);

/**
 * The chain's head: one row holding the last id and hash. Appenders lock it (SELECT … FOR UPDATE) so that
 * concurrent transactions form one chain, and verify compares it with the last row so that deleting the
 * newest rows is detected too.
 */
export const auditHead = pgTable(
  'audit_head',
  {
    singleton: integer('singleton').primaryKey().default(1),
    lastId: bigint('last_id', { mode: 'number' }).notNull().default(0),
    lastHash: text('last_hash').notNull(),
    count: bigint('count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('audit_head_singleton_chk', sql`${t.singleton} = 1`)],
);
