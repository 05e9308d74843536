import { and, asc, eq, isNull, ne } from 'drizzle-orm';
import { shanghaiToday } from '../core/clock.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { snapshot } from './entitlement.present.ts';
import { appendChange, updateEntitlement, type EntitlementRow } from './entitlement.repository.ts';
import { EntitlementError } from './entitlements.errors.ts';
import { entitlements } from './schema.ts';

/**
 * 收款账户变更 (src/payees): a person's new account becomes the account of every open entitlement paid to
 * them (not stopped, no end month), each with a `payee_changed` history row and an audit record, in the
 * caller's unit of work. The next payroll run copies the new account into its lines.
 */
export interface PayeeAccountChange {
  districtCode: string;
  payeePersonId: string;
  /** Both null: the account was ended without a new one (the next run leaves the lines without a bank). */
  bankName: string | null;
  accountNo: string | null;
  /** The first month paid to the new account (the month of its `valid_from`). */
  effectiveMonth: string;
  reason: string;
}

async function openEntitlementsPaidTo(
  tx: WorkTx,
  key: { districtCode: string; payeePersonId: string },
): Promise<EntitlementRow[]> {
  return tx.db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.payeePersonId, key.payeePersonId),
        ne(entitlements.state, 'stopped'),
        isNull(entitlements.toMonth),
      ),
    )
    .orderBy(asc(entitlements.program), asc(entitlements.id))
    .for('update');
}

/** Moves the open entitlements paid to the person to the new account; returns how many changed. */
export async function changePayeeAccountOfOpenEntitlements(
  tx: WorkTx,
  change: PayeeAccountChange,
): Promise<number> {
  const open = await openEntitlementsPaidTo(tx, change);
  let changed = 0;
  for (const row of open) {
    if (row.bankName === change.bankName && row.accountNo === change.accountNo) continue;
    const next: EntitlementRow = {
      ...row,
      bankName: change.bankName,
      accountNo: change.accountNo,
      version: row.version + 1,
    };
    const saved = await updateEntitlement(
      tx,
      row,
      { version: row.version },
      { bankName: next.bankName, accountNo: next.accountNo, version: next.version },
    );
    if (!saved) throw new EntitlementError('conflict', '待遇已被他人修改，请重试');
    await appendChange(tx, {
      districtCode: row.districtCode,
      entitlementId: row.id,
      kind: 'payee_changed',
      before: snapshot(row),
      after: snapshot(next),
      reason: change.reason,
      caseId: row.caseId,
      decisionProgram: row.decisionProgram,
      rule: row.rule,
      actorId: tx.actor.userId,
      effectiveMonth: change.effectiveMonth,
      changedOn: shanghaiToday(tx.now),
      changedAt: tx.now.toISOString(),
    });
    tx.record({
      action: 'entitlement.changed',
      entityType: 'entitlement',
      entityId: `${row.districtCode}/${row.id}`,
      district: row.committeeCode,
      before: snapshot(row),
      after: snapshot(next),
    });
    changed += 1;
  }
  return changed;
}
