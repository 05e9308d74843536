import type { Session, Store } from '../db/store.ts';
import type { AuditAction } from './actions.ts';
import {
  auditRowsAfter,
  insertAuditRow,
  listAuditRows,
  lockHead,
  nextAuditId,
  readHead,
  type AuditQuery,
  type AuditRow,
} from './audit.repository.ts';
import { auditRowHash, GENESIS_HASH } from './hash.ts';

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
  before?: unknown;
  after?: unknown;
  reason?: string | null | undefined;
  /** For tests of the chain only: the clock is otherwise now. */
  at?: Date | undefined;
}

/**
 * Appends one row to the audit chain inside the caller's transaction: the row commits with the write it
 * records or not at all. Call it with the same `tx` the write used.
 */
export async function recordAudit(tx: Session, entry: AuditEntry): Promise<AuditRow> {
  const head = await lockHead(tx.db);
  const id = await nextAuditId(tx.db);
  const fields = {
    id,
    at: (entry.at ?? new Date()).toISOString(),
    actorId: entry.actor.userId,
    actorDivision: entry.actor.divisionCode,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    reason: entry.reason ?? null,
    requestId: entry.actor.requestId ?? null,
    prevHash: head.lastHash,
  };
  const row: AuditRow = { ...fields, hash: auditRowHash(fields) };
  await insertAuditRow(tx.db, row);
  return row;
}

/** A write and its audit row in one transaction. */
export function auditedWrite<T>(
  store: Store,
  work: (tx: Session) => Promise<{ result: T; audit: AuditEntry }>,
): Promise<T> {
  return store.transaction(async (tx) => {
    const { result, audit } = await work(tx);
    await recordAudit(tx, audit);
    return result;
  });
}

export type VerifyResult =
  { ok: true; count: number } | { ok: false; count: number; brokenId: number | null; reason: string };

const VERIFY_BATCH = 2000;

/**
 * Walks the chain in id order: each row must point at its predecessor's hash and hash to its stored
 * value; the head must name the last row. Reports the first row where that fails.
 */
export async function verifyAuditChain(store: Store): Promise<VerifyResult> {
  let previousHash = GENESIS_HASH;
  let lastId = 0;
  let count = 0;
  for (;;) {
    const rows = await auditRowsAfter(store.db, lastId, VERIFY_BATCH);
    for (const row of rows) {
      if (row.prevHash !== previousHash) {
        return {
          ok: false,
          count,
          brokenId: row.id,
          reason: `第 ${row.id} 条的前序哈希与上一条不符（记录被删除、插入或调换顺序）`,
        };
      }
      const { hash, ...fields } = row;
      if (auditRowHash(fields) !== hash) {
        return {
          ok: false,
          count,
          brokenId: row.id,
          reason: `第 ${row.id} 条的内容与其哈希不符（记录被修改）`,
        };
      }
      previousHash = hash;
      lastId = row.id;
      count += 1;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  const head = await readHead(store.db);
  const headHash = head?.lastHash ?? GENESIS_HASH;
  const headCount = head?.count ?? 0;
  if (headHash !== previousHash || headCount !== count || (head?.lastId ?? 0) !== lastId) {
    return {
      ok: false,
      count,
      brokenId: head?.lastId ?? null,
      reason: `链头记录（最后一条 ${head?.lastId ?? 0}，共 ${headCount} 条）与日志末尾（${lastId}，共 ${count} 条）不符（末尾记录被删除）`,
    };
  }
  return { ok: true, count };
}

export function listAudit(store: Store, query: AuditQuery): Promise<{ items: AuditRow[]; total: number }> {
  return listAuditRows(store.db, query);
}
