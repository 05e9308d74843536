import { mayAct } from '../../auth/roles.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { isProgramCode, PROGRAMS } from '../../policy/index.ts';
import { accountLabel, type LedgerKind } from '../ledger/accounts.ts';
import { entriesOfRun } from '../ledger/ledger.repository.ts';
import type { RunKey } from '../runs/runs.repository.ts';
import { loadRun } from '../runs/runs.service.ts';
import { BankError } from './bank.errors.ts';
import type { BankCaller } from './bank.service.ts';

/**
 * 会计凭证 (docs/payroll.md 银行与对账): one voucher per run from the ledger entries the run posted — its
 * accruals (and their reversals) and the payments of its returns — summed per kind, program and pair of
 * accounts, each sum a debit line and a credit line. Debits equal credits by construction; the CSV adds the
 * totals. Amounts in 元 written from integer fen (no floating point).
 */

export interface VoucherLine {
  no: number;
  kind: LedgerKind;
  summary: string;
  account: string;
  accountName: string;
  debitFen: number;
  creditFen: number;
}

export interface Voucher {
  voucherNo: string;
  date: string;
  districtCode: string;
  month: string;
  lines: VoucherLine[];
  totalDebitFen: number;
  totalCreditFen: number;
}

const KIND_SUMMARY: Readonly<Record<LedgerKind, string>> = {
  accrual: '计提应付',
  payment: '银行代发',
  recovery: '确认应收追缴',
  collection: '追缴收回',
  opening: '期初已发',
};

const programName = (code: string) => (isProgramCode(code) ? PROGRAMS[code].name : code);

export async function voucherOf(db: Db, caller: BankCaller, key: RunKey, now: Date): Promise<Voucher> {
  if (!mayAct(caller.role, 'payroll.view')) throw new BankError('forbidden', '您没有查看发放批次的权限');
  const run = await loadRun(db, caller, key);
  const groups = new Map<
    string,
    { kind: LedgerKind; program: string; debit: string; credit: string; fen: number }
  >();
  for (const e of await entriesOfRun(db, key.districtCode, key.runId)) {
    const k = `${e.kind}|${e.program}|${e.debitAccount}|${e.creditAccount}`;
    const g = groups.get(k) ?? {
      kind: e.kind,
      program: e.program,
      debit: e.debitAccount,
      credit: e.creditAccount,
      fen: 0,
    };
    g.fen += e.amountFen;
    groups.set(k, g);
  }
  const order: LedgerKind[] = ['opening', 'accrual', 'payment', 'recovery', 'collection'];
  const sorted = [...groups.values()]
    .filter((g) => g.fen !== 0)
    .sort(
      (a, b) =>
        order.indexOf(a.kind) - order.indexOf(b.kind) ||
        a.program.localeCompare(b.program) ||
        a.debit.localeCompare(b.debit),
    );
  const lines: VoucherLine[] = [];
  for (const g of sorted) {
    // A net reversal (negative) is written as the opposite entry of the positive amount.
    const [debit, credit, fen] = g.fen > 0 ? [g.debit, g.credit, g.fen] : [g.credit, g.debit, -g.fen];
    const summary = `${run.month} ${programName(g.program)} ${KIND_SUMMARY[g.kind]}`;
    lines.push({
      no: lines.length + 1,
      kind: g.kind,
      summary,
      account: debit,
      accountName: accountLabel(debit, programName),
      debitFen: fen,
      creditFen: 0,
    });
    lines.push({
      no: lines.length + 1,
      kind: g.kind,
      summary,
      account: credit,
      accountName: accountLabel(credit, programName),
      debitFen: 0,
      creditFen: fen,
    });
  }
  return {
    voucherNo: `FF-${key.districtCode}-${run.month.replace('-', '')}-${key.runId.slice(0, 8)}`,
    date: shanghaiToday(now),
    districtCode: key.districtCode,
    month: run.month,
    lines,
    totalDebitFen: lines.reduce((s, l) => s + l.debitFen, 0),
    totalCreditFen: lines.reduce((s, l) => s + l.creditFen, 0),
  };
}

/** 12345 → "123.45", −5 → "-0.05": integer arithmetic only. */
export function yuanText(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

const csvCell = (v: string) =>
  /[",\r\n]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;

/** The voucher as CSV (UTF-8 with a BOM, so that spreadsheet programs read the Chinese; CRLF). */
export function voucherCsv(v: Voucher): Buffer {
  const rows: string[][] = [
    ['凭证号', '凭证日期', '分录号', '摘要', '科目', '科目名称', '借方金额（元）', '贷方金额（元）'],
    ...v.lines.map((l) => [
      v.voucherNo,
      v.date,
      String(l.no),
      l.summary,
      l.account,
      l.accountName,
      l.debitFen === 0 ? '' : yuanText(l.debitFen),
      l.creditFen === 0 ? '' : yuanText(l.creditFen),
    ]),
    [v.voucherNo, v.date, '', '合计', '', '', yuanText(v.totalDebitFen), yuanText(v.totalCreditFen)],
  ];
  return Buffer.from(`\ufeff${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`, 'utf8');
}
