import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { CaseCaller, CaseDeps } from '../case.deps.ts';
import type { CaseRow } from '../case.repository.ts';
import { withdrawTekunCategories } from '../tekun/tekun.service.ts';
import { paidFirstFen, settlePayFirst } from './pay-first.service.ts';

/**
 * What follows the decision's move of the state (case.actions.ts): the entitlements module fixes the lines
 * (an approval counting what was paid first, so that the total stays within the engine's amount), then what
 * was paid first is settled, and a case that ends without approval takes back the 特困 category its
 * assessment wrote.
 */
export async function followDecision(
  tx: WorkTx,
  caller: CaseCaller,
  deps: CaseDeps,
  row: CaseRow,
  action: 'approve' | 'deny',
  reason: string,
): Promise<void> {
  const key = { districtCode: row.districtCode, caseId: row.id };
  if (action === 'approve') {
    await deps.decisions.grant(tx, caller, { ...key, paidFirstFen: await paidFirstFen(tx.db, key) });
    await settlePayFirst(tx, row, 'granted', '');
    return;
  }
  await deps.decisions.deny(tx, caller, { ...key, reasons: [reason] });
  await settlePayFirst(tx, row, 'denied', reason);
  await withdrawTekunCategories(tx, caller, row, `不予批准（${reason}）`);
}

/** A withdrawn case: what was paid first is overpaid, and the 特困 category goes with the case. */
export async function followWithdrawal(
  tx: WorkTx,
  caller: CaseCaller,
  row: CaseRow,
  reason: string,
): Promise<void> {
  await settlePayFirst(tx, row, 'withdrawn', reason);
  await withdrawTekunCategories(tx, caller, row, `撤回（${reason}）`);
}
