import type { Db } from '../../db/store.ts';
import { RowDigest, type WorkTx } from '../../workflow/unit-of-work.ts';
import { ConflictError } from '../../workflow/workflow.errors.ts';
import { mayAct } from '../../auth/roles.ts';
import { WorkflowError } from '../../workflow/workflow.errors.ts';
import { fundAccount, payableAccount } from '../ledger/accounts.ts';
import { accruedByPeriod, ledgerKey, postEntries, type LedgerEntry } from '../ledger/ledger.repository.ts';
import { PayrollError } from '../payroll.errors.ts';
import { RUN_STATE_NAMES, type RunState } from './run.machine.ts';
import {
  bumpRunVersion,
  heldLinesForUpdate,
  lastFundAccount,
  refreshRunTotals,
  saveReviewedLines,
  type LineFilter,
  type LineRow,
  type RunKey,
} from './runs.repository.ts';
import { loadRun, type PayrollCaller } from './runs.service.ts';

/**
 * 复核挂起明细 (docs/payroll.md 复核): a line the computation held (its amount differs from the entitlement
 * without a decision, or could not be computed) is released — paid this run at the entitlement's or the
 * engine's amount, less what the ledger already accrued for the period, with its accrual posted — or
 * excluded (not paid this run). One line or many by a filter, all or nothing, before approval; the
 * run's version moves, so a checker's page read before the review is refused as stale.
 */

/** Above this many lines a review is audited as one batch record (digest of the lines) instead of one each. */
const PER_LINE_AUDIT = 20;

/** Held lines are reviewed before approval: while the run is 待复核 or 已复核. */
const REVIEWABLE: readonly RunState[] = ['prepared', 'checked'];

/** The funding source of a program when the payable has no accrual yet (H2a's parameters name it). */
const DEFAULT_SOURCE = 'district';

export interface ReviewInput extends RunKey {
  decision: 'release' | 'exclude';
  /** release: whose amount is paid for the period. */
  amountFrom?: 'entitlement' | 'engine' | undefined;
  /** Which held lines: line numbers, or program / committee / hold reason (none: every held line). */
  filter: Pick<LineFilter, 'lineNos' | 'program' | 'committee' | 'holdReason'>;
  /** The run version the user saw (optional for the command line). */
  version?: number | undefined;
  reason: string;
}

export interface ReviewResult {
  lines: number;
  fen: number;
  version: number;
}

async function fundOf(db: Db, districtCode: string, line: LineRow): Promise<string> {
  return (
    (await lastFundAccount(db, districtCode, line.payableId)) ?? fundAccount(line.program, DEFAULT_SOURCE)
  );
}

export async function reviewHeldLines(
  tx: WorkTx,
  caller: PayrollCaller,
  input: ReviewInput,
): Promise<ReviewResult> {
  if (!mayAct(caller.role, 'payroll.prepare')) {
    throw new WorkflowError('forbidden', '您没有权限复核挂起的发放明细');
  }
  const key = { districtCode: input.districtCode, runId: input.runId };
  const run = await loadRun(tx.db, caller, key);
  const version = await bumpRunVersion(tx, key, { states: REVIEWABLE, version: input.version });
  if (version === null) {
    const state = run.state as RunState;
    if (!REVIEWABLE.includes(state)) {
      throw new ConflictError(
        'wrong_state',
        `当前状态为「${RUN_STATE_NAMES[state]}」，只有待复核、已复核（审批前）的批次可以复核挂起明细`,
        { state, version: run.version, allowedActions: [] },
      );
    }
    throw new ConflictError(
      'stale_version',
      `发放批次已被他人修改（版本 ${run.version}），请刷新后重新操作`,
      { state, version: run.version, allowedActions: [] },
    );
  }
  const lines = await heldLinesForUpdate(tx, caller.scope, key, input.filter);
  if (lines.length === 0) throw new PayrollError('invalid', '没有符合条件的挂起明细');
  const reviewed: { lineNo: number; state: 'released' | 'excluded'; amountFen: number }[] = [];
  const entries: LedgerEntry[] = [];
  if (input.decision === 'exclude') {
    for (const l of lines) reviewed.push({ lineNo: l.lineNo, state: 'excluded', amountFen: l.amountFen });
  } else {
    const from = input.amountFrom;
    if (from === undefined) throw new PayrollError('invalid', '放行须选择按待遇金额还是按测算金额发放');
    const ledger = await accruedByPeriod(
      tx.db,
      key.districtCode,
      [...new Set(lines.map((l) => l.payableId))],
      [...new Set(lines.map((l) => l.period))],
    );
    const problems: string[] = [];
    for (const l of lines) {
      const chosen = from === 'engine' ? l.engineAmountFen : l.entitlementAmountFen;
      const label = `第 ${l.lineNo} 条（${l.period}）`;
      if (chosen === null) {
        problems.push(`${label}没有${from === 'engine' ? '测算' : '待遇'}金额`);
        continue;
      }
      const accrued = ledger.get(ledgerKey(l.payableId, l.period));
      const due = chosen - (accrued?.accruedFen ?? 0);
      if (due <= 0) {
        problems.push(`${label}该期已计提 ${accrued?.accruedFen ?? 0} 分，不少于所选金额，应不予发放`);
        continue;
      }
      reviewed.push({ lineNo: l.lineNo, state: 'released', amountFen: due });
      entries.push({
        districtCode: key.districtCode,
        payableKind: l.payableKind as LedgerEntry['payableKind'],
        payableId: l.payableId,
        period: l.period,
        kind: 'accrual',
        seq: (accrued?.lastAccrualSeq ?? 0) + 1,
        program: l.program,
        debitAccount: await fundOf(tx.db, key.districtCode, l),
        creditAccount: payableAccount(l.program),
        amountFen: due,
        runId: key.runId,
        lineNo: l.lineNo,
      });
    }
    if (problems.length > 0) {
      throw new PayrollError('invalid', `不能放行：${problems.slice(0, 5).join('；')}`, problems);
    }
  }
  const saved = await saveReviewedLines(tx, key, reviewed);
  await refreshRunTotals(tx, key);
  await postEntries(tx, entries);
  const fen = reviewed.reduce((s, r) => s + (r.state === 'released' ? r.amountFen : 0), 0);
  const byLine = new Map(lines.map((l) => [l.lineNo, l]));
  if (reviewed.length <= PER_LINE_AUDIT) {
    for (const r of reviewed) {
      const l = byLine.get(r.lineNo)!;
      tx.record({
        action: 'payroll.lines_reviewed',
        entityType: 'payroll_line',
        entityId: `${key.runId}:${r.lineNo}`,
        district: l.committeeCode,
        before: { state: 'held', amountFen: l.amountFen, holdReason: l.holdReason },
        after: { state: r.state, amountFen: r.amountFen, amountFrom: input.amountFrom ?? null },
      });
    }
  } else {
    const digest = new RowDigest();
    for (const r of reviewed) digest.add(r);
    tx.recordBatch({
      action: 'payroll.lines_reviewed',
      entityType: 'payroll_run',
      entityId: key.runId,
      district: key.districtCode,
      digest,
      summary: { decision: input.decision, amountFrom: input.amountFrom ?? null, lines: saved, fen },
    });
  }
  return { lines: saved, fen, version };
}
