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
 * 近亲属备案 (docs/relatives.md). Both tables are keyed by `district_code` first (Citus): a staff
 * member's link and declarations live in the district of their division (310000 for the city's staff),
 * so that a case's conflict check reads its own district and the city's.
 */

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 工作人员与本人人员信息的关联: a staff user (`kind` user, `user_id` set) or a residents' committee member
 * who has no account (`kind` committee, `committee_role` set), tied to their own record in the registry by
 * ID number. `person_id` is null while the registry has no such person; the ID number is kept either way, so
 * a person added later is still matched. A committee member leaves on `ended_on`; the row stays.
 */
export const staffLinks = pgTable(
  'staff_links',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(),
    userId: uuid('user_id'),
    /** The user's division, or the committee (12 digits) the member serves. */
    divisionCode: text('division_code').notNull(),
    name: text('name').notNull(),
    /** 居委会成员的职务 (主任、委员…); null for users. */
    committeeRole: text('committee_role'),
    idNumber: text('id_number').notNull(),
    personId: uuid('person_id'),
    linkedBy: text('linked_by').notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
    createdAt: stamp('created_at').notNull(),
    updatedAt: stamp('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    // With the distribution column, as Citus requires; the service keeps one link per user across districts.
    uniqueIndex('staff_links_user_uq')
      .on(t.userId, t.districtCode)
      .where(sql`${t.userId} is not null`),
    index('staff_links_person_idx')
      .on(t.personId, t.districtCode)
      .where(sql`${t.endedOn} is null`),
    index('staff_links_division_idx').on(t.divisionCode.op('text_pattern_ops'), t.districtCode),
    check('staff_links_kind_chk', sql`${t.kind} in ('user','committee')`),
    check(
      'staff_links_kind_fields_chk',
      sql`(${t.kind} = 'user' and ${t.userId} is not null and ${t.committeeRole} is null)
      or (${t.kind} = 'committee' and ${t.userId} is null and ${t.committeeRole} is not null)`,
    ),
  ],
);

/**
 * 近亲属备案: one declared relative of a staff member, by ID number (matched to a registry person when
 * there is one), with the relation as a GB/T 4761 code from relation-kinds.ts. Declarations are never
 * edited: a wrong or past one is ended (`ended_on`, with a reason) and a new one declared, so the history
 * stays readable.
 */
export const relativeDeclarations = pgTable(
  'relative_declarations',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    staffId: uuid('staff_id').notNull(),
    relationCode: text('relation_code').notNull(),
    relativeName: text('relative_name').notNull(),
    relativeIdNumber: text('relative_id_number').notNull(),
    relativePersonId: uuid('relative_person_id'),
    declaredOn: date('declared_on', { mode: 'string' }).notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
    endReason: text('end_reason'),
    declaredBy: text('declared_by').notNull(),
    endedBy: text('ended_by'),
    createdAt: stamp('created_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    index('relative_declarations_staff_idx').on(t.districtCode, t.staffId),
    index('relative_declarations_id_number_idx').on(t.relativeIdNumber, t.districtCode),
    index('relative_declarations_person_idx')
      .on(t.relativePersonId, t.districtCode)
      .where(sql`${t.relativePersonId} is not null`),
    check('relative_declarations_end_chk', sql`(${t.endedOn} is null) = (${t.endReason} is null)`),
    check('relative_declarations_dates_chk', sql`${t.endedOn} is null or ${t.endedOn} >= ${t.declaredOn}`),
  ],
);
