import { sql } from 'drizzle-orm';
import { selectRows } from '../../db/sql.ts';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { payrollBankReturns } from './schema.ts';

/**
 * SQL of the bank module: the run's lines as the bank files see them (lines with a bank, not offsets, a
 * positive amount), their settlement from the returns, the returns kept, the payment seqs of the ledger and
 * the failed lines a later run carries. District first in every statement (the distribution key).
 */

/** A line a bank file holds: the run's line with a bank, not an offset, amount > 0. */
const IN_FILE = sql`bank_code is not null and kind <> 'offset' and amount_fen > 0`;

export interface BankTotalsRow {
  bankCode: string | null;
  bankName: string | null;
  outstandingCount: number;
  outstandingFen: number;
  paidCount: number;
  paidFen: number;
  failedCount: number;
  failedFen: number;
}

/** Per bank (null: lines without a known bank) the lines to pay, paid and failed. */
export async function bankTotals(
  db: Db,
  key: { districtCode: string; runId: string },
): Promise<BankTotalsRow[]> {
  const rows = await selectRows<Record<string, string | number | null>>(
    db,
    sql`select bank_code, max(bank_name) as bank_name,
        count(*) filter (where state in ('pending','released'))::int as oc,
        coalesce(sum(amount_fen) filter (where state in ('pending','released')), 0)::bigint as of,
        count(*) filter (where state = 'paid')::int as pc,
        coalesce(sum(amount_fen) filter (where state = 'paid'), 0)::bigint as pf,
        count(*) filter (where state = 'failed')::int as fc,
        coalesce(sum(amount_fen) filter (where state = 'failed'), 0)::bigint as ff
      from payroll_lines
      where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid
        and kind <> 'offset' and amount_fen > 0 and state in ('pending','released','paid','failed')
      group by bank_code order by bank_code nulls last`,
  );
  return rows.map((r) => ({
    bankCode: r.bank_code as string | null,
    bankName: r.bank_name as string | null,
    outstandingCount: Number(r.oc),
    outstandingFen: Number(r.of),
    paidCount: Number(r.pc),
    paidFen: Number(r.pf),
    failedCount: Number(r.fc),
    failedFen: Number(r.ff),
  }));
}

/**
 * Lines no bank file can hold — no payee account, or a bank not in the catalogue — still to pay: failed with
 * `reason`, so that the run can close and the next run carries them with the account then on the entitlement
 * (accrued, not paid: the ledger owes them until then). Returns their count and fen.
 */
export async function failUnpayableLines(
  tx: WorkTx,
  key: { districtCode: string; runId: string },
  reason: string,
): Promise<{ count: number; fen: number }> {
  const [row] = await selectRows<{ n: number; fen: string | number }>(
    tx.db,
    sql`with u as (update payroll_lines set state = 'failed', failure_reason = ${reason}
        where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid
          and state in ('pending','released') and bank_code is null and kind <> 'offset' and amount_fen > 0
        returning amount_fen)
      select count(*)::int as n, coalesce(sum(amount_fen), 0)::bigint as fen from u`,
  );
  return { count: row?.n ?? 0, fen: Number(row?.fen ?? 0) };
}

export interface FileLineRow {
  lineNo: number;
  payableKind: 'entitlement' | 'settlement';
  payableId: string;
  program: string;
  period: string;
  amountFen: number;
  state: string;
  accountKind: string | null;
  accountNo: string | null;
  payeePersonId: string;
  bankCode: string | null;
}

const FILE_LINE_COLUMNS = sql`line_no, payable_kind, payable_id::text as payable_id, program, period,
  amount_fen, state, account_kind, account_no, payee_person_id::text as payee_person_id, bank_code`;

function toFileLine(r: Record<string, unknown>): FileLineRow {
  return {
    lineNo: Number(r.line_no),
    payableKind: r.payable_kind as FileLineRow['payableKind'],
    payableId: r.payable_id as string,
    program: r.program as string,
    period: r.period as string,
    amountFen: Number(r.amount_fen),
    state: r.state as string,
    accountKind: r.account_kind as string | null,
    accountNo: r.account_no as string | null,
    payeePersonId: r.payee_person_id as string,
    bankCode: r.bank_code as string | null,
  };
}

/** The lines of one bank still to pay (pending or released), in line order: the payment file. */
export async function linesToPay(
  db: Db,
  key: { districtCode: string; runId: string; bankCode: string },
): Promise<FileLineRow[]> {
  const rows = await selectRows<Record<string, unknown>>(
    db,
    sql`select ${FILE_LINE_COLUMNS} from payroll_lines
      where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid and bank_code = ${key.bankCode}
        and ${IN_FILE} and state in ('pending','released')
      order by line_no`,
  );
  return rows.map(toFileLine);
}

/** The run's lines with these numbers, locked for the return's update. */
export async function linesByNumber(
  tx: WorkTx,
  key: { districtCode: string; runId: string },
  lineNos: readonly number[],
): Promise<Map<number, FileLineRow>> {
  if (lineNos.length === 0) return new Map();
  const rows = await selectRows<Record<string, unknown>>(
    tx.db,
    sql`select ${FILE_LINE_COLUMNS} from payroll_lines
      where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid
        and line_no = any(${`{${lineNos.join(',')}}`}::int[])
      order by line_no for update`,
  );
  return new Map(rows.map((r) => [Number(r.line_no), toFileLine(r)]));
}

const SETTLE_CHUNK = 5_000;

export interface Settlement {
  lineNo: number;
  state: 'paid' | 'failed';
  bankRef: string | null;
  paidOn: string | null;
  failureReason: string | null;
}

/**
 * Sets the lines paid or failed in one statement, only those still to pay (compare-and-set on the state):
 * returns how many changed (the caller refuses the whole file unless all did).
 */
export async function settleLines(
  tx: WorkTx,
  key: { districtCode: string; runId: string },
  settlements: readonly Settlement[],
): Promise<number> {
  let changed = 0;
  // 5 bound values a row: chunks stay far below PostgreSQL's 65,535 parameters a statement.
  for (let start = 0; start < settlements.length; start += SETTLE_CHUNK) {
    const values = settlements
      .slice(start, start + SETTLE_CHUNK)
      .map(
        (s) =>
          sql`(${s.lineNo}::int, ${s.state}::text, ${s.bankRef}::text, ${s.paidOn}::date, ${s.failureReason}::text)`,
      );
    const rows = await selectRows<{ n: number }>(
      tx.db,
      sql`with v(line_no, state, bank_ref, paid_on, failure_reason) as (values ${sql.join(values, sql`, `)}),
        u as (update payroll_lines l set state = v.state, bank_ref = v.bank_ref, paid_on = v.paid_on,
            failure_reason = v.failure_reason
          from v
          where l.district_code = ${key.districtCode} and l.run_id = ${key.runId}::uuid and l.line_no = v.line_no
            and l.state in ('pending','released')
          returning 1)
        select count(*)::int as n from u`,
    );
    changed += rows[0]?.n ?? 0;
  }
  return changed;
}

/** The last payment seq of each payable and period (0: none), keyed `payableId|period`. */
export async function lastPaymentSeqs(
  db: Db,
  districtCode: string,
  keys: readonly { payableId: string; period: string }[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (keys.length === 0) return out;
  const ids = `{${[...new Set(keys.map((k) => k.payableId))].join(',')}}`;
  const rows = await selectRows<{ payable_id: string; period: string; seq: number }>(
    db,
    sql`select payable_id::text as payable_id, period, max(seq)::int as seq from ledger_entries
      where district_code = ${districtCode} and payable_id = any(${ids}::uuid[]) and kind = 'payment'
      group by payable_id, period`,
  );
  for (const r of rows) out.set(`${r.payable_id}|${r.period}`, r.seq);
  return out;
}

/** Payment entries the ledger holds for the run: what the reconciliation compares with the paid lines. */
export async function ledgerPaidOfRun(db: Db, key: { districtCode: string; runId: string }): Promise<number> {
  const rows = await selectRows<{ fen: string | number }>(
    db,
    sql`select coalesce(sum(amount_fen), 0)::bigint as fen from ledger_entries
      where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid and kind = 'payment'`,
  );
  return Number(rows[0]?.fen ?? 0);
}

export type BankReturnRow = typeof payrollBankReturns.$inferSelect;

export async function returnsOfRun(
  db: Db,
  key: { districtCode: string; runId: string },
): Promise<BankReturnRow[]> {
  const rows = await selectRows<Record<string, unknown>>(
    db,
    sql`select * from payroll_bank_returns
      where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid order by seq`,
  );
  return rows.map((r) => ({
    districtCode: r.district_code as string,
    runId: r.run_id as string,
    seq: Number(r.seq),
    bankCode: r.bank_code as string,
    fileName: r.file_name as string,
    digest: r.digest as string,
    paidCount: Number(r.paid_count),
    paidFen: Number(r.paid_fen),
    failedCount: Number(r.failed_count),
    failedFen: Number(r.failed_fen),
    importedBy: r.imported_by as string | null,
    importedAt: new Date(r.imported_at as string | Date).toISOString(),
  }));
}

/** Records an accepted return (the next seq of the run); false when the same file was imported before. */
export async function insertReturn(tx: WorkTx, row: Omit<BankReturnRow, 'seq'>): Promise<boolean> {
  const rows = await selectRows<{ seq: number }>(
    tx.db,
    sql`insert into payroll_bank_returns (district_code, run_id, seq, bank_code, file_name, digest, paid_count,
        paid_fen, failed_count, failed_fen, imported_by, imported_at)
      select ${row.districtCode}, ${row.runId}::uuid,
        coalesce((select max(seq) from payroll_bank_returns where district_code = ${row.districtCode}
          and run_id = ${row.runId}::uuid), 0) + 1,
        ${row.bankCode}, ${row.fileName}, ${row.digest}, ${row.paidCount}, ${row.paidFen}, ${row.failedCount},
        ${row.failedFen}, ${row.importedBy}, ${row.importedAt}::timestamptz
      on conflict do nothing returning seq`,
  );
  return rows.length === 1;
}

export async function returnDigestSeen(
  db: Db,
  key: { districtCode: string; runId: string },
  digest: string,
): Promise<boolean> {
  const rows = await selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from payroll_bank_returns
      where district_code = ${key.districtCode} and run_id = ${key.runId}::uuid and digest = ${digest}`,
  );
  return (rows[0]?.n ?? 0) > 0;
}

export interface FailedLineRow {
  runId: string;
  lineNo: number;
  payableKind: 'entitlement' | 'settlement';
  payableId: string;
  program: string;
  householdId: string | null;
  personId: string | null;
  committeeCode: string;
  period: string;
  amountFen: number;
  payeePersonId: string;
  failureReason: string | null;
}

/**
 * Failed lines of the district's earlier runs (month before `month`, exported or closed) that no run since
 * has carried (a `carried` line of a run not cancelled points at it).
 */
export async function failedLinesNotCarried(
  db: Db,
  districtCode: string,
  month: string,
): Promise<FailedLineRow[]> {
  const rows = await selectRows<Record<string, unknown>>(
    db,
    sql`select l.run_id::text as run_id, l.line_no, l.payable_kind, l.payable_id::text as payable_id, l.program,
        l.household_id::text as household_id, l.person_id::text as person_id, l.committee_code, l.period,
        l.amount_fen, l.payee_person_id::text as payee_person_id, l.failure_reason
      from payroll_lines l
      join payroll_runs r on r.district_code = l.district_code and r.id = l.run_id
      where l.district_code = ${districtCode} and l.state = 'failed'
        and r.month < ${month} and r.state in ('exported','closed')
        and not exists (
          select 1 from payroll_lines c
          join payroll_runs cr on cr.district_code = c.district_code and cr.id = c.run_id
          where c.district_code = l.district_code and c.carried_from_run = l.run_id
            and c.carried_from_line = l.line_no and cr.state <> 'cancelled')
      order by r.month, l.run_id, l.line_no`,
  );
  return rows.map((r) => ({
    runId: r.run_id as string,
    lineNo: Number(r.line_no),
    payableKind: r.payable_kind as FailedLineRow['payableKind'],
    payableId: r.payable_id as string,
    program: r.program as string,
    householdId: r.household_id as string | null,
    personId: r.person_id as string | null,
    committeeCode: r.committee_code as string,
    period: r.period as string,
    amountFen: Number(r.amount_fen),
    payeePersonId: r.payee_person_id as string,
    failureReason: r.failure_reason as string | null,
  }));
}

/** The district of a run found by its id alone (the command line names a run by id). */
export async function districtOfRun(db: Db, runId: string): Promise<string | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return undefined;
  const rows = await selectRows<{ district_code: string }>(
    db,
    sql`select district_code from payroll_runs where id = ${runId}::uuid`,
  );
  return rows.length === 1 ? rows[0]!.district_code : undefined;
}
