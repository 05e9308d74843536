import type { DataScope } from '../auth/scope.ts';
import { findCase } from '../cases/case.repository.ts';
import type { Db } from '../db/store.ts';

/**
 * What this module needs of a case (社会救助一件事, src/cases): its household, committee, the programs applied
 * for, its state and the verification request whose report it rests on, read through the cases module's
 * repository inside the caller's scope. Concurrent decisions are serialised by the decision lines' row locks
 * and by the cases module's compare-and-set on the case's state.
 */
export interface CaseFacts {
  districtCode: string;
  id: string;
  caseNo: string;
  /** application 申请 | review 复审 | change 变更. */
  kind: string;
  householdId: string;
  committeeCode: string;
  programs: string[];
  state: string;
  verificationRequestId: string | null;
}

/** States in which the case is closed: nothing may be prepared any more. */
export const CLOSED_CASE_STATES: readonly string[] = ['approved', 'denied', 'withdrawn', 'not_accepted'];

export async function caseFacts(
  db: Db,
  scope: DataScope,
  key: { districtCode: string; caseId: string },
): Promise<CaseFacts | undefined> {
  const row = await findCase(db, scope, key.districtCode, key.caseId);
  if (!row) return undefined;
  return {
    districtCode: row.districtCode,
    id: row.id,
    caseNo: row.caseNo,
    kind: row.kind,
    householdId: row.householdId,
    committeeCode: row.committeeCode,
    programs: [...row.programs],
    state: row.state,
    verificationRequestId: row.verificationRequestId,
  };
}
