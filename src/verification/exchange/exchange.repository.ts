import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import {
  verificationAnswers,
  verificationPackages,
  verificationPeerKeys,
  verificationSourceQueries,
} from '../schema.ts';

/**
 * SQL of 异地协查: the package register (every package id sent or received, once), the peer keys, and the
 * `remote` source query and answers of a request. The register is small and keyed by package id alone, so
 * that a replay is refused whichever district it is addressed to.
 */

export type PackageRow = typeof verificationPackages.$inferSelect;
export type PeerKeyRow = typeof verificationPeerKeys.$inferSelect;
export type RemoteQueryRow = typeof verificationSourceQueries.$inferSelect;
export type AnswerInsert = typeof verificationAnswers.$inferInsert;

export async function findPackage(db: Db, packageId: string): Promise<PackageRow | undefined> {
  const rows = await db
    .select()
    .from(verificationPackages)
    .where(eq(verificationPackages.packageId, packageId));
  return rows[0];
}

/**
 * Registers a package id; false when it is already registered (a replay that raced the check before it:
 * the primary key decides).
 */
export async function insertPackage(tx: WorkTx, row: PackageRow): Promise<boolean> {
  const rows = await tx.db
    .insert(verificationPackages)
    .values(row)
    .onConflictDoNothing({ target: verificationPackages.packageId })
    .returning({ packageId: verificationPackages.packageId });
  return rows.length === 1;
}

// ---- peer keys -----------------------------------------------------------------------------------

export async function findPeerKey(db: Db, keyId: string): Promise<PeerKeyRow | undefined> {
  const rows = await db.select().from(verificationPeerKeys).where(eq(verificationPeerKeys.keyId, keyId));
  return rows[0];
}

export async function listPeerKeyRows(db: Db): Promise<PeerKeyRow[]> {
  return db
    .select()
    .from(verificationPeerKeys)
    .orderBy(asc(verificationPeerKeys.region), asc(verificationPeerKeys.validFrom));
}

/** False when the key id is already registered. */
export async function insertPeerKey(tx: WorkTx, row: PeerKeyRow): Promise<boolean> {
  const rows = await tx.db
    .insert(verificationPeerKeys)
    .values(row)
    .onConflictDoNothing({ target: verificationPeerKeys.keyId })
    .returning({ keyId: verificationPeerKeys.keyId });
  return rows.length === 1;
}

// ---- the request's remote query and answers --------------------------------------------------------

const q = verificationSourceQueries;

export async function findRemoteQuery(
  db: Db,
  districtCode: string,
  requestId: string,
): Promise<RemoteQueryRow | undefined> {
  const rows = await db
    .select()
    .from(q)
    .where(and(eq(q.districtCode, districtCode), eq(q.requestId, requestId), eq(q.source, 'remote')));
  return rows[0];
}

/**
 * The request's `remote` query, sent now and timing out when the package expires: created by the first
 * export, sent again by a later one (another attempt) unless an answer is already in.
 */
export async function sendRemoteQuery(
  tx: WorkTx,
  key: { districtCode: string; requestId: string },
  sent: { batchRef: string; expiresAt: string },
): Promise<RemoteQueryRow | undefined> {
  const at = tx.now.toISOString();
  const rows = await tx.db
    .insert(q)
    .values({
      districtCode: key.districtCode,
      requestId: key.requestId,
      source: 'remote',
      state: 'sent',
      attempts: 1,
      batchRef: sent.batchRef,
      sentAt: at,
      expiresAt: sent.expiresAt,
    })
    .onConflictDoUpdate({
      target: [q.districtCode, q.requestId, q.source],
      set: {
        state: 'sent',
        attempts: sql`${q.attempts} + 1`,
        batchRef: sent.batchRef,
        sentAt: at,
        expiresAt: sent.expiresAt,
        answeredAt: null,
        error: null,
      },
      setWhere: sql`${q.state} <> 'answered'`,
    })
    .returning();
  return rows[0];
}

/** Compare-and-set sent → answered; false when the query is no longer waiting (answered or timed out). */
export async function answerRemoteQuery(
  tx: WorkTx,
  key: { districtCode: string; requestId: string },
  gaps: string | null,
): Promise<boolean> {
  const rows = await tx.db
    .update(q)
    .set({ state: 'answered', answeredAt: tx.now.toISOString(), error: gaps })
    .where(
      and(
        eq(q.districtCode, key.districtCode),
        eq(q.requestId, key.requestId),
        eq(q.source, 'remote'),
        eq(q.state, 'sent'),
      ),
    )
    .returning({ requestId: q.requestId });
  return rows.length === 1;
}

/** Inserts answer rows; a row already there (same request, source, person, kind) is kept, not doubled. */
export async function insertAnswers(tx: WorkTx, rows: readonly AnswerInsert[]): Promise<AnswerInsert[]> {
  if (rows.length === 0) return [];
  return tx.db
    .insert(verificationAnswers)
    .values([...rows])
    .onConflictDoNothing()
    .returning();
}

/** Whether every source query of a request is over (answered, failed or timed out). */
export async function allQueriesTerminal(db: Db, districtCode: string, requestId: string): Promise<boolean> {
  const rows = await db
    .select({ state: q.state })
    .from(q)
    .where(
      and(
        eq(q.districtCode, districtCode),
        eq(q.requestId, requestId),
        inArray(q.state, ['pending', 'sent']),
      ),
    )
    .limit(1);
  return rows.length === 0;
}
