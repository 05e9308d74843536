import type { Session } from '../db/store.ts';
import type { WriteResult } from '../registry/registry.service.ts';
import { recordAudit } from './audit.service.ts';

/**
 * The registry's write hook: pass `{ onChanges: auditRegistryChanges }` to any registry write
 * (createHousehold, addMember, endMembership, movePerson, changeHead) and every row it changed is
 * appended to the audit chain inside the write's own transaction, with the before/after snapshots.
 */
export async function auditRegistryChanges(tx: Session, result: WriteResult<unknown>): Promise<void> {
  const actor = {
    userId: result.actor.userId,
    divisionCode: result.actor.divisionCode,
    requestId: result.actor.requestId,
  };
  for (const change of result.changes) {
    await recordAudit(tx, {
      actor,
      action: result.action,
      entityType: change.entityType,
      entityId: change.entityId,
      district: change.districtCode,
      before: change.before,
      after: change.after,
      reason: result.actor.reason,
    });
  }
}
