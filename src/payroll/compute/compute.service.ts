import { randomUUID } from 'node:crypto';
import { checkRun } from '../../controls/controls.service.ts';
import {
  payableEntitlementsPage,
  type PayableEntitlementRow,
} from '../../entitlements/entitlement.repository.ts';
import { followAmounts, type AmountFollow } from '../../entitlements/entitlement.service.ts';
import { JOB_RUNNER } from '../../auth/roles.ts';
import { applyTransition } from '../../workflow/state-machine.ts';
import { RowDigest, type WorkTx } from '../../workflow/unit-of-work.ts';
import { bankOfName } from '../bank/banks.ts';
import { accountsOf } from '../ledger/accounts.ts';
import {
  accruedByPeriod,
  appendEntries,
  ledgerKey,
  postEntries,
  type AccruedPeriod,
  type LedgerEntry,
} from '../ledger/ledger.repository.ts';
import { runMachine, type RunState } from '../runs/run.machine.ts';
import { findRun, runTotals } from '../runs/runs.repository.ts';
import { arrearsOfBatch } from './arrears.ts';
import {
  copyLines,
  linesCsv,
  earlierRuns,
  failedLinesToCarry,
  insertRecoveries,
  periodsWithLines,
  refreshStatistics,
  savePrepared,
  type NewLine,
  type NewRecovery,
} from './compute.repository.ts';
import { decideAmounts } from './amount-rule.ts';
import { householdsOf } from './engine.ts';
import { fundingSourceOf } from './funding.ts';
import type { RunParameters } from './parameters.ts';
import { monthsCovered, quarterOf, quarterOpenedBy } from './periods.ts';

/**
 * 发放计算 (docs/payroll.md 计算、补发、分类账): one batch of the `payroll.run` job. Phases, each in batches
 * with a cursor: `lines` (the district's payable entitlements, a page of households at a time: regular lines,
 * the amount rule, arrears, accruals), `carried` (lines the bank failed in earlier runs, paid again), and
 * `finish` (the controls, the totals, computing → prepared). Each batch is one unit of work with one audit
 * record; a batch cut off is rolled back whole and redone from the committed cursor.
 */

/** The computation acts with the system role's permissions (payroll.prepare: the move to 待复核). */
const JOB_ROLE = JOB_RUNNER.role;

export const HOLD_STALE = '待遇已被他人修改，金额待复核';

export interface ComputeCursor {
  phase: 'lines' | 'carried' | 'finish';
  /** lines: the last household done; carried: the last run and line carried. */
  after: string | null;
  afterLine: number | null;
  /** The next line number of the run. */
  lineNo: number;
  /** Parameter changes the lines named so far (ids). */
  changes: string[];
}

export interface ComputeInput {
  districtCode: string;
  runId: string;
  jobId: string;
  batch: number;
  limit: number;
  cursor: ComputeCursor | null;
}

export interface ComputeOutcome {
  cursor: ComputeCursor;
  progress: number;
  finished: boolean;
  result?: Record<string, unknown>;
}

/** Where a batch's time goes (the benchmark's phases): step name → milliseconds, summed over batches. */
export type Timings = Map<string, number>;

let timings: Timings | undefined;

/** Collects the steps' times into `into` (the benchmark); undefined stops collecting. */
export function collectTimings(into: Timings | undefined): void {
  timings = into;
}

async function timed<T>(step: string, work: Promise<T>): Promise<T> {
  if (timings === undefined) return work;
  const t = performance.now();
  try {
    return await work;
  } finally {
    timings.set(step, (timings.get(step) ?? 0) + performance.now() - t);
  }
}

const START: ComputeCursor = { phase: 'lines', after: null, afterLine: null, lineNo: 1, changes: [] };

function accountOf(bankName: string | null) {
  const bank = bankOfName(bankName);
  return { accountKind: bank?.accountKind ?? null, bankCode: bank?.code ?? null };
}

function ledgerEntryOf(
  districtCode: string,
  runId: string,
  line: NewLine,
  seq: number,
  month: string,
): LedgerEntry {
  return {
    districtCode,
    payableKind: 'entitlement',
    payableId: line.payableId,
    period: line.period,
    kind: 'accrual',
    seq,
    program: line.program,
    ...accountsOf('accrual', {
      program: line.program,
      source: fundingSourceOf(line.program, month).code,
      districtCode,
    }),
    amountFen: line.amountFen,
    runId,
    lineNo: line.lineNo,
  };
}

function lineBase(e: PayableEntitlementRow) {
  return {
    payableKind: 'entitlement' as const,
    payableId: e.id,
    program: e.program,
    householdId: e.householdId,
    personId: e.personId,
    committeeCode: e.committeeCode,
    payeePersonId: e.payeePersonId,
    bankName: e.bankName,
    accountNo: e.accountNo,
    ...accountOf(e.bankName),
    carriedFromRun: null,
    carriedFromLine: null,
  };
}

interface BatchWrites {
  lines: NewLine[];
  entries: LedgerEntry[];
  recoveries: NewRecovery[];
  follows: AmountFollow[];
  changes: Set<string>;
}

async function linesBatch(
  tx: WorkTx,
  run: { districtCode: string; id: string; month: string },
  ents: readonly PayableEntitlementRow[],
  params: RunParameters,
  firstLineNo: number,
): Promise<BatchWrites> {
  const d = run.districtCode;
  const month = run.month;
  const q = quarterOpenedBy(month);
  // In household order (the page's): the key range and the list the engine input is read by.
  const households = [...new Set(ents.map((e) => e.householdId))];
  const houses = await timed('read engine input', householdsOf(tx.db, d, households, month));
  const decided = await timed('engine and amount rule', decideAmounts(tx, d, month, ents, houses, params));
  const earlier = await timed('read earlier runs', earlierRuns(tx.db, d, run.id, month));
  const arrears = await timed(
    'arrears',
    arrearsOfBatch(tx, { districtCode: d, month }, ents, earlier, params, decided),
  );

  const periodOf = (e: PayableEntitlementRow) => (e.schedule === 'quarterly' ? quarterOf(month) : month);
  const ids = ents.map((e) => e.id);
  const periods = [...new Set([...ents.map(periodOf), ...arrears.map((a) => a.period)])];
  const accrued = await timed('read ledger', accruedByPeriod(tx.db, d, ids, periods));
  const withLines = await timed('read earlier lines', periodsWithLines(tx.db, d, run.id, ids, periods));

  const out: BatchWrites = { lines: [], entries: [], recoveries: [], follows: [], changes: new Set() };
  let lineNo = firstLineNo;
  for (const e of ents) {
    const period = periodOf(e);
    const key = ledgerKey(e.id, period);
    const before: AccruedPeriod | undefined = accrued.get(key);
    if ((before?.accruedFen ?? 0) !== 0 || withLines.has(key)) continue; // paid already (an earlier run, the opening)
    const months = e.schedule === 'quarterly' ? monthsCovered(q.first, q.last, e.fromMonth, e.toMonth) : 1;
    const x = decided.get(e.id)!;
    if (x.follow) out.follows.push(x.follow);
    const amountFen = x.amountFen * months;
    if (amountFen === 0 && x.held === null) continue;
    const line: NewLine = {
      ...lineBase(e),
      lineNo: lineNo++,
      period,
      kind: 'regular',
      amountFen,
      entitlementAmountFen: e.amountFen * months,
      engineAmountFen: x.engine === null ? null : x.engine * months,
      basisKind: x.basisKind,
      basisRef: x.basisRef,
      state: x.held === null ? 'pending' : 'held',
      holdReason: x.held,
    };
    if (x.basisKind === 'parameter_change' && x.basisRef) out.changes.add(x.basisRef);
    out.lines.push(line);
  }
  const byId = new Map(ents.map((e) => [e.id, e]));
  for (const a of arrears) {
    const e = byId.get(a.entitlementId)!;
    const key = ledgerKey(e.id, a.period);
    const got = accrued.get(key)?.accruedFen ?? 0;
    if (got === 0 && (withLines.has(key) || !a.neverPaidOwed)) continue;
    if (a.accruedIfExplained !== null && got !== a.accruedIfExplained) continue;
    const diff = a.dueFen - got;
    if (a.basisKind === 'parameter_change' && a.basisRef) out.changes.add(a.basisRef);
    if (diff > 0) {
      out.lines.push({
        ...lineBase(e),
        lineNo: lineNo++,
        period: a.period,
        kind: 'arrears',
        amountFen: diff,
        entitlementAmountFen: got,
        engineAmountFen: a.engineFen,
        basisKind: a.basisKind,
        basisRef: a.basisRef,
        state: 'pending',
        holdReason: null,
      });
    } else if (diff < 0) {
      out.recoveries.push({
        id: randomUUID(),
        payableId: e.id,
        program: e.program,
        period: a.period,
        amountFen: -diff,
        note: `追溯调整后该期应发 ${a.dueFen} 分，已记应付 ${got} 分（${a.basisKind === 'parameter_change' ? `参数调整 ${a.basisRef}` : '决定追溯'}）`,
        personId: e.personId,
        householdId: e.householdId,
      });
    }
  }
  for (const line of out.lines) {
    if (line.state !== 'pending' || line.amountFen === 0) continue;
    const seq = (accrued.get(ledgerKey(line.payableId, line.period))?.lastAccrualSeq ?? 0) + 1;
    out.entries.push(ledgerEntryOf(d, run.id, line, seq, month));
  }
  for (const r of out.recoveries) {
    const seq = (accrued.get(ledgerKey(r.payableId, r.period))?.lastRecoverySeq ?? 0) + 1;
    out.entries.push({
      districtCode: d,
      payableKind: 'entitlement',
      payableId: r.payableId,
      period: r.period,
      kind: 'recovery',
      seq,
      program: r.program,
      ...accountsOf('recovery', {
        program: r.program,
        source: fundingSourceOf(r.program, month).code,
        districtCode: d,
      }),
      amountFen: r.amountFen,
      recoveryId: r.id,
      runId: run.id,
    });
  }
  return out;
}

/** The batch's audit digest: over the CSV its COPYs sent, then the recoveries' entries and the amounts moved. */
function digestOf(
  copied: readonly { csv: readonly string[]; rows: number }[],
  rows: readonly object[],
): RowDigest {
  const digest = new RowDigest();
  for (const { csv, rows: n } of copied) digest.addCsv(csv, n);
  for (const row of rows) digest.add(row);
  return digest;
}

/** One batch of the run's computation in the job's unit of work. */
export async function computeBatch(
  tx: WorkTx,
  input: ComputeInput,
  params: RunParameters,
): Promise<ComputeOutcome> {
  const d = input.districtCode;
  const key = { districtCode: d, runId: input.runId };
  // Read without a lock first: a batch that writes nothing must not take one (a row lock is a write to the
  // unit's audit check); a batch about to write locks the run (a cancellation waits for it, or it sees it).
  const cursor = input.cursor ?? START;
  const skipped = (state: string) => ({ cursor, progress: 0, finished: true, result: { skipped: state } });
  const seen = await timed('read run', findRun(tx.db, key));
  if (!seen || seen.state !== 'computing') return skipped(seen ? seen.state : 'missing');
  const lock = async () => {
    const locked = await findRun(tx.db, key, true);
    return locked && locked.state === 'computing' ? locked : null;
  };
  const run = seen;
  await timed('parameters', Promise.resolve(params.refresh?.(tx.db)));
  if (cursor.phase === 'lines') {
    const first = cursor.after === null;
    if (first) await timed('statistics', refreshStatistics(tx, 'start'));
    const ents = await timed(
      'read entitlements',
      payableEntitlementsPage(
        tx.db,
        d,
        run.month,
        quarterOpenedBy(run.month),
        cursor.after,
        Math.max(1, input.limit),
      ),
    );
    if (ents.length === 0) {
      if (first) {
        tx.recordBatch({
          action: 'payroll.computed',
          entityType: 'payroll_run',
          entityId: `${run.id}#${input.batch}`,
          district: d,
          digest: new RowDigest(),
          summary: { phase: 'lines', entitlements: 0 },
        });
      }
      return {
        cursor: { ...cursor, phase: 'carried', after: null, afterLine: null },
        progress: 0,
        finished: false,
      };
    }
    if (!(await timed('lock run', lock()))) return skipped('moved');
    const w = await linesBatch(tx, run, ents, params, cursor.lineNo);
    const moved = new Set(await timed('amounts followed', followAmounts(tx, d, w.follows)));
    const follows = new Map(w.follows.map((f) => [f.id, f]));
    const byNo = new Map(w.lines.map((l) => [l.lineNo, l]));
    // A follow refused (the entitlement changed meanwhile): its line waits for review instead.
    for (const l of w.lines) {
      const f = follows.get(l.payableId);
      if (l.kind === 'regular' && f && !moved.has(f.id)) {
        l.state = 'held';
        l.holdReason = HOLD_STALE;
        l.amountFen = l.entitlementAmountFen ?? l.amountFen;
        l.basisKind = 'entitlement';
        l.basisRef = null;
      }
    }
    const accruals = w.entries.filter(
      (e) => e.kind === 'accrual' && byNo.get(e.lineNo ?? -1)?.state === 'pending',
    );
    const lineCsv = linesCsv(d, run.id, w.lines);
    await timed('copy lines', copyLines(tx, lineCsv));
    const raised = await timed('recoveries', insertRecoveries(tx, d, w.recoveries));
    const recoveryEntries = w.entries.filter((e) => e.kind === 'recovery' && raised.has(e.recoveryId ?? ''));
    const entryCsv = await timed('post ledger', appendEntries(tx, accruals));
    await postEntries(tx, recoveryEntries);
    const entries = accruals.length + recoveryEntries.length;
    const last = ents[ents.length - 1]!.householdId;
    tx.recordBatch({
      action: 'payroll.computed',
      entityType: 'payroll_run',
      entityId: `${run.id}#${input.batch}`,
      district: d,
      digest: digestOf(
        [
          { csv: lineCsv, rows: w.lines.length },
          { csv: entryCsv, rows: accruals.length },
        ],
        [...recoveryEntries.map((entry) => ({ entry })), ...[...moved].map((follows) => ({ follows }))],
      ),
      summary: {
        phase: 'lines',
        entitlements: ents.length,
        lines: w.lines.length,
        held: w.lines.filter((l) => l.state === 'held').length,
        arrears: w.lines.filter((l) => l.kind === 'arrears').length,
        ledgerEntries: entries,
        recoveries: raised.size,
        amountsFollowed: moved.size,
        households: { from: ents[0]!.householdId, to: last },
      },
    });
    return {
      cursor: {
        ...cursor,
        after: last,
        lineNo: cursor.lineNo + w.lines.length,
        changes: [...new Set([...cursor.changes, ...w.changes])].sort(),
      },
      progress: ents.length,
      finished: false,
    };
  }
  if (cursor.phase === 'carried') {
    const after =
      cursor.after !== null && cursor.afterLine !== null
        ? { runId: cursor.after, lineNo: cursor.afterLine }
        : null;
    const failed = await failedLinesToCarry(tx.db, d, run.month, after, Math.max(1, input.limit));
    if (failed.length === 0) {
      return {
        cursor: { ...cursor, phase: 'finish', after: null, afterLine: null },
        progress: 0,
        finished: false,
      };
    }
    if (!(await lock())) return skipped('moved');
    let lineNo = cursor.lineNo;
    const lines: NewLine[] = failed.map((f) => ({
      lineNo: lineNo++,
      payableKind: 'entitlement',
      payableId: f.payableId,
      program: f.program,
      householdId: f.householdId,
      personId: f.personId,
      committeeCode: f.committeeCode,
      period: f.period,
      kind: 'carried',
      amountFen: f.amountFen,
      entitlementAmountFen: f.entitlementAmountFen,
      engineAmountFen: f.engineAmountFen,
      basisKind: f.basisKind,
      basisRef: f.basisRef,
      state: 'pending',
      holdReason: null,
      payeePersonId: f.payeePersonId,
      ...accountOf(f.bankName),
      bankName: f.bankName,
      accountNo: f.accountNo,
      carriedFromRun: f.runId,
      carriedFromLine: f.lineNo,
    }));
    const csv = linesCsv(d, run.id, lines);
    await copyLines(tx, csv);
    tx.recordBatch({
      action: 'payroll.computed',
      entityType: 'payroll_run',
      entityId: `${run.id}#${input.batch}`,
      district: d,
      digest: digestOf([{ csv, rows: lines.length }], []),
      summary: { phase: 'carried', lines: lines.length },
    });
    const lastFailed = failed[failed.length - 1]!;
    return {
      cursor: { ...cursor, after: lastFailed.runId, afterLine: lastFailed.lineNo, lineNo },
      progress: 0,
      finished: false,
    };
  }
  // finish: the controls over the run's lines, the totals, computing → prepared.
  await timed('statistics', refreshStatistics(tx, 'written'));
  const checked = await timed('controls', checkRun(tx, { districtCode: d, runId: run.id, month: run.month }));
  const totals = await runTotals(tx.db, { districtCode: d, runId: run.id });
  await applyTransition(
    tx,
    runMachine,
    {
      load: async (t, id) => {
        const r = await findRun(t.db, { districtCode: d, runId: id }, true);
        return r ? { id: r.id, divisionCode: d, state: r.state as RunState, version: r.version } : null;
      },
      save: (t, id, expected, next) =>
        expected.state === 'computing' && next.state === 'prepared'
          ? savePrepared(t, { districtCode: d, runId: id }, expected, next, totals, cursor.changes)
          : Promise.resolve(false),
    },
    { id: run.id, action: 'prepare', role: JOB_ROLE, context: { check: () => Promise.resolve() } },
  );
  return {
    cursor,
    progress: 0,
    finished: true,
    result: {
      ...totals,
      findings: checked.findings,
      blocking: checked.blocking,
      parameterChanges: cursor.changes.length,
    },
  };
}
