import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * 人口信息库 — the population registry.
 *
 * Distribution (Citus): `divisions` is a reference table (small, replicated to every node);
 * `households`, `persons` and `household_members` are distributed by `district_code` and co-located,
 * so a household, its members and its people always sit on one node and every primary key starts with
 * the district code.
 *
 * Codes follow the national tables in shared/standards/code-tables.md: sex GB/T 2261.1, marital status
 * GB/T 2261.2, relation to the head GB/T 4761, disability category GB/T 26341, ethnicity GB/T 3304,
 * divisions GB/T 2260 (+ the NBS 9/12-digit street and committee codes).
 */

/** 行政区划: province (2), city (4), district (6), street/town (9) and residents/village committee (12 digits). */
export const divisions = pgTable(
  'divisions',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    level: text('level').notNull(),
    parentCode: text('parent_code'),
    districtCode: text('district_code'),
  },
  (t) => [
    index('divisions_parent_idx').on(t.parentCode),
    check('divisions_level_chk', sql`${t.level} in ('province','city','district','street','committee')`),
  ],
);

/** 户: the benefit unit, living at one address in one residents' committee. */
export const households = pgTable(
  'households',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    /** 户编号 shown to staff, unique within the district. */
    householdNo: text('household_no').notNull(),
    streetCode: text('street_code').notNull(),
    committeeCode: text('committee_code').notNull(),
    address: text('address').notNull().default(''),
    /**
     * 户主姓名 and its pinyin initials, as on the 户口簿: kept equal to the current head's name by every
     * writer of memberships (refreshHouseholdHeads), so that search by head reads one table.
     */
    headName: text('head_name'),
    headInitials: text('head_initials'),
    // Latest declared or verified economic situation (SPEC.md household fields); the verification
    // module will supersede these with dated reports.
    monetaryAssetsFen: bigint('monetary_assets_fen', { mode: 'number' }).notNull().default(0),
    vehicles: smallint('vehicles').notNull().default(0),
    homes: smallint('homes').notNull().default(1),
    perCapitaFloorAreaBelowAverage: boolean('per_capita_floor_area_below_average').notNull().default(false),
    medicalExpenseAnnualFen: bigint('medical_expense_annual_fen', { mode: 'number' }).notNull().default(0),
    educationExpenseAnnualFen: bigint('education_expense_annual_fen', { mode: 'number' })
      .notNull()
      .default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Optimistic locking: every edit compares and increments it (a stale write is refused, 409). */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    // Secondary indexes lead with the column that tells rows apart and carry district_code after it:
    // within a district a leading district_code is the same on every row, which only slows the
    // sorts that build them (1M persons: 8.5 → 6.1 s for all of them). Queries still pin the
    // district with an equality, and Citus needs the distribution column in unique indexes only.
    uniqueIndex('households_no_uq').on(t.householdNo, t.districtCode),
    // The three orders a household list is read in (household.repository.ts); each index also carries
    // the scope columns so that the scope filter is checked on the index before a row is read.
    index('households_list_idx').on(
      t.streetCode,
      t.committeeCode,
      sql`${t.householdNo} collate "C"`,
      t.id,
      t.districtCode,
    ),
    index('households_head_name_idx').on(
      sql`${t.headName} collate "C"`,
      sql`${t.householdNo} collate "C"`,
      t.districtCode,
      t.streetCode,
      t.committeeCode,
    ),
    index('households_head_initials_idx').on(
      sql`${t.headInitials} collate "C"`,
      sql`${t.headName} collate "C"`,
      sql`${t.householdNo} collate "C"`,
      t.districtCode,
      t.streetCode,
      t.committeeCode,
    ),
    check(
      'households_assets_chk',
      sql`${t.monetaryAssetsFen} >= 0 and ${t.vehicles} >= 0 and ${t.homes} >= 0`,
    ),
  ],
);

/** 人员. `district_code` is the managing district: that of the residence committee. */
export const persons = pgTable(
  'persons',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    idNumber: text('id_number').notNull(),
    name: text('name').notNull(),
    /** Pinyin initials of the name (张三 → zs), for search. */
    nameInitials: text('name_initials').notNull(),
    sex: smallint('sex').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    deathDate: date('death_date', { mode: 'string' }),
    ethnicity: text('ethnicity'),
    maritalStatus: text('marital_status'),
    phone: text('phone'),
    /** 户籍地区划: a Shanghai committee/street code, or the 6-digit code of a place outside Shanghai. */
    hukouDivisionCode: text('hukou_division_code').notNull(),
    residenceDivisionCode: text('residence_division_code').notNull(),
    disabilityCategory: smallint('disability_category'),
    disabilityGrade: smallint('disability_grade'),
    employed: boolean('employed').notNull().default(false),
    seriousIllness: boolean('serious_illness').notNull().default(false),
    hasSupporter: boolean('has_supporter').notNull().default(true),
    /** Special categories of SPEC.md (tekun, kunjing_child, orphan, traditional, rural_youth, anhui_resettled_1/2). */
    categories: text('categories')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    // Latest declared or verified monthly income, in fen (see households).
    wageFen: bigint('wage_fen', { mode: 'number' }).notNull().default(0),
    pensionFen: bigint('pension_fen', { mode: 'number' }).notNull().default(0),
    otherIncomeFen: bigint('other_income_fen', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Optimistic locking: every edit compares and increments it (a stale write is refused, 409). */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    // As for households: the telling column first, district_code after it.
    uniqueIndex('persons_id_number_uq').on(t.idNumber, t.districtCode),
    // Under the C collation one index serves both a prefix LIKE and the list order (search pages stop
    // after one page of rows); district, residence and death date ride along so that the scope and
    // the living-only filter are checked on the index.
    index('persons_name_idx').on(
      sql`${t.name} collate "C"`,
      t.id,
      t.districtCode,
      t.residenceDivisionCode,
      t.deathDate,
    ),
    index('persons_initials_idx').on(
      sql`${t.nameInitials} collate "C"`,
      sql`${t.name} collate "C"`,
      t.id,
      t.districtCode,
      t.residenceDivisionCode,
      t.deathDate,
    ),
    // text_pattern_ops: the division scope (prefix LIKE) uses it whatever the database collation.
    index('persons_residence_idx').on(t.residenceDivisionCode.op('text_pattern_ops'), t.districtCode),
    // The few persons with a special category (the dashboard counts them without scanning everyone).
    index('persons_categories_idx')
      .on(t.districtCode, t.residenceDivisionCode)
      .where(sql`${t.categories} <> '{}'::text[]`),
    // Staff often search by the last four characters of the ID number (身份证后四位).
    index('persons_id_last4_idx').on(sql`right(${t.idNumber}, 4)`, t.districtCode),
    check('persons_sex_chk', sql`${t.sex} in (0, 1, 2, 9)`),
    check(
      'persons_disability_chk',
      sql`(${t.disabilityCategory} is null or ${t.disabilityCategory} between 1 and 7)
      and (${t.disabilityGrade} is null or ${t.disabilityGrade} between 1 and 4)`,
    ),
    check('persons_income_chk', sql`${t.wageFen} >= 0 and ${t.pensionFen} >= 0 and ${t.otherIncomeFen} >= 0`),
  ],
);

/**
 * Membership history: who was in which household, from when to when. A row with `valid_to` null is
 * current; a person has at most one current membership.
 */
export const householdMembers = pgTable(
  'household_members',
  {
    districtCode: text('district_code').notNull(),
    householdId: uuid('household_id').notNull(),
    personId: uuid('person_id').notNull(),
    /** GB/T 4761 relation to the head ('02' = the head). */
    relationCode: text('relation_code').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    /** Why the membership ended (codes.ts END_REASONS); null while current. */
    endReason: text('end_reason'),
    seq: integer('seq').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.householdId, t.personId, t.validFrom] }),
    uniqueIndex('household_members_current_uq')
      .on(t.districtCode, t.personId)
      .where(sql`${t.validTo} is null`),
    index('household_members_person_idx').on(t.personId, t.districtCode),
    // One current head (户主, GB/T 4761 '02') per household.
    uniqueIndex('household_members_head_uq')
      .on(t.districtCode, t.householdId)
      .where(sql`${t.validTo} is null and ${t.relationCode} = '02'`),
    check('household_members_dates_chk', sql`${t.validTo} is null or ${t.validTo} >= ${t.validFrom}`),
    check(
      'household_members_end_reason_chk',
      sql`${t.endReason} is null or ${t.endReason} in ('moved_out','moved','death','head_changed','relation_changed','correction','other')`,
    ),
  ],
);
