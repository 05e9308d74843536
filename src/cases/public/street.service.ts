import { mayAct } from '../../auth/roles.ts';
import type { Db } from '../../db/store.ts';
import { divisionIndex } from '../../registry/divisions.ts';
import { maskIdNumber } from '../../registry/id-number.ts';
import { maskPhone } from '../../registry/present.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { CaseCaller } from '../case.deps.ts';
import { PROGRAMS } from '../../policy/index.ts';
import type { CaseProgram } from '../cases.handles.ts';
import {
  ONLINE_OUTCOMES,
  ONLINE_STATE_NAMES,
  isOnlineOutcome,
  type OnlineApplicationState,
  type OnlineOutcome,
} from './outcomes.ts';
import { PublicError } from './public.errors.ts';
import { findApplication, listApplicationRows } from './public.repository.ts';
import type { PublicApplicationRow } from './schema.ts';

/**
 * The street's side of the online applications the registry could not match: listed for the streets in
 * the caller's scope (who may accept cases), masked; the full ID number and phone, to call the resident
 * back, only with a stated purpose, audited as every unmasking is.
 */

export interface OnlineApplicationView {
  districtCode: string;
  id: string;
  receiptNo: string;
  name: string;
  idNumberMasked: string;
  phoneMasked: string;
  streetCode: string;
  streetName: string;
  address: string;
  householdNote: string;
  programs: string[];
  state: OnlineApplicationState;
  stateName: string;
  version: number;
  caseId: string | null;
  receivedAt: string;
  outcome: OnlineOutcome | null;
  outcomeName: string | null;
  /** The caseworker's note on the call (staff only). */
  outcomeNote: string | null;
  handledAt: string | null;
}

export function stateOf(row: PublicApplicationRow): OnlineApplicationState {
  return row.state in ONLINE_STATE_NAMES ? (row.state as OnlineApplicationState) : 'unmatched';
}

export function presentApplication(row: PublicApplicationRow): OnlineApplicationView {
  return {
    districtCode: row.districtCode,
    id: row.id,
    receiptNo: row.receiptNo,
    name: row.name,
    idNumberMasked: maskIdNumber(row.idNumber),
    phoneMasked: maskPhone(row.phone),
    streetCode: row.streetCode,
    streetName: divisionIndex().get(row.streetCode)?.name ?? row.streetCode,
    address: row.address,
    householdNote: row.householdNote,
    programs: row.programs.map((p) => (p in PROGRAMS ? PROGRAMS[p as CaseProgram].name : p)),
    state: stateOf(row),
    stateName: ONLINE_STATE_NAMES[stateOf(row)],
    version: row.version,
    caseId: row.caseId,
    receivedAt: row.receivedAt,
    outcome: isOnlineOutcome(row.outcome) ? row.outcome : null,
    outcomeName: isOnlineOutcome(row.outcome) ? ONLINE_OUTCOMES[row.outcome].label : null,
    outcomeNote: row.outcomeNote,
    handledAt: row.handledAt,
  };
}

export function allowed(caller: CaseCaller): void {
  if (!mayAct(caller.role, 'cases.accept')) throw new PublicError('forbidden', '您没有权限处理网上申请');
}

export async function listOnlineApplications(
  db: Db,
  caller: CaseCaller,
  filter: { state: OnlineApplicationState; limit: number; offset: number },
): Promise<{ items: OnlineApplicationView[]; total: number }> {
  allowed(caller);
  const { rows, total } = await listApplicationRows(db, caller.scope, filter);
  return { items: rows.map(presentApplication), total };
}

/** The full ID number and phone of one application, for calling the resident back; audited with the purpose. */
export async function revealApplicationContact(
  tx: WorkTx,
  caller: CaseCaller,
  key: { districtCode: string; id: string },
): Promise<{ idNumber: string; phone: string }> {
  allowed(caller);
  const row = await findApplication(tx.db, caller.scope, key.districtCode, key.id);
  if (!row) throw new PublicError('not_found', '网上申请不存在或不在您的数据范围内');
  tx.record({
    action: 'person.unmask',
    entityType: 'public_application',
    entityId: row.id,
    district: row.streetCode,
    after: { receiptNo: row.receiptNo, fields: ['idNumber', 'phone'] },
  });
  return { idNumber: row.idNumber, phone: row.phone };
}
