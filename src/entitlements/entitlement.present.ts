import { mayAct } from '../auth/roles.ts';
import type { Db } from '../db/store.ts';
import { PROGRAMS, isProgramCode } from '../policy/index.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import { personIdentities } from '../registry/person.repository.ts';
import { allowedTransitions } from '../workflow/state-machine.ts';
import { entitlementMachine, type EntitlementState } from './entitlement.machine.ts';
import type { ChangeRow, EntitlementRow } from './entitlement.repository.ts';
import type { EntitlementCaller } from './entitlements.caller.ts';
import { SCHEDULE_NAMES, type Schedule } from './schedules.ts';

/**
 * Entitlements as the API shows them: names from the registry, ID numbers masked, account numbers masked
 * unless the caller may see them in full (entitlements.account).
 */

export const PAYEE_ROLE_NAMES = {
  beneficiary: '本人',
  guardian: '监护人',
  household_member: '家庭成员',
} as const;
export type PayeeRole = keyof typeof PAYEE_ROLE_NAMES;

export const CHANGE_KIND_NAMES: Readonly<Record<string, string>> = {
  created: '新增待遇',
  amount_changed: '金额变更',
  suspended: '暂停发放',
  stopped: '停发',
  restarted: '恢复发放',
  payee_changed: '收款人变更',
};

/** 6222****1234: the first and last four digits; short numbers are fully masked. */
export function maskAccount(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return `${value.slice(0, 4)}${'*'.repeat(value.length - 8)}${value.slice(-4)}`;
}

export function programName(code: string): string {
  return isProgramCode(code) ? PROGRAMS[code].name : code;
}

export interface PersonLabel {
  personId: string;
  name: string;
  idNumberMasked: string;
}

export type Basis =
  | { kind: 'decision'; caseId: string; program: string }
  /** 先行救助: paid on the case before its decision (src/cases/pay-first). */
  | { kind: 'pay_first'; caseId: string }
  | { kind: 'rule'; rule: string };

export interface EntitlementView {
  id: string;
  districtCode: string;
  program: string;
  programName: string;
  beneficiaryKind: 'household' | 'person';
  beneficiaryId: string;
  householdId: string;
  person: PersonLabel | null;
  committeeCode: string;
  payee: PersonLabel & {
    role: PayeeRole;
    roleName: string;
    bankName: string | null;
    accountNo: string | null;
    accountMasked: boolean;
  };
  schedule: Schedule;
  scheduleName: string;
  amountFen: number;
  fromMonth: string;
  toMonth: string | null;
  state: EntitlementState;
  stateName: string;
  basis: Basis;
  version: number;
  allowedActions: { action: string; label: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface ChangeView {
  seq: number;
  kind: string;
  kindName: string;
  before: unknown;
  after: unknown;
  reason: string;
  basis: Basis | null;
  actorId: string | null;
  /** The first month the change applies to (amount changes and stops), when known. */
  effectiveMonth: string | null;
  changedOn: string;
  changedAt: string;
}

export function basisOf(row: {
  caseId: string | null;
  decisionProgram: string | null;
  rule: string | null;
}): Basis | null {
  if (row.caseId && row.decisionProgram)
    return { kind: 'decision', caseId: row.caseId, program: row.decisionProgram };
  if (row.caseId && row.rule === 'pay_first') return { kind: 'pay_first', caseId: row.caseId };
  if (row.rule) return { kind: 'rule', rule: row.rule };
  return null;
}

/** What a change row keeps of the entitlement: amounts and payee, the account masked as everywhere in the log. */
export function snapshot(row: EntitlementRow): Record<string, unknown> {
  return {
    state: row.state,
    amountFen: row.amountFen,
    fromMonth: row.fromMonth,
    toMonth: row.toMonth,
    payeePersonId: row.payeePersonId,
    payeeRole: row.payeeRole,
    bankName: row.bankName,
    accountNo: row.accountNo === null ? null : maskAccount(row.accountNo),
    version: row.version,
  };
}

function label(identities: Awaited<ReturnType<typeof personIdentities>>, id: string): PersonLabel {
  const p = identities.get(id);
  return { personId: id, name: p?.name ?? '', idNumberMasked: p ? maskIdNumber(p.idNumber) : '' };
}

export async function presentEntitlements(
  db: Db,
  caller: EntitlementCaller,
  rows: readonly EntitlementRow[],
): Promise<EntitlementView[]> {
  const unmask = mayAct(caller.role, 'entitlements.account');
  const byDistrict = new Map<string, string[]>();
  for (const r of rows) {
    const ids = byDistrict.get(r.districtCode) ?? [];
    ids.push(r.payeePersonId, ...(r.personId ? [r.personId] : []));
    byDistrict.set(r.districtCode, ids);
  }
  const names = new Map<string, Awaited<ReturnType<typeof personIdentities>>>();
  for (const [district, ids] of byDistrict) names.set(district, await personIdentities(db, district, ids));
  const role = caller.role === 'operator' ? undefined : caller.role;
  return rows.map((r) => {
    const identities = names.get(r.districtCode)!;
    const state = r.state as EntitlementState;
    const schedule = r.schedule as Schedule;
    const payeeRole = r.payeeRole as PayeeRole;
    return {
      id: r.id,
      districtCode: r.districtCode,
      program: r.program,
      programName: programName(r.program),
      beneficiaryKind: r.beneficiaryKind as 'household' | 'person',
      beneficiaryId: r.beneficiaryId,
      householdId: r.householdId,
      person: r.personId ? label(identities, r.personId) : null,
      committeeCode: r.committeeCode,
      payee: {
        ...label(identities, r.payeePersonId),
        role: payeeRole,
        roleName: PAYEE_ROLE_NAMES[payeeRole],
        bankName: r.bankName,
        accountNo: r.accountNo === null || unmask ? r.accountNo : maskAccount(r.accountNo),
        accountMasked: r.accountNo !== null && !unmask,
      },
      schedule,
      scheduleName: SCHEDULE_NAMES[schedule],
      amountFen: r.amountFen,
      fromMonth: r.fromMonth,
      toMonth: r.toMonth,
      state,
      stateName: entitlementMachine.states[state],
      basis: basisOf(r)!,
      version: r.version,
      allowedActions: allowedTransitions(entitlementMachine, state, role).map((t) => ({
        action: t.action,
        label: t.label,
      })),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  });
}

export function presentChange(row: ChangeRow): ChangeView {
  return {
    seq: row.seq,
    kind: row.kind,
    kindName: CHANGE_KIND_NAMES[row.kind] ?? row.kind,
    before: row.before,
    after: row.after,
    reason: row.reason,
    basis: basisOf(row),
    actorId: row.actorId,
    effectiveMonth: row.effectiveMonth,
    changedOn: row.changedOn,
    changedAt: row.changedAt,
  };
}
