import { mayAct } from '../../auth/roles.ts';
import type { Db } from '../../db/store.ts';
import {
  CHANGE_KIND_NAMES as ENTITLEMENT_CHANGE_NAMES,
  programName,
} from '../../entitlements/entitlement.present.ts';
import { changesByCase } from '../../entitlements/entitlement.repository.ts';
import { personIdentities } from '../../registry/person.repository.ts';
import type { CaseCaller } from '../case.deps.ts';
import { findCase } from '../case.repository.ts';
import { CASE_NOT_FOUND, CasesError } from '../cases.errors.ts';
import { changeOfCase } from './change.repository.ts';
import { CHANGE_KIND_NAMES, CHANGE_KINDS, type ChangeKind } from './change.service.ts';

export { CHANGE_KINDS };

/** 申请类别 as the console names them. */
export const CASE_KIND_NAMES: Readonly<Record<string, string>> = {
  application: '申请',
  review: '复审',
  change: '变更',
};

const amountOf = (snapshot: unknown): number | null => {
  const v = (snapshot as { amountFen?: unknown } | null)?.amountFen;
  return typeof v === 'number' ? v : null;
};

/**
 * What a review or change case is about and what its decision did: the change report (kind, date, the month it
 * applies from, who died or moved out) and every entitlement history row naming the case (amount changed,
 * stopped, from which month). An application answers with its kind and the entitlements it created.
 */
export async function changeReport(
  db: Db,
  caller: CaseCaller,
  key: { districtCode: string; caseId: string },
) {
  if (!mayAct(caller.role, 'cases.view')) throw new CasesError('forbidden', '您没有权限查看救助申请');
  const row = await findCase(db, caller.scope, key.districtCode, key.caseId);
  if (!row) throw new CasesError('not_found', CASE_NOT_FOUND);
  const [change, history] = await Promise.all([changeOfCase(db, key), changesByCase(db, key)]);
  const subject = change?.subjectPersonId
    ? (await personIdentities(db, key.districtCode, [change.subjectPersonId])).get(change.subjectPersonId)
    : undefined;
  return {
    kind: row.kind,
    kindName: CASE_KIND_NAMES[row.kind] ?? row.kind,
    change: change
      ? {
          changeKind: change.changeKind,
          changeKindName: CHANGE_KIND_NAMES[change.changeKind as ChangeKind] ?? change.changeKind,
          occurredOn: change.occurredOn,
          effectiveMonth: change.effectiveMonth,
          note: change.note,
          subjectPersonId: change.subjectPersonId,
          subjectName: subject?.name ?? null,
          recheckJobId: change.recheckJobId,
          exit: change.exit,
          reportedAt: change.reportedAt,
        }
      : null,
    entitlementChanges: history.map((h) => ({
      entitlementId: h.entitlementId,
      program: h.program,
      programName: programName(h.program),
      kind: h.kind,
      kindName: ENTITLEMENT_CHANGE_NAMES[h.kind] ?? h.kind,
      amountBeforeFen: amountOf(h.before),
      amountAfterFen: amountOf(h.after),
      effectiveMonth: h.effectiveMonth,
      reason: h.reason,
      changedAt: h.changedAt,
    })),
  };
}
