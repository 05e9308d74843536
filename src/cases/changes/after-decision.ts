import { ALL } from '../../auth/scope.ts';
import { decisionOf, type DecisionView } from '../../entitlements/decision.service.ts';
import { programName } from '../../entitlements/entitlement.present.ts';
import { openEntitlementsOfHousehold } from '../../entitlements/entitlement.repository.ts';
import { actOnEntitlement } from '../../entitlements/entitlement.service.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { CaseCaller } from '../case.deps.ts';
import { findCase } from '../case.repository.ts';
import { scheduleAfterDecision } from '../reviews/review.service.ts';

/**
 * What an approved case's decision does beyond the entitlements it grants (decision.service grantDecision):
 * a review or change case's decision is the household's new state for each of its programs from the line's
 * start month — an open entitlement of a denied program stops, as does one whose beneficiary the granted line
 * no longer names (a member who died, moved out or no longer qualifies); every stop names the case's decision
 * line as its basis. Then the review schedules follow the decision (review.service scheduleAfterDecision).
 * Runs in the approver's unit of work, right after the grant.
 */
export async function afterCaseDecision(
  tx: WorkTx,
  caller: CaseCaller,
  key: { districtCode: string; caseId: string },
): Promise<DecisionView> {
  const row = await findCase(tx.db, ALL, key.districtCode, key.caseId);
  if (!row) throw new Error(`afterCaseDecision: case ${key.caseId} not found`);
  const decision = await decisionOf(tx.db, ALL, key);
  if (row.kind === 'review' || row.kind === 'change') {
    const open = await openEntitlementsOfHousehold(tx.db, {
      districtCode: row.districtCode,
      householdId: row.householdId,
    });
    for (const line of decision.lines) {
      const kept = new Set(line.outcome === 'granted' ? line.beneficiaries.map((b) => b.id) : []);
      for (const e of open) {
        if (e.program !== line.program || kept.has(e.beneficiaryId)) continue;
        await actOnEntitlement(tx, caller, {
          districtCode: e.districtCode,
          id: e.id,
          action: 'stop',
          version: e.version,
          fromMonth: line.startMonth,
          basis: { caseId: row.id, program: line.program },
          reason:
            line.outcome === 'denied'
              ? `${row.caseNo} 决定停发${programName(line.program)}：${line.reasons.join('；')}`
              : `${row.caseNo} 重新核算后不再享受${programName(line.program)}`,
        });
      }
    }
  }
  await scheduleAfterDecision(tx, row, decision);
  return decision;
}
