import { sql } from 'drizzle-orm';
import { csvChunks } from '../../db/csv.ts';
import { selectRows } from '../../db/sql.ts';
import type { Db, Session } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { RunTotals } from '../runs/runs.repository.ts';

/**
 * SQL of the payroll computation (docs/payroll.md 计算): the run's lines written by COPY, what earlier runs
 * already paid, failed lines to carry, the run's totals and its move computing → prepared. District first in
 * every statement (the distribution key).
 */

export interface NewLine {
  lineNo: number;
  payableKind: 'entitlement';
  payableId: string;
  program: string;
  householdId: string | null;
  personId: string | null;
  committeeCode: string;
  period: string;
  kind: 'regular' | 'arrears' | 'carried';
  amountFen: number;
  entitlementAmountFen: number | null;
  engineAmountFen: number | null;
  basisKind: 'entitlement' | 'decision' | 'parameter_change' | 'rule';
  basisRef: string | null;
  state: 'pending' | 'held';
  holdReason: string | null;
  payeePersonId: string;
  accountKind: string | null;
  bankCode: string | null;
  bankName: string | null;
  accountNo: string | null;
  carriedFromRun: string | null;
  carriedFromLine: number | null;
}

export const LINE_COLUMNS = [
  'district_code',
  'run_id',
  'line_no',
  'payable_kind',
  'payable_id',
  'program',
  'household_id',
  'person_id',
  'committee_code',
  'period',
  'kind',
  'amount_fen',
  'entitlement_amount_fen',
  'engine_amount_fen',
  'basis_kind',
  'basis_ref',
  'state',
  'hold_reason',
  'payee_person_id',
  'account_kind',
  'bank_code',
  'bank_name',
  'account_no',
  'carried_from_run',
  'carried_from_line',
] as const;

export function lineValues(districtCode: string, runId: string, l: NewLine): (string | number | null)[] {
  return [
    districtCode,
    runId,
    l.lineNo,
    l.payableKind,
    l.payableId,
    l.program,
    l.householdId,
    l.personId,
    l.committeeCode,
    l.period,
    l.kind,
    l.amountFen,
    l.entitlementAmountFen,
    l.engineAmountFen,
    l.basisKind,
    l.basisRef,
    l.state,
    l.holdReason,
    l.payeePersonId,
    l.accountKind,
    l.bankCode,
    l.bankName,
    l.accountNo,
    l.carriedFromRun,
    l.carriedFromLine,
  ];
}

/** The lines as COPY's CSV (the batch's audit digest is taken over this text). */
export function linesCsv(districtCode: string, runId: string, lines: readonly NewLine[]): string[] {
  return csvChunks(lines, (l) => lineValues(districtCode, runId, l));
}

/** The batch's lines by one COPY (a batch redone after a kill was rolled back whole: no line is there twice). */
export async function copyLines(session: Session, csv: readonly string[]): Promise<number> {
  if (csv.length === 0) return 0;
  return session.copyFrom('payroll_lines', LINE_COLUMNS, csv);
}

/**
 * Fresh planner statistics for what the run reads (at its start) and what it has written (before the controls).
 * The embedded store has no autovacuum, and a server's comes after the fact: with the tables believed nearly
 * empty, the page of payable entitlements was read by scanning every active one per page (2.5 s a page of
 * 2,000 households at 300,000 entitlements: the run grew with the square of the district). Sampled: a few
 * hundred milliseconds whatever the size.
 */
export async function refreshStatistics(tx: WorkTx, stage: 'start' | 'written'): Promise<void> {
  await tx.db.execute(
    stage === 'start'
      ? sql`analyze entitlements, entitlement_changes, payroll_lines, ledger_entries`
      : sql`analyze payroll_lines, ledger_entries`,
  );
}

/** The district's earlier runs (not cancelled): its first month paid and the last earlier run's start. */
export async function earlierRuns(
  db: Db,
  districtCode: string,
  runId: string,
  month: string,
): Promise<{ firstMonth: string | null; lastCreatedAt: string | null }> {
  const [row] = await selectRows<{ first_month: string | null; last_created: string | null }>(
    db,
    sql`select min(month) as first_month, max(created_at)::text as last_created from payroll_runs
      where district_code = ${districtCode} and id <> ${runId}::uuid and state <> 'cancelled' and month < ${month}`,
  );
  return {
    firstMonth: row?.first_month ?? null,
    lastCreatedAt: row?.last_created ? new Date(row.last_created).toISOString() : null,
  };
}

/**
 * Payable|period keys among `payableIds` × `periods` with a line in a run that is not cancelled (not `runId`).
 * Each payable probed by key (see accruedByPeriod: the lines table grows during the run, its statistics not).
 */
export async function periodsWithLines(
  db: Db,
  districtCode: string,
  runId: string,
  payableIds: readonly string[],
  periods: readonly string[],
): Promise<Set<string>> {
  if (payableIds.length === 0 || periods.length === 0) return new Set();
  const rows = await selectRows<{ k: string }>(
    db,
    sql`select distinct l.payable_id::text || '|' || l.period as k
      from unnest(${`{${payableIds.join(',')}}`}::uuid[]) as b(id)
      cross join lateral (
        select l.* from payroll_lines l
        where l.district_code = ${districtCode} and l.payable_id = b.id
          and l.period = any(${`{${periods.join(',')}}`}::text[]) and l.run_id <> ${runId}::uuid and l.state <> 'failed'
        offset 0
      ) l
      join payroll_runs r on r.district_code = l.district_code and r.id = l.run_id
      where r.state <> 'cancelled'`,
  );
  return new Set(rows.map((r) => r.k));
}

export interface FailedLine {
  runId: string;
  lineNo: number;
  payableId: string;
  program: string;
  householdId: string | null;
  personId: string | null;
  committeeCode: string;
  period: string;
  amountFen: number;
  entitlementAmountFen: number | null;
  engineAmountFen: number | null;
  basisKind: NewLine['basisKind'];
  basisRef: string | null;
  payeePersonId: string;
  accountKind: string | null;
  bankCode: string | null;
  bankName: string | null;
  accountNo: string | null;
}

/**
 * 银行退回待重发: lines the bank failed in earlier runs (of months before `month`) that no run still standing
 * has carried, in (run, line) order after the cursor, `limit` at most. The carried line pays what was
 * accrued and failed; its account is the one now on the entitlement when it changed meanwhile.
 */
export async function failedLinesToCarry(
  db: Db,
  districtCode: string,
  month: string,
  after: { runId: string; lineNo: number } | null,
  limit: number,
): Promise<FailedLine[]> {
  const cursor =
    after === null ? sql`` : sql`and (l.run_id, l.line_no) > (${after.runId}::uuid, ${after.lineNo}::int)`;
  const rows = await selectRows<Record<string, unknown>>(
    db,
    sql`select l.run_id::text as run_id, l.line_no, l.payable_id::text as payable_id, l.program,
        l.household_id::text as household_id, l.person_id::text as person_id, l.committee_code, l.period,
        l.amount_fen, l.entitlement_amount_fen, l.engine_amount_fen, l.basis_kind, l.basis_ref,
        coalesce(e.payee_person_id, l.payee_person_id)::text as payee_person_id, l.account_kind, l.bank_code,
        coalesce(e.bank_name, l.bank_name) as bank_name, coalesce(e.account_no, l.account_no) as account_no
      from payroll_lines l
      join payroll_runs r on r.district_code = l.district_code and r.id = l.run_id
      left join entitlements e on e.district_code = l.district_code and e.id = l.payable_id
        and l.payable_kind = 'entitlement'
      where l.district_code = ${districtCode} and l.state = 'failed' and r.month < ${month}
        and r.state <> 'cancelled' ${cursor}
        and not exists (
          select 1 from payroll_lines c join payroll_runs cr on cr.district_code = c.district_code and cr.id = c.run_id
          where c.district_code = l.district_code and c.carried_from_run = l.run_id
            and c.carried_from_line = l.line_no and cr.state <> 'cancelled')
      order by l.run_id, l.line_no
      limit ${limit}`,
  );
  return rows.map((r) => ({
    runId: r.run_id as string,
    lineNo: Number(r.line_no),
    payableId: r.payable_id as string,
    program: r.program as string,
    householdId: (r.household_id as string | null) ?? null,
    personId: (r.person_id as string | null) ?? null,
    committeeCode: r.committee_code as string,
    period: r.period as string,
    amountFen: Number(r.amount_fen),
    entitlementAmountFen: r.entitlement_amount_fen === null ? null : Number(r.entitlement_amount_fen),
    engineAmountFen: r.engine_amount_fen === null ? null : Number(r.engine_amount_fen),
    basisKind: r.basis_kind as NewLine['basisKind'],
    basisRef: (r.basis_ref as string | null) ?? null,
    payeePersonId: r.payee_person_id as string,
    accountKind: (r.account_kind as string | null) ?? null,
    bankCode: (r.bank_code as string | null) ?? null,
    bankName: (r.bank_name as string | null) ?? null,
    accountNo: (r.account_no as string | null) ?? null,
  }));
}

/** computing → prepared with the totals (compare-and-set on state and version); false when it had moved. */
export async function savePrepared(
  tx: WorkTx,
  key: { districtCode: string; runId: string },
  expected: { version: number },
  next: { version: number },
  totals: RunTotals,
  parameterChanges: readonly string[],
): Promise<boolean> {
  const rows = await selectRows<{ id: string }>(
    tx.db,
    sql`update payroll_runs set state = 'prepared', version = ${next.version}, line_count = ${totals.lineCount},
        total_fen = ${totals.totalFen}, held_count = ${totals.heldCount}, held_fen = ${totals.heldFen},
        parameter_changes = ${JSON.stringify(parameterChanges)}::jsonb, updated_at = ${tx.now.toISOString()}::timestamptz
      where district_code = ${key.districtCode} and id = ${key.runId}::uuid and state = 'computing'
        and version = ${expected.version}
      returning id::text as id`,
  );
  return rows.length === 1;
}

export interface NewRecovery {
  id: string;
  payableId: string;
  program: string;
  period: string;
  amountFen: number;
  note: string;
  personId: string | null;
  householdId: string | null;
}

/**
 * 追缴 raised by the run (a back-dated change lowered what a period already accrued): open items, cause
 * `other`, unless the payable and period already have one standing (the partial unique index). Returns the
 * ids inserted.
 */
export async function insertRecoveries(
  tx: WorkTx,
  districtCode: string,
  items: readonly NewRecovery[],
): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const at = tx.now.toISOString();
  const values = items.map(
    (r) =>
      sql`(${districtCode}, ${r.id}::uuid, 'entitlement', ${r.payableId}::uuid, ${r.program}, ${r.period},
        ${r.amountFen}::bigint, 'other', ${r.note}, ${r.personId}::uuid, ${r.householdId}::uuid, 'open',
        ${tx.actor.userId ?? 'system:job-runner'}, ${at}::timestamptz)`,
  );
  const rows = await selectRows<{ id: string }>(
    tx.db,
    sql`insert into recovery_items (district_code, id, payable_kind, payable_id, program, period, amount_fen, cause,
        note, person_id, household_id, state, raised_by, raised_at)
      values ${sql.join(values, sql`, `)}
      on conflict (district_code, payable_id, period, cause) where state <> 'cancelled' do nothing
      returning id::text as id`,
  );
  return new Set(rows.map((r) => r.id));
}
