import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
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
 * 联合认定、决定与待遇 (docs/entitlements.md). Every table is distributed by `district_code` (Citus) and
 * co-located with the case and the household. The foreign key of a decision line to its case
 * (`cases (district_code, id)`) is written in the migration only: this module reads cases through the cases
 * module, never through its schema (design.md, module boundaries).
 */

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 决定明细: one line per program of a case. Prepared by the caseworker from the joint determination (the
 * engine's result, its explanation and the parameter values it read are kept as they were), decided by the
 * approver's action (`decided_at`); a decided line is never changed or deleted (a trigger refuses it).
 * `beneficiaries` lists, for a granted line, each beneficiary with its amount and its payee and account.
 */
export const caseDecisions = pgTable(
  'case_decisions',
  {
    districtCode: text('district_code').notNull(),
    caseId: uuid('case_id').notNull(),
    program: text('program').notNull(),
    /** granted | denied. */
    outcome: text('outcome').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    startMonth: text('start_month').notNull(),
    /** The determination's month (the engine ran for it). */
    month: text('month').notNull(),
    /** Why a program is denied (Chinese), the engine's own reasons or the caseworker's. */
    reasons: text('reasons').array().notNull(),
    engineEligible: boolean('engine_eligible'),
    engineAmountFen: bigint('engine_amount_fen', { mode: 'number' }),
    explanation: text('explanation').notNull(),
    /** The parameter values the engine read: [{parameter, value, unit, effective, status, source}]. */
    parameters: jsonb('parameters').notNull(),
    beneficiaries: jsonb('beneficiaries').notNull(),
    /** The verification report it rests on (request, revision, number); a grant always has one. */
    reportRequestId: uuid('report_request_id'),
    reportRevision: integer('report_revision'),
    reportNo: text('report_no'),
    reportIssuedOn: date('report_issued_on', { mode: 'string' }),
    preparedBy: text('prepared_by'),
    preparedAt: stamp('prepared_at').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: stamp('decided_at'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.caseId, t.program] }),
    check('case_decisions_outcome_chk', sql`${t.outcome} in ('granted','denied')`),
    check(
      'case_decisions_amount_chk',
      sql`${t.amountFen} >= 0 and (${t.outcome} = 'granted' or ${t.amountFen} = 0)`,
    ),
    check('case_decisions_reasons_chk', sql`${t.outcome} = 'granted' or cardinality(${t.reasons}) > 0`),
    check('case_decisions_month_chk', sql`${t.startMonth} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check(
      'case_decisions_report_chk',
      sql`${t.outcome} = 'denied' or (${t.reportRequestId} is not null and ${t.engineEligible})`,
    ),
    check('case_decisions_decided_chk', sql`(${t.decidedBy} is null) or (${t.decidedAt} is not null)`),
  ],
);

/**
 * 待遇: what payroll pays (issue 11). One per program and beneficiary — the household for household programs,
 * the person for person programs (SPEC.md) — with its payee and account, schedule, amount, months and state.
 * Its basis is a decision line of a case, or the name of the rule that enrolled it automatically (免申即享):
 * never neither, never both (CHECK). At most one open (active or suspended, no end month) per program and
 * beneficiary (a partial unique index).
 */
export const entitlements = pgTable(
  'entitlements',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    program: text('program').notNull(),
    /** household | person. */
    beneficiaryKind: text('beneficiary_kind').notNull(),
    /** The household id, or the person id. */
    beneficiaryId: uuid('beneficiary_id').notNull(),
    householdId: uuid('household_id').notNull(),
    personId: uuid('person_id'),
    /** The household's residents' committee when granted: a street or committee sees its own. */
    committeeCode: text('committee_code').notNull(),
    payeePersonId: uuid('payee_person_id').notNull(),
    /** beneficiary | guardian | household_member (household programs: the member who receives it). */
    payeeRole: text('payee_role').notNull(),
    bankName: text('bank_name'),
    accountNo: text('account_no'),
    /** monthly | quarterly | once (schedules.ts, with its SPEC.md source). */
    schedule: text('schedule').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    fromMonth: text('from_month').notNull(),
    /** The last month payable (inclusive); null while open. */
    toMonth: text('to_month'),
    state: text('state').notNull(),
    caseId: uuid('case_id'),
    decisionProgram: text('decision_program'),
    rule: text('rule'),
    version: integer('version').notNull().default(1),
    createdAt: stamp('created_at').notNull(),
    updatedAt: stamp('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('entitlements_open_uq')
      .on(t.districtCode, t.program, t.beneficiaryId)
      .where(sql`${t.state} <> 'stopped' and ${t.toMonth} is null`),
    index('entitlements_list_idx').on(t.districtCode, t.committeeCode, t.program, t.state),
    index('entitlements_household_idx').on(t.districtCode, t.householdId),
    index('entitlements_case_idx').on(t.districtCode, t.caseId),
    check('entitlements_kind_chk', sql`${t.beneficiaryKind} in ('household','person')`),
    check(
      'entitlements_beneficiary_chk',
      sql`(${t.beneficiaryKind} = 'household' and ${t.personId} is null and ${t.beneficiaryId} = ${t.householdId})
        or (${t.beneficiaryKind} = 'person' and ${t.personId} is not null and ${t.beneficiaryId} = ${t.personId})`,
    ),
    check(
      'entitlements_payee_role_chk',
      sql`${t.payeeRole} in ('beneficiary','guardian','household_member')`,
    ),
    check('entitlements_schedule_chk', sql`${t.schedule} in ('monthly','quarterly','once')`),
    check('entitlements_state_chk', sql`${t.state} in ('active','suspended','stopped')`),
    check('entitlements_amount_chk', sql`${t.amountFen} >= 0`),
    check(
      'entitlements_months_chk',
      sql`${t.fromMonth} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$' and (${t.toMonth} is null or (${t.toMonth} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$' and ${t.toMonth} >= ${t.fromMonth}))`,
    ),
    check(
      'entitlements_basis_chk',
      sql`(${t.caseId} is not null and ${t.decisionProgram} is not null and ${t.rule} is null)
        or (${t.caseId} is null and ${t.decisionProgram} is null and ${t.rule} is not null)
        or (${t.caseId} is not null and ${t.decisionProgram} is null and ${t.rule} = 'pay_first')`,
    ),
    check('entitlements_account_chk', sql`(${t.bankName} is null) = (${t.accountNo} is null)`),
  ],
);

/**
 * 待遇变动记录: every change of an entitlement (created, amount changed, suspended, stopped, restarted, payee
 * changed) with the record before and after, the reason, the basis, the actor and the day; append-only.
 */
export const entitlementChanges = pgTable(
  'entitlement_changes',
  {
    districtCode: text('district_code').notNull(),
    entitlementId: uuid('entitlement_id').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind').notNull(),
    before: jsonb('before'),
    after: jsonb('after').notNull(),
    reason: text('reason').notNull(),
    caseId: uuid('case_id'),
    decisionProgram: text('decision_program'),
    rule: text('rule'),
    actorId: text('actor_id'),
    /** The first month the change applies to (an amount changed or a stop by a decision; migration 0020). */
    effectiveMonth: text('effective_month'),
    changedOn: date('changed_on', { mode: 'string' }).notNull(),
    changedAt: stamp('changed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.entitlementId, t.seq] }),
    check(
      'entitlement_changes_kind_chk',
      sql`${t.kind} in ('created','amount_changed','suspended','stopped','restarted','payee_changed')`,
    ),
  ],
);
