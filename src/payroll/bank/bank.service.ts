import { createHash } from 'node:crypto';
import { mayAct } from '../../auth/roles.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { personIdentities } from '../../registry/person.repository.ts';
import { RowDigest, type WorkTx } from '../../workflow/unit-of-work.ts';
import { bankAccount, payableAccount } from '../ledger/accounts.ts';
import { postEntries, type LedgerEntry } from '../ledger/ledger.repository.ts';
import { findRun, type RunKey, type RunRow } from '../runs/runs.repository.ts';
import { closeIfSettled, loadRun, markExported, type PayrollCaller } from '../runs/runs.service.ts';
import { BankError, RUN_NOT_FOUND, type ReturnRowProblem } from './bank.errors.ts';
import {
  bankTotals,
  failedLinesNotCarried,
  failUnpayableLines,
  insertReturn,
  lastPaymentSeqs,
  ledgerPaidOfRun,
  linesByNumber,
  linesToPay,
  returnDigestSeen,
  returnsOfRun,
  settleLines,
  type FailedLineRow,
  type Settlement,
} from './bank.repository.ts';
import { bankOfCode, type AccountKind } from './banks.ts';
import {
  decodeReturnFile,
  parseReturn,
  renderBankFile,
  type BankFileLayout,
  type BankFileRecord,
} from './layouts.ts';

/**
 * 银行文件与对账 (docs/payroll.md 银行与对账): per run and bank the payment file of the lines still to pay, in
 * either layout (the first export of an approved run marks it exported); the bank's return file, checked
 * whole before anything changes (refused: nothing written, the refusal audited by the edge), which sets the
 * lines paid or failed, posts the payments to the ledger and closes the run once every line is settled; the
 * reconciliation to the fen; and the failed lines the next run carries.
 */

export type BankCaller = PayrollCaller;

function requirePermission(caller: BankCaller, permission: 'payroll.view' | 'payroll.prepare'): void {
  if (!mayAct(caller.role, permission))
    throw new BankError(
      'forbidden',
      permission === 'payroll.view' ? '您没有查看发放批次的权限' : '您没有导出银行文件或导入回盘的权限',
    );
}

export interface BankFileSummary {
  bankCode: string;
  bankName: string;
  layout: BankFileLayout;
  /** Lines still to pay (the next download's). */
  count: number;
  totalFen: number;
  paidCount: number;
  paidFen: number;
  failedCount: number;
  failedFen: number;
}

export interface BankFilesView {
  runState: string;
  month: string;
  unbankedCount: number;
  unbankedFen: number;
  banks: BankFileSummary[];
}

export async function bankFilesOf(db: Db, caller: BankCaller, key: RunKey): Promise<BankFilesView> {
  requirePermission(caller, 'payroll.view');
  const run = await loadRun(db, caller, key);
  const rows = await bankTotals(db, key);
  const out: BankFilesView = {
    runState: run.state,
    month: run.month,
    unbankedCount: 0,
    unbankedFen: 0,
    banks: [],
  };
  for (const r of rows) {
    const bank = r.bankCode === null ? null : bankOfCode(r.bankCode);
    if (!bank) {
      out.unbankedCount += r.outstandingCount + r.paidCount + r.failedCount;
      out.unbankedFen += r.outstandingFen + r.paidFen + r.failedFen;
      continue;
    }
    out.banks.push({
      bankCode: bank.code,
      bankName: bank.name,
      layout: bank.layout,
      count: r.outstandingCount,
      totalFen: r.outstandingFen,
      paidCount: r.paidCount,
      paidFen: r.paidFen,
      failedCount: r.failedCount,
      failedFen: r.failedFen,
    });
  }
  return out;
}

export interface BankFileOutput {
  fileName: string;
  contentType: string;
  bytes: Buffer;
  count: number;
  totalFen: number;
  /** SHA-256 of the bytes, as audited. */
  digest: string;
}

/** The payees' names, asked in chunks (one bound value per id). */
async function holderNames(
  db: Db,
  districtCode: string,
  ids: readonly string[],
): Promise<Map<string, { name: string }>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, { name: string }>();
  for (let start = 0; start < unique.length; start += 10_000) {
    const part = await personIdentities(db, districtCode, unique.slice(start, start + 10_000));
    for (const [id, p] of part) out.set(id, p);
  }
  return out;
}

/** Why a line without a usable account is failed at the run's first export (and carried by the next run). */
export const UNPAYABLE_REASON =
  '收款账户未登记或开户行不在代发银行目录，未能发送银行；补录账户后由下月批次重发';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The payment file of one bank (its lines still to pay); audited; the first export marks the run exported. */
export async function exportBankFile(
  tx: WorkTx,
  caller: BankCaller,
  input: RunKey & { bankCode: string; layout: BankFileLayout },
): Promise<BankFileOutput> {
  requirePermission(caller, 'payroll.prepare');
  const run = await loadRun(tx.db, caller, input);
  if (run.state !== 'approved' && run.state !== 'exported')
    throw new BankError('wrong_state', '批次审批通过后才能导出银行文件（已办结的批次没有待发放的明细）');
  const bank = bankOfCode(input.bankCode);
  if (!bank) throw new BankError('not_found', `代发银行目录中没有代码为 ${input.bankCode} 的银行`);
  const lines = await linesToPay(tx.db, { ...input, bankCode: bank.code });
  if (lines.length === 0) throw new BankError('invalid', `${bank.name}没有待发放的明细`);
  const names = await holderNames(
    tx.db,
    input.districtCode,
    lines.map((l) => l.payeePersonId),
  );
  const records: BankFileRecord[] = lines.map((l) => ({
    lineNo: l.lineNo,
    accountKind: (l.accountKind ?? 'bank') as AccountKind,
    accountNo: l.accountNo ?? '',
    holderName: names.get(l.payeePersonId)?.name ?? '',
    amountFen: l.amountFen,
    program: l.program,
    period: l.period,
  }));
  const missing = records.filter((r) => r.accountNo === '' || r.holderName === '');
  if (missing.length > 0)
    throw new BankError(
      'invalid',
      `有 ${missing.length} 笔明细缺少账号或户名（明细序号 ${missing
        .slice(0, 10)
        .map((r) => r.lineNo)
        .join('、')}），请先核对收款账户`,
    );
  const bytes = renderBankFile(
    input.layout,
    {
      districtCode: input.districtCode,
      runId: input.runId,
      month: run.month,
      bankCode: bank.code,
      fileDate: shanghaiToday(tx.now),
    },
    records,
  );
  const totalFen = records.reduce((s, r) => s + r.amountFen, 0);
  const digest = sha256(bytes);
  const fileName = `payroll-${input.districtCode}-${run.month}-${bank.code}.${input.layout === 'csv' ? 'csv' : 'txt'}`;
  const unpayable =
    run.state === 'approved' ? await failUnpayableLines(tx, input, UNPAYABLE_REASON) : { count: 0, fen: 0 };
  if (run.state === 'approved') await markExported(tx, caller.role, input);
  tx.record({
    action: 'payroll.bank_file_exported',
    entityType: 'payroll_run',
    entityId: input.runId,
    district: input.districtCode,
    after: {
      bankCode: bank.code,
      layout: input.layout,
      fileName,
      count: records.length,
      totalFen,
      digest,
      ...(unpayable.count > 0 ? { unpayableCount: unpayable.count, unpayableFen: unpayable.fen } : {}),
    },
  });
  return {
    fileName,
    contentType: input.layout === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=gbk',
    bytes,
    count: records.length,
    totalFen,
    digest,
  };
}

export interface Reconciliation {
  sentCount: number;
  sentFen: number;
  paidCount: number;
  paidFen: number;
  failedCount: number;
  failedFen: number;
  outstandingCount: number;
  outstandingFen: number;
  /** sent − paid − failed − outstanding. */
  differenceFen: number;
  /** Lines no bank file could hold (no usable account): failed at the first export, not in `sent`. */
  unsentCount: number;
  unsentFen: number;
  /** Payment entries the ledger holds for the run, and paid − that. */
  ledgerPaidFen: number;
  ledgerDifferenceFen: number;
  /** What the accepted return files said (paid + failed) − what the lines say. */
  returnedFen: number;
  returnDifferenceFen: number;
  reconciled: boolean;
  imports: {
    seq: number;
    bankCode: string;
    bankName: string;
    fileName: string;
    importedAt: string;
    importedBy: string | null;
    paidCount: number;
    paidFen: number;
    failedCount: number;
    failedFen: number;
  }[];
}

async function reconcile(db: Db, key: RunKey): Promise<Reconciliation> {
  const all = await bankTotals(db, key);
  const known = (r: (typeof all)[number]) => r.bankCode !== null && bankOfCode(r.bankCode) !== undefined;
  const rows = all.filter(known);
  const unsent = all.filter((r) => !known(r));
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0);
  const paidFen = sum((r) => r.paidFen);
  const failedFen = sum((r) => r.failedFen);
  const outstandingFen = sum((r) => r.outstandingFen);
  const sentFen = paidFen + failedFen + outstandingFen;
  const ledgerPaidFen = await ledgerPaidOfRun(db, key);
  const returns = await returnsOfRun(db, key);
  const returnedFen = returns.reduce((s, r) => s + r.paidFen + r.failedFen, 0);
  const differenceFen = sentFen - paidFen - failedFen - outstandingFen;
  const ledgerDifferenceFen = paidFen - ledgerPaidFen;
  const returnDifferenceFen = returnedFen - (paidFen + failedFen);
  return {
    sentCount: sum((r) => r.paidCount + r.failedCount + r.outstandingCount),
    sentFen,
    paidCount: sum((r) => r.paidCount),
    paidFen,
    failedCount: sum((r) => r.failedCount),
    failedFen,
    outstandingCount: sum((r) => r.outstandingCount),
    outstandingFen,
    differenceFen,
    unsentCount: unsent.reduce((n, r) => n + r.paidCount + r.failedCount + r.outstandingCount, 0),
    unsentFen: unsent.reduce((n, r) => n + r.paidFen + r.failedFen + r.outstandingFen, 0),
    ledgerPaidFen,
    ledgerDifferenceFen,
    returnedFen,
    returnDifferenceFen,
    reconciled: differenceFen === 0 && ledgerDifferenceFen === 0 && returnDifferenceFen === 0,
    imports: returns.map((r) => ({
      seq: r.seq,
      bankCode: r.bankCode,
      bankName: bankOfCode(r.bankCode)?.name ?? r.bankCode,
      fileName: r.fileName,
      importedAt: r.importedAt,
      importedBy: r.importedBy,
      paidCount: r.paidCount,
      paidFen: r.paidFen,
      failedCount: r.failedCount,
      failedFen: r.failedFen,
    })),
  };
}

export async function reconciliationOf(db: Db, caller: BankCaller, key: RunKey): Promise<Reconciliation> {
  requirePermission(caller, 'payroll.view');
  await loadRun(db, caller, key);
  return reconcile(db, key);
}

export interface ReturnImportInput extends RunKey {
  fileName: string;
  bytes: Uint8Array;
}

export interface ReturnImportResult {
  bankCode: string;
  paidCount: number;
  paidFen: number;
  failedCount: number;
  failedFen: number;
  closed: boolean;
  reconciliation: Reconciliation;
}

const refused = (problems: ReturnRowProblem[]) =>
  new BankError('return_refused', `回盘文件未导入：发现 ${problems.length} 处问题，未作任何修改`, problems);

async function runForReturn(tx: WorkTx, caller: BankCaller, key: RunKey): Promise<RunRow> {
  await loadRun(tx.db, caller, key);
  const run = await findRun(tx.db, key, true);
  if (!run) throw new BankError('not_found', RUN_NOT_FOUND);
  if (run.state !== 'approved' && run.state !== 'exported')
    throw new BankError('wrong_state', '只有已审批或已导出的批次可以导入回盘文件');
  return run;
}

/**
 * Imports the bank's return file: every row checked first — the file is this run's, the bank known, each
 * line of the run in that bank's file with the same account and amount, not settled before nor twice in the
 * file, the trailer's count and total right — and refused whole (BankError `return_refused`, rows listed)
 * on any problem. Then the lines are set paid or failed, the payments posted (idempotent by their key), the
 * return kept and audited, and the run closed when nothing is left to pay.
 */
export async function importBankReturn(
  tx: WorkTx,
  caller: BankCaller,
  input: ReturnImportInput,
): Promise<ReturnImportResult> {
  requirePermission(caller, 'payroll.prepare');
  const run = await runForReturn(tx, caller, input);
  const key: RunKey = { districtCode: input.districtCode, runId: input.runId };
  const digest = sha256(input.bytes);
  if (await returnDigestSeen(tx.db, key, digest))
    throw refused([{ row: 0, message: '该回盘文件已导入过，同一文件不能重复导入' }]);
  const parsed = parseReturn(decodeReturnFile(input.bytes));
  const problems: ReturnRowProblem[] = [...parsed.problems];
  const header = parsed.header;
  if (header && (header.districtCode !== input.districtCode || header.runId !== input.runId.toLowerCase()))
    throw refused([
      {
        row: 1,
        message: `回盘文件属于其他批次（文件头为 ${header.districtCode} 区批次 ${header.runId}），不是本批次`,
      },
    ]);
  const bank = header ? bankOfCode(header.bankCode) : null;
  if (header && !bank)
    problems.push({ row: 1, message: `代发银行目录中没有代码为 ${header.bankCode} 的银行` });
  const lines = await linesByNumber(
    tx,
    key,
    parsed.rows.map((r) => r.lineNo),
  );
  const firstRow = new Map<number, number>();
  let totalFen = 0;
  for (const r of parsed.rows) {
    totalFen += r.amountFen;
    const seen = firstRow.get(r.lineNo);
    if (seen !== undefined) {
      problems.push({ row: r.row, message: `明细序号 ${r.lineNo} 在文件中出现两次（第 ${seen} 行已有）` });
      continue;
    }
    firstRow.set(r.lineNo, r.row);
    const line = lines.get(r.lineNo);
    if (!line || (bank && line.bankCode !== bank.code) || line.amountFen <= 0 || line.accountNo === null) {
      problems.push({
        row: r.row,
        message: `明细序号 ${r.lineNo} 不在本批次${bank?.name ?? ''}的代发文件中`,
      });
      continue;
    }
    if (line.state === 'paid' || line.state === 'failed') {
      problems.push({
        row: r.row,
        message: `明细序号 ${r.lineNo} 已回盘（${line.state === 'paid' ? '已成功' : '已失败'}），不能重复导入`,
      });
      continue;
    }
    if (line.state !== 'pending' && line.state !== 'released') {
      problems.push({ row: r.row, message: `明细序号 ${r.lineNo} 不在代发文件中（挂起或不予发放）` });
      continue;
    }
    if (line.accountNo !== r.accountNo)
      problems.push({ row: r.row, message: `明细序号 ${r.lineNo} 的账号与代发文件不符` });
    if (line.amountFen !== r.amountFen)
      problems.push({
        row: r.row,
        message: `明细序号 ${r.lineNo} 的金额 ${r.amountFen} 分与代发文件的 ${line.amountFen} 分不符`,
      });
  }
  const t = parsed.trailer;
  if (t && t.count !== parsed.rows.length)
    problems.push({ row: t.row, message: `文件尾总笔数 ${t.count} 与明细笔数 ${parsed.rows.length} 不符` });
  if (t && t.totalFen !== totalFen)
    problems.push({ row: t.row, message: `文件尾总金额 ${t.totalFen} 分与明细合计 ${totalFen} 分不符` });
  if (parsed.rows.length === 0 && problems.length === 0)
    problems.push({ row: 0, message: '回盘文件没有明细' });
  if (problems.length > 0 || !bank) throw refused(problems.sort((a, b) => a.row - b.row));

  const settlements: Settlement[] = parsed.rows.map((r) => ({
    lineNo: r.lineNo,
    state: r.result,
    bankRef: r.bankRef,
    paidOn: r.paidOn,
    failureReason: r.failureReason,
  }));
  const changed = await settleLines(tx, key, settlements);
  if (changed !== settlements.length)
    throw new BankError('wrong_state', '明细已被他人同时处理，回盘未导入，请刷新后重试');

  const paid = parsed.rows.filter((r) => r.result === 'paid');
  const seqs = await lastPaymentSeqs(
    tx.db,
    input.districtCode,
    paid.map((r) => lines.get(r.lineNo)!),
  );
  const entries: LedgerEntry[] = paid.map((r) => {
    const line = lines.get(r.lineNo)!;
    const k = `${line.payableId}|${line.period}`;
    const seq = (seqs.get(k) ?? 0) + 1;
    seqs.set(k, seq);
    return {
      districtCode: input.districtCode,
      payableKind: line.payableKind,
      payableId: line.payableId,
      period: line.period,
      kind: 'payment',
      seq,
      program: line.program,
      debitAccount: payableAccount(line.program),
      creditAccount: bankAccount(input.districtCode),
      amountFen: line.amountFen,
      runId: input.runId,
      lineNo: line.lineNo,
      ...(r.paidOn ? { postedOn: r.paidOn } : {}),
    };
  });
  await postEntries(tx, entries);

  const paidFen = paid.reduce((s, r) => s + r.amountFen, 0);
  const failed = parsed.rows.filter((r) => r.result === 'failed');
  const failedFen = failed.reduce((s, r) => s + r.amountFen, 0);
  await insertReturn(tx, {
    districtCode: input.districtCode,
    runId: input.runId,
    bankCode: bank.code,
    fileName: input.fileName,
    digest,
    paidCount: paid.length,
    paidFen,
    failedCount: failed.length,
    failedFen,
    importedBy: tx.actor.userId,
    importedAt: tx.now.toISOString(),
  });
  const rowDigest = new RowDigest();
  for (const s of settlements) rowDigest.add(s);
  tx.recordBatch({
    action: 'payroll.bank_return_imported',
    entityType: 'payroll_run',
    entityId: input.runId,
    district: input.districtCode,
    digest: rowDigest,
    summary: {
      bankCode: bank.code,
      fileName: input.fileName,
      fileDigest: digest,
      paidCount: paid.length,
      paidFen,
      failedCount: failed.length,
      failedFen,
    },
  });
  const closed = run.state === 'exported' ? await closeIfSettled(tx, caller.role, key) : false;
  return {
    bankCode: bank.code,
    paidCount: paid.length,
    paidFen,
    failedCount: failed.length,
    failedFen,
    closed,
    reconciliation: await reconcile(tx.db, key),
  };
}

/** The audit record of a refused return file (its own unit: the import's was rolled back). */
export function recordRefusedReturn(
  tx: WorkTx,
  input: RunKey & { fileName: string; bytes: Uint8Array },
  error: BankError,
): void {
  tx.record({
    action: 'payroll.bank_return_refused',
    entityType: 'payroll_run',
    entityId: input.runId,
    district: input.districtCode,
    after: {
      fileName: input.fileName,
      fileDigest: sha256(input.bytes),
      problems: error.rows.length,
      first: error.rows.slice(0, 20),
    },
  });
}

/** The failed lines of the district's earlier runs that no run has carried yet (H2a's computation). */
export async function failedLinesToCarry(
  db: Db,
  districtCode: string,
  month: string,
): Promise<FailedLineRow[]> {
  return failedLinesNotCarried(db, districtCode, month);
}
