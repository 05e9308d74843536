import { OPERATOR, type Acting } from '../../auth/roles.ts';
import type { Db } from '../../db/store.ts';
import { programName } from '../../entitlements/entitlement.present.ts';
import { maskIdNumber } from '../../registry/id-number.ts';
import { personIdentities } from '../../registry/person.repository.ts';
import { pageBounds } from '../../registry/person.repository.ts';
import { allowedTransitions } from '../../workflow/state-machine.ts';
import { userNames } from '../runs/runs.present.ts';
import type { PayrollCaller } from '../runs/runs.service.ts';
import {
  RECOVERY_CAUSE_NAMES,
  RECOVERY_STATE_NAMES,
  RECOVERY_USER_ACTIONS,
  recoveryMachine,
  type RecoveryCause,
  type RecoveryState,
} from './recovery.machine.ts';
import { listRecoveryRows, type RecoveryFilter, type RecoveryRow } from './recovery.repository.ts';

/** 追缴 as people read it: the person, program, cause and state in Chinese, who raised and closed it. */

export interface RecoveryView {
  id: string;
  districtCode: string;
  payableId: string;
  program: string;
  programName: string;
  period: string;
  amountFen: number;
  recoveredFen: number;
  cause: RecoveryCause;
  causeName: string;
  note: string;
  person: { personId: string; name: string; idNumberMasked: string } | null;
  householdId: string | null;
  state: RecoveryState;
  stateName: string;
  raisedBy: string;
  raisedAt: string;
  closedBy: string | null;
  closedAt: string | null;
  version: number;
  allowedActions: { action: string; label: string }[];
}

export async function presentRecoveries(
  db: Db,
  role: Acting,
  rows: readonly RecoveryRow[],
): Promise<RecoveryView[]> {
  const names = await userNames(
    db,
    rows.flatMap((r) => [r.raisedBy, r.closedBy]),
  );
  const persons = new Map<string, { name: string; idNumber: string }>();
  const byDistrict = new Map<string, string[]>();
  for (const r of rows) {
    if (r.personId) byDistrict.set(r.districtCode, [...(byDistrict.get(r.districtCode) ?? []), r.personId]);
  }
  for (const [district, ids] of byDistrict) {
    for (const [id, p] of await personIdentities(db, district, ids)) persons.set(id, p);
  }
  return rows.map((r) => {
    const state = r.state as RecoveryState;
    const p = r.personId ? persons.get(r.personId) : undefined;
    return {
      id: r.id,
      districtCode: r.districtCode,
      payableId: r.payableId,
      program: r.program,
      programName: programName(r.program),
      period: r.period,
      amountFen: Number(r.amountFen),
      recoveredFen: Number(r.recoveredFen),
      cause: r.cause as RecoveryCause,
      causeName: RECOVERY_CAUSE_NAMES[r.cause as RecoveryCause] ?? r.cause,
      note: r.note,
      person: r.personId
        ? {
            personId: r.personId,
            name: p?.name ?? '（未知）',
            idNumberMasked: p ? maskIdNumber(p.idNumber) : '',
          }
        : null,
      householdId: r.householdId,
      state,
      stateName: RECOVERY_STATE_NAMES[state] ?? r.state,
      raisedBy: names.of(r.raisedBy),
      raisedAt: new Date(r.raisedAt).toISOString(),
      closedBy: r.closedBy === null ? null : names.of(r.closedBy),
      closedAt: r.closedAt === null ? null : new Date(r.closedAt).toISOString(),
      version: r.version,
      allowedActions: allowedTransitions(recoveryMachine, state, role === OPERATOR ? undefined : role)
        .filter((t) => (RECOVERY_USER_ACTIONS as readonly string[]).includes(t.action))
        .map((t) => ({ action: t.action, label: t.label })),
    };
  });
}

export async function listRecoveries(
  db: Db,
  caller: PayrollCaller,
  filter: Omit<RecoveryFilter, 'limit' | 'offset'> & { limit?: number; offset?: number },
): Promise<{ items: RecoveryView[]; total: number }> {
  const page = pageBounds(filter.limit, filter.offset);
  const { rows, total } = await listRecoveryRows(db, caller.scope, { ...filter, ...page });
  return { items: await presentRecoveries(db, caller.role, rows), total };
}
