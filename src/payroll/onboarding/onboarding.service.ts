/**
 * 在保对象导入 (going live, docs/payroll-onboarding.md): a bureau that starts mid-year imports the recipients
 * it already pays — their entitlements, payees and accounts, and the last month paid — from the template
 * (template.ts). As the roster import (src/registry/import), every problem is collected with its row and
 * column, and any problem means nothing is written. Two steps: `readRecipients` reads and checks the file
 * outside any transaction; `writeRecipients` checks it against the registry and the open entitlements and,
 * in the caller's unit of work, writes it all at once: the entitlements (basis rule `going_live`) with their
 * `created` change records by COPY (src/entitlements/entitlement.bulk.ts), the payees' accounts where they have
 * none yet (src/payees' table), one ledger `opening` entry per period paid before going live
 * (src/payroll/ledger), and the batch's one audit record with the digest of every row written.
 */
import { randomUUID } from 'node:crypto';
import { inScope, type DataScope } from '../../auth/scope.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { visibleLength } from '../../core/text.ts';
import type { Store } from '../../db/store.ts';
import { copyCreatedEntitlements } from '../../entitlements/entitlement.bulk.ts';
import { snapshot } from '../../entitlements/entitlement.present.ts';
import type { ChangeRow, EntitlementRow } from '../../entitlements/entitlement.repository.ts';
import type { PayeeAccountRow } from '../../payees/payee.repository.ts';
import { entitlementBankName } from '../../payees/payee.service.ts';
import type { ParameterStore } from '../../policy/index.ts';
import { DEFAULT_IMPORT_LIMITS, limitMessages, type ImportLimits } from '../../registry/import/limits.ts';
import { IssueList, type ImportActor, type ImportIssue } from '../../registry/import/report.ts';
import { FileProblem, openSource, type ImportFile, type OpenedSource } from '../../registry/import/source.ts';
import { inUnitOfWork, RowDigest, type WorkTx } from '../../workflow/unit-of-work.ts';
import { accountsOf } from '../ledger/accounts.ts';
import { postEntries, type LedgerEntry } from '../ledger/ledger.repository.ts';
import {
  insertPayeeAccounts,
  lockRecipientImports,
  type NewPayeeAccountRow,
} from './onboarding.repository.ts';
import { openingPeriods } from './periods.ts';
import { resolveRecipients, type Resolved } from './resolve.ts';
import { addMonths, mapRecipientHeaders, parseRecipientRow, type RecipientRow } from './rows.ts';

export type { ImportIssue } from '../../registry/import/report.ts';

/** The basis of an imported entitlement (entitlements.rule): it was paid before this system went live. */
export const GOING_LIVE_RULE = 'going_live';
/**
 * The funding source named in the opening entries' fund account (`fund:<program>:going_live`): what was paid
 * before going live was paid from the bureau's books, not from a source this system allocated.
 */
export const OPENING_SOURCE = 'going_live';

export interface RecipientImportOptions {
  /** The district imported into (the finance officer's). */
  districtCode: string;
  scope: DataScope;
  actor: ImportActor;
  dryRun?: boolean;
  limits?: Partial<ImportLimits>;
  uploadDir?: string;
  /** The day the import runs (Shanghai): months after its month are refused. */
  today?: string;
  /** The parameters read (the age of majority); the shipped ones by default. */
  parameters?: ParameterStore;
}

export interface RecipientImportReport {
  ok: boolean;
  dryRun: boolean;
  /** Data rows read. */
  rows: number;
  /** Entitlements written (or that would be, on a check); 0 when there are errors. */
  entitlements: number;
  /** Payee accounts registered (src/payees) for payees without a current one. */
  payeeAccounts: number;
  /** Ledger opening entries written (or that would be). */
  openingEntries: number;
  /** The sum of the opening entries (fen): what was paid before going live. */
  openingFen: number;
  errors: ImportIssue[];
  errorCount: number;
}

/** A recipients file read and checked on its own, waiting for its unit of work. */
export class RecipientsRead {
  private written = false;
  constructor(
    readonly issues: IssueList,
    readonly options: RecipientImportOptions,
    readonly refused: RecipientImportReport | undefined,
    readonly source: OpenedSource | undefined,
    readonly rows: number,
    readonly recipients: readonly RecipientRow[],
  ) {}

  take(): void {
    if (this.written) throw new Error('a recipients file is written once: read it again');
    this.written = true;
  }

  async dispose(): Promise<void> {
    await this.source?.dispose();
  }
}

function reportOf(
  issues: IssueList,
  dryRun: boolean,
  rows: number,
  counts = { entitlements: 0, payeeAccounts: 0, openingEntries: 0, openingFen: 0 },
): RecipientImportReport {
  const ok = issues.count === 0;
  return {
    ok,
    dryRun,
    rows,
    entitlements: ok ? counts.entitlements : 0,
    payeeAccounts: ok ? counts.payeeAccounts : 0,
    openingEntries: ok ? counts.openingEntries : 0,
    openingFen: ok ? counts.openingFen : 0,
    errors: issues.list(),
    errorCount: issues.count,
  };
}

/** Step 1, outside any transaction: the reason, the file, the header and every row on its own. */
export async function readRecipients(
  file: ImportFile,
  options: RecipientImportOptions,
): Promise<RecipientsRead> {
  const dryRun = options.dryRun ?? false;
  const issues = new IssueList();
  const refuse = (reason: string | undefined, source?: OpenedSource) => {
    if (reason !== undefined) issues.add({ row: null, column: null, value: null, reason });
    void source?.dispose();
    return new RecipientsRead(issues, options, reportOf(issues, dryRun, 0), undefined, 0, []);
  };
  if (visibleLength(options.actor.reason) === 0) return refuse('请填写导入原因（写入审计日志）');
  if (!/^\d{6}$/.test(options.districtCode) || !inScope(options.scope, options.districtCode)) {
    return refuse('导入的区不在您的数据范围内');
  }
  const limits: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
  let source: OpenedSource;
  try {
    source = await openSource(file, {
      limits,
      ...(options.uploadDir === undefined ? {} : { uploadDir: options.uploadDir }),
    });
  } catch (error) {
    if (!(error instanceof FileProblem)) throw error;
    return refuse(error.message);
  }
  const today = options.today ?? shanghaiToday();
  const context = { month: today.slice(0, 7), today, maxCellChars: limits.maxCellChars };
  const recipients: RecipientRow[] = [];
  let headers: ReturnType<typeof mapRecipientHeaders> | undefined;
  let rows = 0;
  let seen = 0;
  try {
    for await (const { row, cells } of source.rows()) {
      if (++seen > limits.maxRows + 1) {
        issues.clear();
        return refuse(limitMessages.rows(limits), source);
      }
      if (cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''))) continue;
      if (headers === undefined) {
        headers = mapRecipientHeaders(row, cells);
        if (Array.isArray(headers)) {
          headers.forEach((issue) => issues.add(issue));
          return refuse(undefined, source);
        }
        continue;
      }
      if (Array.isArray(headers)) continue;
      rows++;
      const parsed = parseRecipientRow(row, cells, headers, context);
      if ('recipient' in parsed) recipients.push(parsed.recipient);
      else parsed.issues.forEach((issue) => issues.add(issue));
    }
  } catch (error) {
    if (!(error instanceof FileProblem)) {
      await source.dispose();
      throw error;
    }
    issues.clear();
    return refuse(error.message, source);
  }
  if (headers === undefined) return refuse('文件为空：没有表头行和数据行', source);
  if (rows === 0) return refuse('文件没有数据行（只有表头）', source);
  return new RecipientsRead(issues, options, undefined, source, rows, recipients);
}

/**
 * Step 2, in the caller's unit of work: the registry's and the entitlements' checks, then (no problem, not a
 * check only) the writes and the batch's audit record. Call it once per `readRecipients`.
 */
export async function writeRecipients(tx: WorkTx, read: RecipientsRead): Promise<RecipientImportReport> {
  if (read.refused) return read.refused;
  read.take();
  const { issues, options } = read;
  const dryRun = options.dryRun ?? false;
  const district = options.districtCode;
  if (!dryRun) await lockRecipientImports(tx.db, district);
  const { resolved, accounts } = await resolveRecipients(tx, options, read.recipients, (issue) =>
    issues.add(issue),
  );
  if (issues.count > 0 || dryRun) {
    return reportOf(issues, dryRun, read.rows, plannedCounts(resolved, accounts.length));
  }
  return writeResolved(tx, read, resolved, accounts);
}

function plannedCounts(resolved: readonly Resolved[], payeeAccounts: number) {
  let openingEntries = 0;
  let openingFen = 0;
  for (const r of resolved) {
    for (const p of openingPeriods(r.recipient)) {
      openingEntries++;
      openingFen += p.amountFen;
    }
  }
  return { entitlements: resolved.length, payeeAccounts, openingEntries, openingFen };
}

async function writeResolved(
  tx: WorkTx,
  read: RecipientsRead,
  resolved: readonly Resolved[],
  accounts: readonly NewPayeeAccountRow[],
): Promise<RecipientImportReport> {
  const { options, source } = read;
  const district = options.districtCode;
  const now = tx.now.toISOString();
  const today = shanghaiToday(tx.now);
  const rows: EntitlementRow[] = [];
  const changes: ChangeRow[] = [];
  const entries: LedgerEntry[] = [];
  for (const r of resolved) {
    const x = r.recipient;
    const row: EntitlementRow = {
      districtCode: district,
      id: randomUUID(),
      program: x.program,
      beneficiaryKind: x.level,
      beneficiaryId: r.beneficiaryId,
      householdId: r.householdId,
      personId: r.personId,
      committeeCode: r.committeeCode,
      payeePersonId: r.payeePersonId,
      payeeRole: r.payeeRole,
      bankName: entitlementBankName(x.accountKind, x.bankName),
      accountNo: x.accountNo,
      schedule: x.schedule,
      amountFen: x.amountFen,
      fromMonth: x.startMonth,
      toMonth: null,
      state: 'active',
      caseId: null,
      decisionProgram: null,
      rule: GOING_LIVE_RULE,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    rows.push(row);
    changes.push({
      districtCode: district,
      entitlementId: row.id,
      seq: 1,
      kind: 'created',
      before: null,
      after: { ...snapshot(row), lastPaidMonth: x.lastPaidMonth, accountKind: x.accountKind },
      reason: `上线导入（在保对象）：${x.basis}`,
      caseId: null,
      decisionProgram: null,
      rule: GOING_LIVE_RULE,
      actorId: tx.actor.userId,
      effectiveMonth: x.startMonth,
      changedOn: today,
      changedAt: now,
    });
    const accounts = accountsOf('opening', {
      program: x.program,
      source: OPENING_SOURCE,
      districtCode: district,
    });
    for (const p of openingPeriods(x)) {
      entries.push({
        districtCode: district,
        payableKind: 'entitlement',
        payableId: row.id,
        period: p.period,
        kind: 'opening',
        seq: 1,
        program: x.program,
        ...accounts,
        amountFen: p.amountFen,
        postedOn: today,
      });
    }
  }
  const accountRows: PayeeAccountRow[] = accounts.map((a) => ({
    districtCode: district,
    id: randomUUID(),
    ...a,
    validFrom: today,
    validTo: null,
    version: 1,
    createdBy: tx.actor.userId,
    createdAt: now,
    endedBy: null,
    endedAt: null,
    endReason: null,
  }));
  await insertPayeeAccounts(tx, accountRows);
  const written = await copyCreatedEntitlements(tx, rows, changes);
  const posted = await postEntries(tx, entries);
  if (posted !== entries.length) throw new Error(`opening entries: ${posted} of ${entries.length} posted`);
  // The batch's digest: every row written, in the order written (full account numbers are hashed, not kept).
  const digest = new RowDigest();
  accountRows.forEach((a) => digest.add(a));
  rows.forEach((r) => digest.add(r));
  changes.forEach((c) => digest.add(c));
  entries.forEach((e) => digest.add(e));
  const openingFen = entries.reduce((sum, e) => sum + e.amountFen, 0);
  const counts = {
    entitlements: written.entitlements,
    payeeAccounts: accountRows.length,
    openingEntries: posted,
    openingFen,
  };
  const file = source
    ? { name: source.name, bytes: source.bytes, sha256: source.sha256, kind: source.kind }
    : null;
  tx.recordBatch({
    action: 'payroll.recipients_imported',
    entityType: 'recipient_import',
    entityId: source?.sha256 ?? randomUUID(),
    district,
    digest,
    summary: { file, counts: { ...counts, changes: written.changes }, scope: options.scope },
  });
  return reportOf(read.issues, false, read.rows, counts);
}

/** Read, check and (unless `dryRun`) write in one unit of work: the CLI's, the route's and the tests' way. */
export async function importRecipients(
  store: Store,
  file: ImportFile,
  options: RecipientImportOptions,
): Promise<RecipientImportReport> {
  const read = await readRecipients(file, options);
  try {
    if (read.refused) return read.refused;
    return await inUnitOfWork(store, options.actor, (tx) => writeRecipients(tx, read));
  } finally {
    await read.dispose();
  }
}

/** The first month the payroll pays an imported entitlement: the month after the last paid. */
export const firstPayableMonth = (lastPaidMonth: string): string => addMonths(lastPaidMonth, 1);
