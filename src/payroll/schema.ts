import { sql } from 'drizzle-orm';
import {
  bigint,
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
 * 资金统发 (docs/payroll.md): monthly runs over the entitlements, their lines, the ledger and the recovery
 * items. Every table is keyed district-first (Citus: distributed by `district_code`, co-located with the
 * entitlements). Migration 0026_payroll.sql.
 *
 * A *payable* is what money is owed on: an entitlement, or a settlement (a canteen's month, issue 13). A
 * *period* is what one payment of it covers: a month `YYYY-MM`, or a quarter `YYYY-Qn` (老年综合津贴).
 */

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 发放批次: one district's run for one month. Its life (payroll.machine.ts): computing → prepared → checked →
 * approved → exported → closed, or cancelled before approval. Maker ≠ checker ≠ approver (CHECK and service).
 * At most one run per district and month that is not cancelled (partial unique index).
 */
export const payrollRuns = pgTable(
  'payroll_runs',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    /** The month the run pays (`YYYY-MM`). */
    month: text('month').notNull(),
    state: text('state').notNull(),
    /** The computing job (src/jobs); null once a run was entered otherwise (tests, going-live). */
    jobId: uuid('job_id'),
    preparedBy: text('prepared_by').notNull(),
    preparedAt: stamp('prepared_at').notNull(),
    checkedBy: text('checked_by'),
    checkedAt: stamp('checked_at'),
    approvedBy: text('approved_by'),
    approvedAt: stamp('approved_at'),
    exportedBy: text('exported_by'),
    exportedAt: stamp('exported_at'),
    closedAt: stamp('closed_at'),
    /** Totals once computed: lines and fen payable, lines and fen held for review. */
    lineCount: integer('line_count').notNull().default(0),
    totalFen: bigint('total_fen', { mode: 'number' }).notNull().default(0),
    heldCount: integer('held_count').notNull().default(0),
    heldFen: bigint('held_fen', { mode: 'number' }).notNull().default(0),
    /** The approved parameter changes (ids) the run computed with: what arrears and amount moves rest on. */
    parameterChanges: jsonb('parameter_changes')
      .notNull()
      .default(sql`'[]'::jsonb`),
    version: integer('version').notNull().default(1),
    createdAt: stamp('created_at').notNull(),
    updatedAt: stamp('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('payroll_runs_month_uq')
      .on(t.districtCode, t.month)
      .where(sql`${t.state} <> 'cancelled'`),
    check(
      'payroll_runs_state_chk',
      sql`${t.state} in ('computing','prepared','checked','approved','exported','closed','cancelled')`,
    ),
    check('payroll_runs_month_chk', sql`${t.month} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check(
      'payroll_runs_duties_chk',
      sql`(${t.checkedBy} is null or ${t.checkedBy} <> ${t.preparedBy})
        and (${t.approvedBy} is null or (${t.approvedBy} <> ${t.preparedBy} and ${t.approvedBy} <> ${t.checkedBy}))`,
    ),
  ],
);

/**
 * 发放明细: one payment of a payable for one period. `kind`: regular (the run's own month or quarter),
 * arrears (补发: the difference for a period already paid, one line per period), carried (a line the bank
 * failed in an earlier run, paid again), offset (a recovery item deducted). `state`: held (for review: the
 * amount differs from the entitlement without a decision), pending (in the bank file), paid, failed,
 * released (a held line reviewed and let through: pending from then), excluded (a held line reviewed and not
 * paid). Payee and account are copied at computation: the bank file pays what was checked and approved.
 */
export const payrollLines = pgTable(
  'payroll_lines',
  {
    districtCode: text('district_code').notNull(),
    runId: uuid('run_id').notNull(),
    lineNo: integer('line_no').notNull(),
    payableKind: text('payable_kind').notNull(),
    payableId: uuid('payable_id').notNull(),
    program: text('program').notNull(),
    householdId: uuid('household_id'),
    /** The beneficiary person (person programs); null for a household's payment. */
    personId: uuid('person_id'),
    committeeCode: text('committee_code').notNull(),
    period: text('period').notNull(),
    kind: text('kind').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    /** The entitlement's amount for the period before this run, and the engine's (null: could not compute). */
    entitlementAmountFen: bigint('entitlement_amount_fen', { mode: 'number' }),
    engineAmountFen: bigint('engine_amount_fen', { mode: 'number' }),
    /** Why the amount is what it is: entitlement | decision | parameter_change | rule, and its reference. */
    basisKind: text('basis_kind').notNull(),
    basisRef: text('basis_ref'),
    state: text('state').notNull(),
    holdReason: text('hold_reason'),
    payeePersonId: uuid('payee_person_id').notNull(),
    /** bank | social_security_card (社会保障卡金融账户). */
    accountKind: text('account_kind'),
    bankCode: text('bank_code'),
    bankName: text('bank_name'),
    accountNo: text('account_no'),
    /** The bank's answer: its reference, the day paid, or why it failed. */
    bankRef: text('bank_ref'),
    paidOn: date('paid_on', { mode: 'string' }),
    failureReason: text('failure_reason'),
    /** A carried line: the run and line it pays again. */
    carriedFromRun: uuid('carried_from_run'),
    carriedFromLine: integer('carried_from_line'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: stamp('reviewed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.runId, t.lineNo] }),
    // A batch redone after a kill meets its own lines: one line per payable, period and kind in a run.
    uniqueIndex('payroll_lines_payable_uq').on(t.districtCode, t.runId, t.payableId, t.period, t.kind),
    index('payroll_lines_payable_idx').on(t.districtCode, t.payableId, t.period),
    index('payroll_lines_person_idx').on(t.districtCode, t.payeePersonId),
    check('payroll_lines_payable_kind_chk', sql`${t.payableKind} in ('entitlement','settlement')`),
    check('payroll_lines_kind_chk', sql`${t.kind} in ('regular','arrears','carried','offset')`),
    check(
      'payroll_lines_state_chk',
      sql`${t.state} in ('held','pending','released','excluded','paid','failed')`,
    ),
    check(
      'payroll_lines_basis_chk',
      sql`${t.basisKind} in ('entitlement','decision','parameter_change','rule','recovery')`,
    ),
    check('payroll_lines_period_chk', sql`${t.period} ~ '^[0-9]{4}-((0[1-9]|1[0-2])|Q[1-4])$'`),
    check('payroll_lines_amount_chk', sql`${t.kind} = 'offset' or ${t.amountFen} >= 0`),
    check('payroll_lines_held_chk', sql`${t.state} <> 'held' or ${t.holdReason} is not null`),
  ],
);

/**
 * 分类账: append-only, double-entry — each entry moves `amount_fen` from `credit_account` to
 * `debit_account` (accounts: `fund:<program>:<source>`, `payable:<program>`, `bank:<district>`,
 * `receivable:<program>`; docs/payroll.md). Idempotent by (payable, period, kind, seq): `seq` 1 is a
 * period's first entry of that kind, each arrears or correction the next; a batch redone after a kill
 * inserts ON CONFLICT DO NOTHING, and what is still due for a period is the difference between the engine's
 * amount and the sum already accrued. UPDATE and DELETE are refused by a trigger.
 */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    districtCode: text('district_code').notNull(),
    payableKind: text('payable_kind').notNull(),
    payableId: uuid('payable_id').notNull(),
    period: text('period').notNull(),
    /** accrual (owed to the recipient), payment (paid by the bank), recovery (owed back), collection. */
    kind: text('kind').notNull(),
    seq: integer('seq').notNull(),
    program: text('program').notNull(),
    debitAccount: text('debit_account').notNull(),
    creditAccount: text('credit_account').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    runId: uuid('run_id'),
    lineNo: integer('line_no'),
    recoveryId: uuid('recovery_id'),
    postedOn: date('posted_on', { mode: 'string' }).notNull(),
    postedAt: stamp('posted_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.payableKind, t.payableId, t.period, t.kind, t.seq] }),
    index('ledger_entries_run_idx').on(t.districtCode, t.runId),
    check(
      'ledger_entries_kind_chk',
      sql`${t.kind} in ('accrual','payment','recovery','collection','opening')`,
    ),
    check('ledger_entries_accounts_chk', sql`${t.debitAccount} <> ${t.creditAccount}`),
    check('ledger_entries_amount_chk', sql`${t.amountFen} <> 0`),
    check('ledger_entries_seq_chk', sql`${t.seq} >= 1`),
  ],
);

/**
 * 追缴: an overpayment found later (a death, ineligibility by re-verification, a decision back-dated to stop),
 * per payable and period. Its life: open → (offset by a later payment | collected | written off) or
 * cancelled; each step with actor and reason.
 */
export const recoveryItems = pgTable(
  'recovery_items',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    payableKind: text('payable_kind').notNull(),
    payableId: uuid('payable_id').notNull(),
    program: text('program').notNull(),
    period: text('period').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    /** death | ineligible | stopped | other. */
    cause: text('cause').notNull(),
    note: text('note').notNull(),
    personId: uuid('person_id'),
    householdId: uuid('household_id'),
    state: text('state').notNull(),
    recoveredFen: bigint('recovered_fen', { mode: 'number' }).notNull().default(0),
    raisedBy: text('raised_by').notNull(),
    raisedAt: stamp('raised_at').notNull(),
    closedBy: text('closed_by'),
    closedAt: stamp('closed_at'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('recovery_items_period_uq')
      .on(t.districtCode, t.payableId, t.period, t.cause)
      .where(sql`${t.state} <> 'cancelled'`),
    check('recovery_items_cause_chk', sql`${t.cause} in ('death','ineligible','stopped','other')`),
    check(
      'recovery_items_state_chk',
      sql`${t.state} in ('open','offset','collected','written_off','cancelled')`,
    ),
    check(
      'recovery_items_amount_chk',
      sql`${t.amountFen} > 0 and ${t.recoveredFen} between 0 and ${t.amountFen}`,
    ),
    check('recovery_items_period_chk', sql`${t.period} ~ '^[0-9]{4}-((0[1-9]|1[0-2])|Q[1-4])$'`),
  ],
);
