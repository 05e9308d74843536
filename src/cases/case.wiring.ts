import { ALL } from '../auth/scope.ts';
import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import { denyDecision, grantDecision } from '../entitlements/decision.service.ts';
import { relativeConflicts } from '../relatives/conflicts.service.ts';
import { enqueueGathering } from '../verification/gather.service.ts';
import { findRequest } from '../verification/request.repository.ts';
import { createRequest } from '../verification/request.service.ts';
import type { CaseDeps } from './case.deps.ts';
import { afterCaseDecision } from './changes/after-decision.ts';

/** States of a verification request whose report is issued (verification.machine.ts). */
const REPORTED = new Set(['reported', 'in_review', 'reviewed']);

/**
 * The real collaborators of a case: the verification module's request service, the relatives module's
 * conflict check and the entitlements module's decision. The case moves on from 核对 when the caseworker
 * says so and the report exists (`verified` checks it): a caseworker reads the report before going on,
 * and no hook in the verification module needs to know about cases.
 */
export function caseDeps(calendar: WorkingCalendar): CaseDeps {
  return {
    calendar,
    verification: {
      request: async (tx, caller, input) => {
        const view = await createRequest(tx, caller, calendar, input);
        // The sources are asked by the gathering job, as for a request opened on the verification page.
        await enqueueGathering(tx, input.districtCode);
        return { id: view.id, requestNo: view.requestNo };
      },
      reported: async (db, districtCode, requestId) => {
        const row = await findRequest(db, ALL, districtCode, requestId);
        return row !== undefined && REPORTED.has(row.state);
      },
    },
    relativeConflicts: (tx, scope, query) => relativeConflicts(tx, scope, query),
    decisions: {
      // A review or change case's decision also stops what it no longer grants; every decision sets the
      // household's review schedule (src/cases/changes/after-decision.ts).
      grant: async (tx, caller, key) => {
        await grantDecision(tx, caller, key);
        return afterCaseDecision(tx, caller, key);
      },
      deny: (tx, caller, input) => denyDecision(tx, caller, input),
    },
  };
}
