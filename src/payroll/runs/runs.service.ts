import { randomUUID } from 'node:crypto';
import { mayAct, type Acting } from '../../auth/roles.ts';
import type { DataScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import { insertJob } from '../../jobs/jobs.repository.ts';
import { isMonth } from '../../policy/engine/month.ts';
import { applyTransition, recordStart, type MachineStore } from '../../workflow/state-machine.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { WorkflowError } from '../../workflow/workflow.errors.ts';
import {
  accruedByPeriod,
  entriesOfRun,
  ledgerKey,
  postEntries,
  type LedgerEntry,
} from '../ledger/ledger.repository.ts';
import { PayrollError, RUN_NOT_FOUND } from '../payroll.errors.ts';
import { runMachine, type RunState, type RunUserAction } from './run.machine.ts';
import { blockingFindingsOf } from './findings.link.ts';
import {
  findRun,
  insertRun,
  lineStateCounts,
  openRunOfMonth,
  runInReach,
  saveRunState,
  type RunKey,
  type RunRow,
  type RunStamp,
} from './runs.repository.ts';

/**
 * 发放批次 (docs/payroll.md 批次): starting a month's run (the row and its computing job in one unit), the
 * check, approval and cancellation through the run machine, and the steps other parts call: the job's
 * `completeComputation`, the bank export's `markExported`, the returns' `closeIfSettled`. Maker ≠ checker ≠
 * approver is checked here (and by the table's CHECK); approval waits for every held line to be reviewed and
 * every blocking finding of internal control to be resolved.
 */

/** Who acts on payroll: their data scope, role and user id (the acting context's user id is what is stored). */
export interface PayrollCaller {
  scope: DataScope;
  role: Acting;
  userId: string | null;
}

export const PAYROLL_JOB_KIND = 'payroll.run';

/** The computing job's idempotency key: the district and month, and the run (a recomputation is a new run). */
export function runJobKey(districtCode: string, month: string, runId: string): string {
  return `${districtCode}:${month}:${runId}`;
}

function reachable(caller: PayrollCaller, districtCode: string): void {
  if (!runInReach(caller.scope, districtCode)) throw new PayrollError('not_found', RUN_NOT_FOUND);
}

export async function loadRun(db: Db, caller: PayrollCaller, key: RunKey): Promise<RunRow> {
  reachable(caller, key.districtCode);
  const run = await findRun(db, key);
  if (!run) throw new PayrollError('not_found', RUN_NOT_FOUND);
  return run;
}

export interface StartRunInput {
  districtCode: string;
  month: string;
}

/**
 * 发起发放: the run (计算中, prepared by the actor) and its `payroll.run` job, in the caller's unit. A month
 * with a run not cancelled is refused (recompute = cancel, then start again).
 */
export async function startRun(
  tx: WorkTx,
  caller: PayrollCaller,
  input: StartRunInput,
): Promise<{ run: RunRow; jobId: string }> {
  if (!mayAct(caller.role, 'payroll.prepare')) {
    throw new WorkflowError('forbidden', '您没有权限执行「发起发放」');
  }
  if (!/^\d{6}$/.test(input.districtCode)) throw new PayrollError('invalid', '区代码应为 6 位数字');
  if (!isMonth(input.month))
    throw new PayrollError('invalid', `发放月份「${input.month}」无效，应为 YYYY-MM`);
  reachable(caller, input.districtCode);
  const userId = tx.actor.userId;
  if (userId === null) throw new PayrollError('invalid', '发起发放须有操作人');
  const taken = await openRunOfMonth(tx.db, input.districtCode, input.month);
  if (taken) {
    throw new PayrollError(
      'month_taken',
      `${input.month} 已有发放批次（${runStateText(taken.state)}），不能重复发起；如需重算，请先撤销该批次`,
    );
  }
  const runId = randomUUID();
  const jobId = randomUUID();
  const at = tx.now.toISOString();
  await insertRun(tx, {
    districtCode: input.districtCode,
    id: runId,
    month: input.month,
    state: 'computing',
    jobId,
    preparedBy: userId,
    preparedAt: at,
    createdAt: at,
    updatedAt: at,
  });
  const payload = { districtCode: input.districtCode, runId };
  const key = runJobKey(input.districtCode, input.month, runId);
  await insertJob(tx.db, {
    id: jobId,
    districtCode: input.districtCode,
    divisionCode: input.districtCode,
    kind: PAYROLL_JOB_KIND,
    payload,
    idempotencyKey: key,
    maxAttempts: 20,
    total: null,
    createdBy: userId,
    actorDivision: tx.actor.divisionCode,
    reason: tx.actor.reason,
    requestId: tx.actor.requestId ?? null,
    scheduleName: null,
  });
  tx.record({
    action: 'job.enqueued',
    entityType: 'job',
    entityId: jobId,
    district: input.districtCode,
    after: { kind: PAYROLL_JOB_KIND, payload, idempotencyKey: key },
  });
  await recordStart(
    tx,
    runMachine,
    { id: runId, action: 'start', divisionCode: input.districtCode, role: caller.role },
    { month: input.month, jobId },
  );
  return { run: (await findRun(tx.db, { districtCode: input.districtCode, runId }))!, jobId };
}

function runStateText(state: string): string {
  return runMachine.states[state as RunState] ?? state;
}

function machineStore(key: RunKey, stamp: RunStamp): MachineStore<RunState> {
  return {
    load: async (t, id) => {
      const row = await findRun(t.db, { districtCode: key.districtCode, runId: id });
      return row
        ? { id: row.id, divisionCode: row.districtCode, state: row.state as RunState, version: row.version }
        : null;
    },
    save: (t, id, expected, next) =>
      saveRunState(t, { districtCode: key.districtCode, runId: id }, expected, next, stamp),
  };
}

/** The checks of check and approve, on the run as it is now: who acts, held lines, blocking findings. */
async function dutiesAndReadiness(tx: WorkTx, action: RunUserAction, run: RunRow): Promise<void> {
  const me = tx.actor.userId;
  if (action === 'check') {
    if (me === run.preparedBy) {
      throw new PayrollError('same_person', '复核人不能是制单人：请由另一名财务人员复核');
    }
    return;
  }
  if (action !== 'approve') return;
  if (me === run.preparedBy) throw new PayrollError('same_person', '审批人不能是本批次的制单人');
  if (me === run.checkedBy) throw new PayrollError('same_person', '审批人不能是本批次的复核人');
  const key = { districtCode: run.districtCode, runId: run.id };
  const held = (await lineStateCounts(tx.db, key)).get('held') ?? 0;
  if (held > 0) {
    throw new PayrollError('held_lines', `尚有 ${held} 条挂起的发放明细未复核（放行或不予发放），不能审批`);
  }
  const blocking = await blockingFindingsOf(tx.db, run.districtCode, run.id);
  if (blocking > 0) {
    throw new PayrollError('blocking_findings', `尚有 ${blocking} 条须处理的内控发现未处理，不能审批`);
  }
}

export interface RunActionInput extends RunKey {
  action: RunUserAction;
  /** The version the user saw (a stale one: 409). */
  version: number;
}

/** 复核、审批、撤销: through the run machine, compare-and-set on state and version, audited with the reason. */
export async function actOnRun(tx: WorkTx, caller: PayrollCaller, input: RunActionInput): Promise<RunRow> {
  const key = { districtCode: input.districtCode, runId: input.runId };
  const run = await loadRun(tx.db, caller, key);
  const at = tx.now.toISOString();
  const stamp: RunStamp =
    input.action === 'check'
      ? { checkedBy: tx.actor.userId, checkedAt: at }
      : input.action === 'approve'
        ? { approvedBy: tx.actor.userId, approvedAt: at }
        : {};
  await applyTransition(tx, runMachine, machineStore(key, stamp), {
    id: run.id,
    action: input.action,
    expectedVersion: input.version,
    role: caller.role,
    context: { check: () => dutiesAndReadiness(tx, input.action, run) },
    inReach: (district) => runInReach(caller.scope, district),
  });
  if (input.action === 'cancel') await reverseAccruals(tx, key);
  return (await findRun(tx.db, key))!;
}

/**
 * A cancelled run's accruals are reversed: per payable and period the run accrued, one entry of the same
 * kind and accounts with the negative of the run's net amount at the next seq (append-only).
 */
async function reverseAccruals(tx: WorkTx, key: RunKey): Promise<void> {
  const entries = (await entriesOfRun(tx.db, key.districtCode, key.runId)).filter(
    (e) => e.kind === 'accrual',
  );
  if (entries.length === 0) return;
  const net = new Map<string, { entry: (typeof entries)[number]; amount: number }>();
  for (const e of entries) {
    const k = ledgerKey(e.payableId, e.period);
    const held = net.get(k);
    if (held) held.amount += e.amountFen;
    else net.set(k, { entry: e, amount: e.amountFen });
  }
  const open = [...net.values()].filter((n) => n.amount !== 0);
  const ids = [...new Set(open.map((n) => n.entry.payableId))];
  const periods = [...new Set(open.map((n) => n.entry.period))];
  const ledger = await accruedByPeriod(tx.db, key.districtCode, ids, periods);
  const reversals: LedgerEntry[] = open.map(({ entry, amount }) => ({
    districtCode: key.districtCode,
    payableKind: entry.payableKind,
    payableId: entry.payableId,
    period: entry.period,
    kind: 'accrual',
    seq: (ledger.get(ledgerKey(entry.payableId, entry.period))?.lastAccrualSeq ?? entry.seq) + 1,
    program: entry.program,
    debitAccount: entry.debitAccount,
    creditAccount: entry.creditAccount,
    amountFen: -amount,
    runId: key.runId,
    lineNo: null,
  }));
  const posted = await postEntries(tx, reversals);
  tx.record({
    action: 'payroll.reversed',
    entityType: 'payroll_run',
    entityId: key.runId,
    district: key.districtCode,
    after: { reversals: posted, fen: reversals.reduce((s, r) => s - r.amountFen, 0) },
  });
}

export interface ComputedTotals {
  lineCount: number;
  totalFen: number;
  heldCount: number;
  heldFen: number;
}

/**
 * 计算完成 (the computing job's last batch): computing → prepared with the run's totals, compare-and-set on
 * state 'computing' (whatever the version: the job acts on the run as it is). For H2a's job, and tests.
 */
export async function completeComputation(
  tx: WorkTx,
  role: Acting,
  key: RunKey,
  totals: ComputedTotals,
): Promise<void> {
  await applyTransition(tx, runMachine, machineStore(key, totals), {
    id: key.runId,
    action: 'prepare',
    role,
    context: { check: async () => {} },
  });
}

/** 导出银行文件 (H3's export calls it in its unit): approved → exported, stamped with the exporter. */
export async function markExported(tx: WorkTx, role: Acting, key: RunKey): Promise<void> {
  const stamp = { exportedBy: tx.actor.userId, exportedAt: tx.now.toISOString() };
  await applyTransition(tx, runMachine, machineStore(key, stamp), {
    id: key.runId,
    action: 'export',
    role,
    context: { check: async () => {} },
  });
}

/**
 * 办结 (H3's return import calls it in its unit): an exported run with no line still pending (pending or
 * released, i.e. every line the bank was asked to pay is paid or failed) is closed. Returns whether it closed.
 */
export async function closeIfSettled(tx: WorkTx, role: Acting, key: RunKey): Promise<boolean> {
  // No row lock: a unit that writes nothing must not take one (audit by construction); the close is a CAS.
  const run = await findRun(tx.db, key);
  if (!run || run.state !== 'exported') return false;
  const counts = await lineStateCounts(tx.db, key);
  if ((counts.get('pending') ?? 0) + (counts.get('released') ?? 0) > 0) return false;
  await applyTransition(tx, runMachine, machineStore(key, { closedAt: tx.now.toISOString() }), {
    id: key.runId,
    action: 'close',
    role,
    context: { check: async () => {} },
  });
  return true;
}
