import type { Acting } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import type { Db, Session } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';

/** Who acts on cases: their data scope, role and user id (null for the system actor). */
export interface CaseCaller {
  scope: DataScope;
  role: Acting;
  userId: string | null;
}

/** A staff member an applicant is a close relative of (the relatives module's finding, kept on the case). */
export interface RelativeMatch {
  staff: { staffId: string; userId: string | null; name: string; roleName: string };
  member: { personId: string; name: string };
  relation: { name: string };
  foundByName: string;
}

/**
 * What a case needs of other modules, passed in rather than imported: the verification request and its
 * report (src/verification), the close-relative check (src/relatives) and the decision lines
 * (src/entitlements). `caseDeps` (case.wiring.ts) wires the real ones; tests may replace one.
 */
export interface CaseDeps {
  calendar: WorkingCalendar;
  verification: {
    /** Opens the 核对委托 for the household and purpose; its own errors (a missing authorisation) pass through. */
    request(
      tx: WorkTx,
      caller: CaseCaller,
      input: { districtCode: string; householdId: string; purpose: string },
    ): Promise<{ id: string; requestNo: string }>;
    /** The request's report is issued (reported, under review or reviewed). */
    reported(db: Db, districtCode: string, requestId: string): Promise<boolean>;
  };
  relativeConflicts(
    tx: Session,
    scope: DataScope,
    query: { districtCode: string; personIds: readonly string[] },
  ): Promise<RelativeMatch[]>;
  decisions: {
    /** `paidFirstFen`: 先行救助 already paid, by program; the approval pays only the rest. */
    grant(
      tx: WorkTx,
      caller: CaseCaller,
      key: { districtCode: string; caseId: string; paidFirstFen?: Readonly<Record<string, number>> },
    ): Promise<unknown>;
    deny(
      tx: WorkTx,
      caller: CaseCaller,
      input: { districtCode: string; caseId: string; reasons: readonly string[] },
    ): Promise<unknown>;
  };
}
