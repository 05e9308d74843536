import { randomUUID } from 'node:crypto';
import { mayAct, SYSTEM_ROLE, type Acting } from '../../auth/roles.ts';
import { ALL } from '../../auth/scope.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { actOnEntitlement } from '../../entitlements/entitlement.service.ts';
import { findEntitlement } from '../../entitlements/entitlement.repository.ts';
import { personIdentities } from '../../registry/person.repository.ts';
import { applyTransition, type MachineStore } from '../../workflow/state-machine.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { WorkflowError } from '../../workflow/workflow.errors.ts';
import { bankAccount, fundAccount, receivableAccount } from '../ledger/accounts.ts';
import { accruedByPeriod, ledgerKey, postEntries, type LedgerEntry } from '../ledger/ledger.repository.ts';
import { PayrollError, RECOVERY_NOT_FOUND } from '../payroll.errors.ts';
import { lastFundAccount, runInReach } from '../runs/runs.repository.ts';
import type { PayrollCaller } from '../runs/runs.service.ts';
import {
  RECOVERY_CAUSE_NAMES,
  recoveryMachine,
  type RecoveryCause,
  type RecoveryState,
  type RecoveryUserAction,
} from './recovery.machine.ts';
import {
  addRecovered,
  findRecovery,
  insertRecovery,
  lastSeq,
  openRecoveryRows,
  personPayables,
  raisedFen,
  saveRecoveryState,
  type RecoveryKey,
  type PersonPayable,
  type RecoveryRow,
} from './recovery.repository.ts';

/**
 * 追缴 (docs/payroll.md 追缴): an overpayment of a payable's period, at most what the ledger accrued for it
 * less what is already raised; raising posts a recovery entry (receivable ← fund), collecting a collection
 * entry (bank ← receivable); writing off (the approver, not whoever raised it) or cancelling reverses what
 * is still outstanding. Deaths: `raiseRecoveriesForDeaths` raises one item per period paid after the month
 * of death and stops the entitlement from the month after it.
 */

const PERIOD = /^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$/;

function reachable(caller: PayrollCaller, districtCode: string): void {
  if (!runInReach(caller.scope, districtCode)) throw new PayrollError('not_found', RECOVERY_NOT_FOUND);
}

export async function loadRecovery(db: Db, caller: PayrollCaller, key: RecoveryKey): Promise<RecoveryRow> {
  reachable(caller, key.districtCode);
  const row = await findRecovery(db, key);
  if (!row) throw new PayrollError('not_found', RECOVERY_NOT_FOUND);
  return { ...row, amountFen: Number(row.amountFen), recoveredFen: Number(row.recoveredFen) };
}

async function fundOf(db: Db, districtCode: string, payableId: string, program: string): Promise<string> {
  return (await lastFundAccount(db, districtCode, payableId)) ?? fundAccount(program, 'district');
}

export interface RaiseInput {
  districtCode: string;
  /** The entitlement overpaid. */
  payableId: string;
  period: string;
  cause: RecoveryCause;
  amountFen: number;
  note: string;
}

interface Payable {
  program: string;
  personId: string | null;
  householdId: string | null;
}

async function raise(
  tx: WorkTx,
  input: RaiseInput,
  payable: Payable,
): Promise<{ item: RecoveryRow | null; problem: string | null }> {
  const accrued =
    (await accruedByPeriod(tx.db, input.districtCode, [input.payableId], [input.period])).get(
      ledgerKey(input.payableId, input.period),
    )?.accruedFen ?? 0;
  const raised = await raisedFen(tx.db, input.districtCode, input.payableId, input.period);
  const room = accrued - raised;
  if (input.amountFen > room) {
    return {
      item: null,
      problem: `${input.period} 已发放 ${accrued} 分、已追缴 ${raised} 分，追缴金额不能超过 ${Math.max(room, 0)} 分`,
    };
  }
  const id = randomUUID();
  const inserted = await insertRecovery(tx, {
    districtCode: input.districtCode,
    id,
    payableKind: 'entitlement',
    payableId: input.payableId,
    program: payable.program,
    period: input.period,
    amountFen: input.amountFen,
    cause: input.cause,
    note: input.note,
    personId: payable.personId,
    householdId: payable.householdId,
    state: 'open',
    raisedBy: tx.actor.userId ?? 'system',
    raisedAt: tx.now.toISOString(),
  });
  if (!inserted) {
    return {
      item: null,
      problem: `${input.period} 已有同一原因的追缴（${RECOVERY_CAUSE_NAMES[input.cause]}）`,
    };
  }
  await postEntries(tx, [
    {
      districtCode: input.districtCode,
      payableKind: 'entitlement',
      payableId: input.payableId,
      period: input.period,
      kind: 'recovery',
      seq: (await lastSeq(tx.db, input.districtCode, input.payableId, input.period, 'recovery')) + 1,
      program: payable.program,
      debitAccount: receivableAccount(payable.program),
      creditAccount: await fundOf(tx.db, input.districtCode, input.payableId, payable.program),
      amountFen: input.amountFen,
      recoveryId: id,
    },
  ]);
  tx.record({
    action: 'recovery.raised',
    entityType: 'recovery_item',
    entityId: id,
    district: input.districtCode,
    after: {
      payableId: input.payableId,
      period: input.period,
      cause: input.cause,
      amountFen: input.amountFen,
    },
  });
  return { item: (await findRecovery(tx.db, { districtCode: input.districtCode, id }))!, problem: null };
}

/** 登记追缴 (finance): the entitlement's period, cause, amount (≤ paid less raised) and a note. */
export async function raiseRecovery(
  tx: WorkTx,
  caller: PayrollCaller,
  input: RaiseInput,
): Promise<RecoveryRow> {
  if (!mayAct(caller.role, 'payroll.prepare')) throw new WorkflowError('forbidden', '您没有权限登记追缴');
  reachable(caller, input.districtCode);
  if (!PERIOD.test(input.period))
    throw new PayrollError('invalid', `期间「${input.period}」无效，应为 YYYY-MM 或 YYYY-Qn`);
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) {
    throw new PayrollError('invalid', '追缴金额须为大于 0 的整数（分）');
  }
  const entitlement = await findEntitlement(tx.db, ALL, {
    districtCode: input.districtCode,
    id: input.payableId,
  });
  if (!entitlement) throw new PayrollError('not_found', '待遇记录不存在或不在您的数据范围内');
  const { item, problem } = await raise(tx, input, entitlement);
  if (!item) throw new PayrollError('invalid', `不能登记追缴：${problem}`);
  return { ...item, amountFen: Number(item.amountFen), recoveredFen: Number(item.recoveredFen) };
}

export interface RecoveryActionInput extends RecoveryKey {
  action: RecoveryUserAction;
  version: number;
}

/** 收回、核销、撤销: through the recovery machine, with the ledger entry each step posts. */
export async function actOnRecovery(
  tx: WorkTx,
  caller: PayrollCaller,
  input: RecoveryActionInput,
): Promise<RecoveryRow> {
  const key = { districtCode: input.districtCode, id: input.id };
  const item = await loadRecovery(tx.db, caller, key);
  const outstanding = item.amountFen - item.recoveredFen;
  const stamp = {
    closedBy: tx.actor.userId,
    closedAt: tx.now.toISOString(),
    ...(input.action === 'collect' ? { recoveredFen: item.amountFen } : {}),
  };
  const store: MachineStore<RecoveryState> = {
    load: async (t, id) => {
      const row = await findRecovery(t.db, { districtCode: key.districtCode, id });
      return row
        ? { id, divisionCode: row.districtCode, state: row.state as RecoveryState, version: row.version }
        : null;
    },
    save: (t, id, expected, next) =>
      saveRecoveryState(t, { districtCode: key.districtCode, id }, expected, next, stamp),
  };
  await applyTransition(tx, recoveryMachine, store, {
    id: key.id,
    action: input.action,
    expectedVersion: input.version,
    role: caller.role,
    context: {
      check: () => {
        if (input.action === 'write_off' && tx.actor.userId === item.raisedBy) {
          throw new PayrollError('same_person', '核销须由登记追缴以外的另一人审批');
        }
        return Promise.resolve();
      },
    },
    inReach: (district) => runInReach(caller.scope, district),
  });
  if (outstanding > 0) {
    const base = {
      districtCode: key.districtCode,
      payableKind: 'entitlement' as const,
      payableId: item.payableId,
      period: item.period,
      program: item.program,
      recoveryId: item.id,
    };
    const entry: LedgerEntry =
      input.action === 'collect'
        ? {
            ...base,
            kind: 'collection',
            seq: (await lastSeq(tx.db, key.districtCode, item.payableId, item.period, 'collection')) + 1,
            debitAccount: bankAccount(key.districtCode),
            creditAccount: receivableAccount(item.program),
            amountFen: outstanding,
          }
        : {
            ...base,
            kind: 'recovery',
            seq: (await lastSeq(tx.db, key.districtCode, item.payableId, item.period, 'recovery')) + 1,
            debitAccount: receivableAccount(item.program),
            creditAccount: await fundOf(tx.db, key.districtCode, item.payableId, item.program),
            amountFen: -outstanding,
          };
    await postEntries(tx, [entry]);
  }
  return loadRecovery(tx.db, caller, key);
}

/** The open recovery items of these payables, oldest period first: what a later payment may deduct. */
export function openRecoveriesFor(
  db: Db,
  districtCode: string,
  payableIds: readonly string[],
): Promise<RecoveryRow[]> {
  return openRecoveryRows(db, districtCode, payableIds);
}

/**
 * 抵扣 (the computation deducts an open item from a later payment, in its unit): the recovered sum grows;
 * once all is recovered the item is 已抵扣. Returns the item, or null when it is not open or `fen` exceeds
 * what is outstanding.
 */
export async function offsetRecovery(
  tx: WorkTx,
  role: Acting,
  key: RecoveryKey,
  fen: number,
): Promise<RecoveryRow | null> {
  if (!Number.isSafeInteger(fen) || fen <= 0)
    throw new PayrollError('invalid', '抵扣金额须为大于 0 的整数（分）');
  const row = await addRecovered(tx, key, fen);
  if (!row) return null;
  tx.record({
    action: 'recovery.transition',
    entityType: 'recovery_item',
    entityId: key.id,
    district: key.districtCode,
    after: { offsetFen: fen, recoveredFen: Number(row.recoveredFen) },
  });
  if (Number(row.recoveredFen) === Number(row.amountFen)) {
    await applyTransition(
      tx,
      recoveryMachine,
      {
        load: async (t, id) => {
          const r = await findRecovery(t.db, { districtCode: key.districtCode, id });
          return r
            ? { id, divisionCode: r.districtCode, state: r.state as RecoveryState, version: r.version }
            : null;
        },
        save: (t, id, expected, next) =>
          saveRecoveryState(t, { districtCode: key.districtCode, id }, expected, next, {
            closedBy: tx.actor.userId,
            closedAt: tx.now.toISOString(),
          }),
      },
      { id: key.id, action: 'offset', role, context: { check: () => Promise.resolve() } },
    );
  }
  return (await findRecovery(tx.db, key)) ?? null;
}

function monthOfPeriod(period: string): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(period);
  return q ? `${q[1]}-${String((Number(q[2]) - 1) * 3 + 1).padStart(2, '0')}` : period;
}

function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export interface DeathRecoveries {
  /** Items raised now (a re-run raises none twice: the partial unique index). */
  raised: number;
  fen: number;
  /** Entitlements stopped from the month after the death. */
  stopped: number;
}

/**
 * 死亡后发放的追缴: for each person entitlement of the district whose beneficiary died (on or before the end
 * of `month`), every period after the month of death with an accrual in the ledger gets one item (cause
 * death, the accrued amount less what is already raised), and the entitlement is stopped from the month
 * after the death. Idempotent. Acts as the system (its permissions: entitlements.change).
 */
export async function raiseRecoveriesForDeaths(
  tx: WorkTx,
  districtCode: string,
  month: string,
): Promise<DeathRecoveries> {
  const payables = await personPayables(tx.db, districtCode);
  const deaths = new Map<string, string>();
  const ids = [...new Set(payables.map((p) => p.personId))];
  for (let i = 0; i < ids.length; i += 5000) {
    const found = await personIdentities(tx.db, districtCode, ids.slice(i, i + 5000));
    for (const [id, p] of found)
      if (p.deathDate !== null && p.deathDate.slice(0, 7) <= month) deaths.set(id, p.deathDate);
  }
  const dead = payables.filter((p) => deaths.has(p.personId));
  const result: DeathRecoveries = { raised: 0, fen: 0, stopped: 0 };
  for (const r of (await recoverAfterDeaths(tx, districtCode, dead, deaths)).values()) {
    result.raised += r.raised;
    result.fen += r.fen;
    result.stopped += r.stopped;
  }
  return result;
}

/**
 * The same for named persons and their death dates (the life events' deaths, src/events): each person's
 * entitlements are stopped from the month after the death and every period paid after it is raised once.
 * Idempotent. Returns what was done per person.
 */
export async function raiseRecoveriesForPersonDeaths(
  tx: WorkTx,
  districtCode: string,
  deaths: ReadonlyMap<string, string>,
): Promise<Map<string, DeathRecoveries>> {
  if (deaths.size === 0) return new Map();
  const payables = await personPayables(tx.db, districtCode, [...deaths.keys()]);
  return recoverAfterDeaths(tx, districtCode, payables, deaths);
}

async function recoverAfterDeaths(
  tx: WorkTx,
  districtCode: string,
  dead: readonly PersonPayable[],
  deaths: ReadonlyMap<string, string>,
): Promise<Map<string, DeathRecoveries>> {
  const out = new Map<string, DeathRecoveries>();
  if (dead.length === 0) return out;
  const ledger = await accruedByPeriod(
    tx.db,
    districtCode,
    dead.map((p) => p.id),
    null,
  );
  const byPayable = new Map<string, { period: string; accruedFen: number }[]>();
  for (const a of ledger.values()) {
    const list = byPayable.get(a.payableId) ?? [];
    list.push({ period: a.period, accruedFen: a.accruedFen });
    byPayable.set(a.payableId, list);
  }
  const caller: PayrollCaller = { scope: ALL, role: SYSTEM_ROLE, userId: null };
  for (const p of dead) {
    const result = out.get(p.personId) ?? { raised: 0, fen: 0, stopped: 0 };
    out.set(p.personId, result);
    const deathMonth = deaths.get(p.personId)!.slice(0, 7);
    const periods = (byPayable.get(p.id) ?? [])
      .filter((a) => monthOfPeriod(a.period) > deathMonth && a.accruedFen > 0)
      .sort((a, b) => a.period.localeCompare(b.period));
    for (const a of periods) {
      const room = a.accruedFen - (await raisedFen(tx.db, districtCode, p.id, a.period));
      if (room <= 0) continue;
      const { item } = await raise(
        tx,
        {
          districtCode,
          payableId: p.id,
          period: a.period,
          cause: 'death',
          amountFen: room,
          note: `受益人于 ${deaths.get(p.personId)!} 死亡，其后期间已发放`,
        },
        p,
      );
      if (item) {
        result.raised += 1;
        result.fen += room;
      }
    }
    const stopFrom = nextMonth(deathMonth);
    const open = p.state !== 'stopped' && (p.toMonth === null || p.toMonth >= stopFrom);
    if (open && stopFrom > p.fromMonth) {
      await actOnEntitlement(tx, caller, {
        districtCode,
        id: p.id,
        action: 'stop',
        version: p.version,
        reason: `受益人于 ${deaths.get(p.personId)!} 死亡，自 ${stopFrom} 起停发（${shanghaiToday(tx.now)} 发放核查）`,
        fromMonth: stopFrom,
      });
      result.stopped += 1;
    }
  }
  return out;
}
