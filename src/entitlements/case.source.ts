import { sql } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import { selectRows } from '../db/sql.ts';
import type { Db } from '../db/store.ts';

/**
 * What this module needs of a case (社会救助一件事, src/cases): its household, committee, the programs applied
 * for, its state and the verification request whose report it rests on. One read by key inside the caller's
 * scope (the household's committee lies in it), locked when a write follows. Kept to this file so that the
 * cases module's own reader replaces it in one place.
 */
export interface CaseFacts {
  districtCode: string;
  id: string;
  caseNo: string;
  householdId: string;
  committeeCode: string;
  programs: string[];
  state: string;
  verificationRequestId: string | null;
}

/** States in which the case is closed: nothing may be prepared any more. */
export const CLOSED_CASE_STATES: readonly string[] = ['approved', 'denied', 'withdrawn', 'not_accepted'];

function scopeSql(scope: DataScope) {
  if (scope.kind === 'all') return sql`true`;
  return sql`district_code = ${scope.code.slice(0, 6)} and left(committee_code, ${scope.code.length}) = ${scope.code}`;
}

export async function caseFacts(
  db: Db,
  scope: DataScope,
  key: { districtCode: string; caseId: string },
  forUpdate = false,
): Promise<CaseFacts | undefined> {
  const rows = await selectRows<{
    district_code: string;
    id: string;
    case_no: string;
    household_id: string;
    committee_code: string;
    programs: string[];
    state: string;
    verification_request_id: string | null;
  }>(
    db,
    sql`select district_code, id::text, case_no, household_id::text, committee_code, programs, state,
          verification_request_id::text
        from cases
        where district_code = ${key.districtCode} and id = ${key.caseId}::uuid and ${scopeSql(scope)}
        ${forUpdate ? sql`for update` : sql``}`,
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    districtCode: r.district_code,
    id: r.id,
    caseNo: r.case_no,
    householdId: r.household_id,
    committeeCode: r.committee_code,
    programs: [...r.programs],
    state: r.state,
    verificationRequestId: r.verification_request_id,
  };
}
