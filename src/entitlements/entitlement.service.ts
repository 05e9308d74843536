import { randomUUID } from 'node:crypto';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { isMonth } from '../policy/engine/month.ts';
import type { ProgramCode } from '../policy/index.ts';
import { pageBounds } from '../registry/person.repository.ts';
import { applyTransition, type MachineStore } from '../workflow/state-machine.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { entitlementMachine, type EntitlementAction, type EntitlementState } from './entitlement.machine.ts';
import {
  appendChange,
  changesOf,
  entitlementRowsOf,
  findEntitlement,
  insertEntitlement,
  listEntitlementRows,
  moveAmounts,
  openEntitlementOf,
  updateEntitlement,
  type AmountMoveRow,
  type EntitlementFilter,
  type EntitlementRow,
} from './entitlement.repository.ts';
import {
  basisOf,
  presentChange,
  presentEntitlements,
  snapshot,
  type ChangeView,
  type EntitlementView,
  type PayeeRole,
} from './entitlement.present.ts';
import type { EntitlementCaller } from './entitlements.caller.ts';
import { ENTITLEMENT_NOT_FOUND, EntitlementError } from './entitlements.errors.ts';
import type { Schedule } from './schedules.ts';

/**
 * 待遇: created or changed by a decided case (decision.service.ts calls `entitle`), or later by an automatic
 * rule; suspended, stopped (from a month) and restarted through the state machine. Every change leaves a row
 * in entitlement_changes and an audit record, in the caller's unit of work.
 */

export interface Beneficiary {
  kind: 'household' | 'person';
  /** The household id, or the person id. */
  id: string;
  amountFen: number;
  payeePersonId: string;
  payeeRole: PayeeRole;
  bankName: string;
  accountNo: string;
}

export interface EntitleInput {
  districtCode: string;
  householdId: string;
  committeeCode: string;
  program: ProgramCode;
  schedule: Schedule;
  startMonth: string;
  /** The case's decision line of `program`; `payFirst`: the case itself, paid before its decision (先行救助). */
  basis: { caseId: string; program: string; payFirst?: boolean };
  reason: string;
  beneficiary: Beneficiary;
}

function historyBasis(basis: EntitleInput['basis']) {
  return basis.payFirst
    ? { caseId: basis.caseId, decisionProgram: null, rule: 'pay_first' }
    : { caseId: basis.caseId, decisionProgram: basis.program, rule: null };
}

/**
 * One beneficiary of a granted decision line: a new entitlement, or — when the program and beneficiary already
 * have an open one (a change case, a re-decision) — that one follows the decision: its amount and payee change
 * and its basis becomes this decision, each change in the history. Returns the entitlement's id.
 */
export async function entitle(tx: WorkTx, input: EntitleInput): Promise<{ id: string; created: boolean }> {
  const b = input.beneficiary;
  const today = shanghaiToday(tx.now);
  const common = {
    reason: input.reason,
    actorId: tx.actor.userId,
    effectiveMonth: input.startMonth,
    changedOn: today,
    changedAt: tx.now.toISOString(),
    ...historyBasis(input.basis),
  };
  const open = await openEntitlementOf(tx.db, {
    districtCode: input.districtCode,
    program: input.program,
    beneficiaryId: b.id,
  });
  if (!open) {
    const now = tx.now.toISOString();
    const row: EntitlementRow = {
      districtCode: input.districtCode,
      id: randomUUID(),
      program: input.program,
      beneficiaryKind: b.kind,
      beneficiaryId: b.id,
      householdId: input.householdId,
      personId: b.kind === 'person' ? b.id : null,
      committeeCode: input.committeeCode,
      payeePersonId: b.payeePersonId,
      payeeRole: b.payeeRole,
      bankName: b.bankName,
      accountNo: b.accountNo,
      schedule: input.schedule,
      amountFen: b.amountFen,
      fromMonth: input.startMonth,
      toMonth: input.schedule === 'once' ? input.startMonth : null,
      state: 'active',
      ...historyBasis(input.basis),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await insertEntitlement(tx, row);
    await appendChange(tx, {
      districtCode: row.districtCode,
      entitlementId: row.id,
      kind: 'created',
      before: null,
      after: snapshot(row),
      ...common,
    });
    tx.record({
      action: 'entitlement.created',
      entityType: 'entitlement',
      entityId: `${row.districtCode}/${row.id}`,
      district: input.committeeCode,
      after: { ...snapshot(row), program: row.program, beneficiaryId: row.beneficiaryId, basis: input.basis },
    });
    return { id: row.id, created: true };
  }
  const payeeChanged =
    open.payeePersonId !== b.payeePersonId ||
    open.payeeRole !== b.payeeRole ||
    open.bankName !== b.bankName ||
    open.accountNo !== b.accountNo;
  const amountChanged = open.amountFen !== b.amountFen;
  if (!payeeChanged && !amountChanged) return { id: open.id, created: false };
  const next: EntitlementRow = {
    ...open,
    amountFen: b.amountFen,
    payeePersonId: b.payeePersonId,
    payeeRole: b.payeeRole,
    bankName: b.bankName,
    accountNo: b.accountNo,
    caseId: input.basis.caseId,
    decisionProgram: input.basis.program,
    rule: null,
    version: open.version + 1,
  };
  const saved = await updateEntitlement(
    tx,
    open,
    { version: open.version },
    {
      amountFen: next.amountFen,
      payeePersonId: next.payeePersonId,
      payeeRole: next.payeeRole,
      bankName: next.bankName,
      accountNo: next.accountNo,
      caseId: next.caseId,
      decisionProgram: next.decisionProgram,
      rule: null,
      version: next.version,
    },
  );
  if (!saved) throw new EntitlementError('conflict', '待遇已被他人修改，请重试');
  if (amountChanged) {
    await appendChange(tx, {
      districtCode: open.districtCode,
      entitlementId: open.id,
      kind: 'amount_changed',
      before: snapshot(open),
      after: snapshot(next),
      ...common,
    });
  }
  if (payeeChanged) {
    await appendChange(tx, {
      districtCode: open.districtCode,
      entitlementId: open.id,
      kind: 'payee_changed',
      before: snapshot(open),
      after: snapshot(next),
      ...common,
    });
  }
  tx.record({
    action: 'entitlement.changed',
    entityType: 'entitlement',
    entityId: `${open.districtCode}/${open.id}`,
    district: open.committeeCode,
    before: snapshot(open),
    after: { ...snapshot(next), basis: input.basis },
  });
  return { id: open.id, created: false };
}

export interface EntitlementDetail extends EntitlementView {
  history: ChangeView[];
}

export async function listEntitlements(
  db: Db,
  caller: EntitlementCaller,
  filter: Omit<EntitlementFilter, 'limit' | 'offset'> & { limit?: number; offset?: number },
): Promise<{ items: EntitlementView[]; total: number }> {
  if (filter.division !== undefined && !/^\d{9}(\d{3})?$/.test(filter.division)) {
    throw new EntitlementError(
      'invalid',
      `街道或居委会代码「${filter.division}」无效，应为 9 位或 12 位数字`,
    );
  }
  const page = pageBounds(filter.limit, filter.offset);
  const { rows, total } = await listEntitlementRows(db, caller.scope, { ...filter, ...page });
  return { items: await presentEntitlements(db, caller, rows), total };
}

export async function getEntitlement(
  db: Db,
  caller: EntitlementCaller,
  key: { districtCode: string; id: string },
): Promise<EntitlementDetail> {
  const row = await findEntitlement(db, caller.scope, key);
  if (!row) throw new EntitlementError('not_found', ENTITLEMENT_NOT_FOUND);
  const [view] = await presentEntitlements(db, caller, [row]);
  const history = (await changesOf(db, key)).map(presentChange);
  return { ...view!, history };
}

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export interface EntitlementActionInput {
  districtCode: string;
  id: string;
  action: EntitlementAction;
  version: number;
  reason: string;
  /** stop: the first month no longer paid. */
  fromMonth?: string | undefined;
  /** A stop decided by a case (复审、变更): the decision line the history names instead of the entitlement's own. */
  basis?: { caseId: string; program: string } | undefined;
}

const CHANGE_KIND: Record<EntitlementAction, 'suspended' | 'restarted' | 'stopped'> = {
  suspend: 'suspended',
  restart: 'restarted',
  stop: 'stopped',
};

function stopProblems(row: EntitlementRow, fromMonth: string | undefined): string[] {
  if (fromMonth === undefined) return ['请填写停发起始月份'];
  if (!isMonth(fromMonth)) return [`停发起始月份「${fromMonth}」无效，应为 YYYY-MM`];
  if (fromMonth <= row.fromMonth) {
    return [
      `停发起始月份 ${fromMonth} 须晚于待遇起始月份 ${row.fromMonth}（尚未发放的决定应通过变更申请处理）`,
    ];
  }
  if (row.toMonth !== null && fromMonth > row.toMonth) {
    return [`该待遇发放至 ${row.toMonth} 为止，停发起始月份 ${fromMonth} 已在其后`];
  }
  return [];
}

/** 暂停、恢复、停发: through the state machine (compare-and-set on state and version), with a history row. */
export async function actOnEntitlement(
  tx: WorkTx,
  caller: EntitlementCaller,
  input: EntitlementActionInput,
): Promise<EntitlementDetail> {
  const key = { districtCode: input.districtCode, id: input.id };
  const before = await findEntitlement(tx.db, caller.scope, key, true);
  if (!before) throw new EntitlementError('not_found', ENTITLEMENT_NOT_FOUND);
  const problems = input.action === 'stop' ? stopProblems(before, input.fromMonth) : [];
  const toMonth =
    input.action === 'stop' ? previousMonth(input.fromMonth ?? before.fromMonth) : before.toMonth;
  const store: MachineStore<EntitlementState> = {
    load: async (t, id) => {
      const row = await findEntitlement(t.db, caller.scope, { districtCode: input.districtCode, id });
      return row
        ? {
            id: row.id,
            divisionCode: row.committeeCode,
            state: row.state as EntitlementState,
            version: row.version,
          }
        : null;
    },
    save: (t, id, expected, next) =>
      updateEntitlement(
        t,
        { districtCode: input.districtCode, id },
        expected,
        input.action === 'stop' ? { ...next, toMonth } : next,
      ),
  };
  await applyTransition(tx, entitlementMachine, store, {
    id: input.id,
    action: input.action,
    expectedVersion: input.version,
    role: caller.role,
    context: { problems },
  });
  const after = (await findEntitlement(tx.db, caller.scope, key))!;
  await appendChange(tx, {
    districtCode: after.districtCode,
    entitlementId: after.id,
    kind: CHANGE_KIND[input.action],
    before: snapshot(before),
    after: snapshot(after),
    reason: input.reason,
    ...(input.basis
      ? historyBasis(input.basis)
      : basisOf(after)?.kind === 'rule'
        ? { caseId: null, decisionProgram: null, rule: after.rule }
        : { caseId: after.caseId, decisionProgram: after.decisionProgram, rule: null }),
    actorId: tx.actor.userId,
    effectiveMonth: input.action === 'stop' ? (input.fromMonth ?? null) : null,
    changedOn: shanghaiToday(tx.now),
    changedAt: tx.now.toISOString(),
  });
  return getEntitlement(tx.db, caller, key);
}

/** An amount the payroll run found moved by an approved parameter change or by an age band (no decision needed). */
export interface AmountFollow {
  id: string;
  version: number;
  amountFen: number;
  /** `parameter_change:<id>` or `age_band`. */
  rule: string;
  effectiveMonth: string;
  reason: string;
}

/**
 * 待遇金额随参数调整: the entitlements of a district whose amount follows an approved parameter change (or a
 * birthday into the next 老年综合津贴 band), set-based: one read, one statement per thousand, each with its
 * `amount_changed` history row naming the change, and one audit record each. Returns the ids moved; one
 * changed by someone else meanwhile (another version) is left as it is.
 */
export async function followAmounts(
  tx: WorkTx,
  districtCode: string,
  follows: readonly AmountFollow[],
): Promise<string[]> {
  if (follows.length === 0) return [];
  const rows = new Map(
    (
      await entitlementRowsOf(
        tx.db,
        districtCode,
        follows.map((f) => f.id),
      )
    ).map((r) => [r.id, r]),
  );
  const moves: AmountMoveRow[] = [];
  for (const f of follows) {
    const row = rows.get(f.id);
    if (!row || row.version !== f.version) continue;
    const next = { ...row, amountFen: f.amountFen, version: row.version + 1 };
    moves.push({
      districtCode,
      id: f.id,
      version: f.version,
      amountFen: f.amountFen,
      before: snapshot(row),
      after: snapshot(next),
      reason: f.reason,
      rule: f.rule,
      effectiveMonth: f.effectiveMonth,
    });
  }
  const moved = await moveAmounts(tx, moves);
  const byId = new Map(moves.map((m) => [m.id, m]));
  for (const id of moved) {
    const m = byId.get(id)!;
    tx.record({
      action: 'entitlement.changed',
      entityType: 'entitlement',
      entityId: `${districtCode}/${id}`,
      district: rows.get(id)!.committeeCode,
      before: m.before,
      after: { ...m.after, basis: { rule: m.rule } },
      reason: m.reason,
    });
  }
  return moved;
}
