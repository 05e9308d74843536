import type { Session, Store } from '../db/store.ts';
import type { AuditAction } from './actions.ts';
import {
  insertAuditRow,
  listAuditRows,
  lockHead,
  type AuditQuery,
  type AuditRow,
} from './audit.repository.ts';
import {
  auditRowHash,
  canonicalNullableText,
  canonicalText,
  canonicalValue,
  CURRENT_HASH_VERSION,
  type HashedAuditFields,
} from './hash.ts';

/** Who did it and why: every write carries this (see WriteContext in the registry). */
export interface AuditActor {
  userId: string | null;
  divisionCode: string | null;
  requestId?: string | undefined;
}

export interface AuditEntry {
  actor: AuditActor;
  action: AuditAction;
  entityType: string;
  entityId?: string | null | undefined;
  /**
   * Where the record the row concerns lies: a division code whose first six digits are its district (the
   * person's or household's district, the changed user's division). Without it, the actor's district;
   * without an actor division, the city (310000). Readers see the rows of their districts only.
   */
  district?: string | null | undefined;
  before?: unknown;
  after?: unknown;
  reason?: string | null | undefined;
  /** For tests of the chain only: the clock is otherwise now. */
  at?: Date | undefined;
}

/** The city level: rows that belong to no one district (an unknown user's failed login, city staff). */
export const CITY_DISTRICT = '310000';

const DIVISION = /^\d{6}(\d{3}){0,2}$/;

/** The 6-digit district a division code lies in; the city when there is none. */
export function auditDistrict(divisionCode: string | null | undefined): string {
  return divisionCode && DIVISION.test(divisionCode) ? divisionCode.slice(0, 6) : CITY_DISTRICT;
}

function entryDistrict(entry: AuditEntry): string {
  if (entry.district === undefined || entry.district === null) return auditDistrict(entry.actor.divisionCode);
  // A record's district is known to the caller: a malformed one is a bug, not a reason to file it elsewhere.
  if (!DIVISION.test(entry.district))
    throw new Error(`audit district is not a division code: ${entry.district}`);
  return entry.district.slice(0, 6);
}

/**
 * Appends one row to the audit chain inside the caller's transaction: the row commits with the write it
 * records or not at all. Call it with the same `tx` the write used. Every value is brought into the form
 * the database stores (hash.ts, `canonicalValue`) before it is hashed, so the row verifies as read back;
 * the id is the head's plus one (the head lock is held, and a rolled-back append rolls the head back
 * too), so ids have no gaps and a missing id is a deleted row.
 */
export async function recordAudit(tx: Session, entry: AuditEntry): Promise<AuditRow> {
  const head = await lockHead(tx.db);
  const fields: HashedAuditFields = {
    id: head.lastId + 1,
    at: (entry.at ?? new Date()).toISOString(),
    actorId: canonicalNullableText(entry.actor.userId),
    actorDivision: canonicalNullableText(entry.actor.divisionCode),
    district: entryDistrict(entry),
    action: entry.action,
    entityType: canonicalText(entry.entityType),
    entityId: canonicalNullableText(entry.entityId),
    before: canonicalValue(entry.before),
    after: canonicalValue(entry.after),
    reason: canonicalNullableText(entry.reason),
    requestId: canonicalNullableText(entry.actor.requestId),
    prevHash: head.lastHash,
    hashVersion: CURRENT_HASH_VERSION,
  };
  const hash = auditRowHash(fields);
  if (hash === undefined) throw new Error('current hash version unknown to auditRowHash');
  const row: AuditRow = { ...fields, hash };
  await insertAuditRow(tx.db, row);
  return row;
}

/** Raw rows in the reader's scope, newest first (the API shapes them through audit-view.service.ts). */
export function listAudit(
  store: Store,
  query: AuditQuery,
): Promise<{ items: AuditRow[]; total: number; totalExact: boolean }> {
  return listAuditRows(store.db, query);
}
