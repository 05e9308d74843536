import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * 经济状况事实 (facts.types.ts says what each column means; docs/architecture.md the rules).
 *
 * Distribution (Citus): distributed by `district_code`, co-located with `persons` and `households` (a
 * fact lives in its subject's district). The key starts with the district and then the subject, so "the
 * facts of these subjects" is one index range per subject and a district's facts are one key range.
 * Enumerations are text with CHECK constraints (no CREATE TYPE), as elsewhere.
 */
export const economicFacts = pgTable(
  'economic_facts',
  {
    districtCode: text('district_code').notNull(),
    subjectId: uuid('subject_id').notNull(),
    id: uuid('id').notNull(),
    subjectType: text('subject_type').notNull(),
    kind: text('kind').notNull(),
    /** kind 'category': a SPEC.md special category code. */
    category: text('category'),
    /** money kinds: whole fen ≥ 0 (monthly for incomes, the stock for assets, the amount for spending). */
    amountFen: bigint('amount_fen', { mode: 'number' }),
    /** count kinds (vehicles, homes): ≥ 0. */
    quantity: integer('quantity'),
    /** flag kinds. */
    flag: boolean('flag'),
    /** kind 'disability': GB/T 26341 category 1–7 and grade 1–4, both or neither. */
    disabilityCategory: smallint('disability_category'),
    disabilityGrade: smallint('disability_grade'),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    /** Exclusive, as household_members.valid_to; null while open; always null for spending kinds. */
    validTo: date('valid_to', { mode: 'string' }),
    sourceKind: text('source_kind').notNull(),
    /** 申报表编号, the agency and its batch, the verification report number, the decision number … */
    sourceRef: text('source_ref').notNull().default(''),
    // Millisecond precision: the resolver compares recordings, and JavaScript dates carry milliseconds.
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date', precision: 3 })
      .notNull()
      .defaultNow(),
    recordedBy: text('recorded_by'),
    voidedAt: timestamp('voided_at', { withTimezone: true, mode: 'date', precision: 3 }),
    voidReason: text('void_reason'),
    replacedBy: uuid('replaced_by'),
    /** Optimistic locking for ending and correcting. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.subjectId, t.id] }),
    check('economic_facts_subject_chk', sql`${t.subjectType} in ('person','household')`),
    check(
      'economic_facts_kind_chk',
      sql`(${t.subjectType} = 'person' and ${t.kind} in ('wage','pension','other_income','disability','employment','serious_illness','supporter','category'))
      or (${t.subjectType} = 'household' and ${t.kind} in ('monetary_assets','vehicles','homes','floor_area_below_average','medical_expense','education_expense'))`,
    ),
    check(
      'economic_facts_source_chk',
      sql`(${t.kind} = 'category' and ${t.sourceKind} = 'decision')
      or (${t.kind} <> 'category' and ${t.sourceKind} in ('declared','agency','verified'))`,
    ),
    check(
      'economic_facts_value_chk',
      sql`case
        when ${t.kind} in ('wage','pension','other_income','monetary_assets','medical_expense','education_expense')
          then ${t.amountFen} is not null and ${t.amountFen} >= 0 and ${t.quantity} is null and ${t.flag} is null
            and ${t.disabilityCategory} is null and ${t.disabilityGrade} is null and ${t.category} is null
        when ${t.kind} in ('vehicles','homes')
          then ${t.quantity} is not null and ${t.quantity} >= 0 and ${t.amountFen} is null and ${t.flag} is null
            and ${t.disabilityCategory} is null and ${t.disabilityGrade} is null and ${t.category} is null
        when ${t.kind} in ('employment','serious_illness','supporter','floor_area_below_average')
          then ${t.flag} is not null and ${t.amountFen} is null and ${t.quantity} is null
            and ${t.disabilityCategory} is null and ${t.disabilityGrade} is null and ${t.category} is null
        when ${t.kind} = 'disability'
          then ((${t.disabilityCategory} is null and ${t.disabilityGrade} is null)
              or (${t.disabilityCategory} between 1 and 7 and ${t.disabilityGrade} between 1 and 4))
            and ${t.amountFen} is null and ${t.quantity} is null and ${t.flag} is null and ${t.category} is null
        when ${t.kind} = 'category'
          then ${t.category} in ('tekun','kunjing_child','orphan','traditional','rural_youth','anhui_resettled_1','anhui_resettled_2')
            and ${t.amountFen} is null and ${t.quantity} is null and ${t.flag} is null
            and ${t.disabilityCategory} is null and ${t.disabilityGrade} is null
        else false end`,
    ),
    check(
      'economic_facts_dates_chk',
      sql`(${t.validTo} is null or ${t.validTo} >= ${t.validFrom})
      and (${t.kind} not in ('medical_expense','education_expense') or ${t.validTo} is null)`,
    ),
  ],
);
