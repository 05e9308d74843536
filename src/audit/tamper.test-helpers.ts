import { sql } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import { auditRowsAfter, type AuditRow } from './audit.repository.ts';
import { auditRowHash } from './hash.ts';

/**
 * Test support (not a test file): what an attacker with write access to the database and this source
 * code can do to the audit log, for the verification and checkpoint tests.
 */

/** Inserts a row hashed as the chain would hash it, without touching the head. */
export async function insertForged(db: Db, row: Omit<AuditRow, 'hash'>): Promise<void> {
  const hash = auditRowHash(row) ?? '';
  await db.execute(
    sql`insert into audit_log (id, at, actor_id, actor_division, district_code, action, entity_type, entity_id,
          before, after, reason, request_id, prev_hash, hash, hash_version)
        values (${row.id}, ${row.at}::timestamptz, ${row.actorId}, ${row.actorDivision}, ${row.district}, ${row.action},
          ${row.entityType}, ${row.entityId}, null, ${JSON.stringify(row.after)}::jsonb, ${row.reason}, null,
          ${row.prevHash}, ${hash}, 2)`,
  );
}

export function forgedAfter(previous: AuditRow, id: number): Omit<AuditRow, 'hash'> {
  return {
    ...previous,
    id,
    before: null,
    after: { note: '伪造' },
    reason: '伪造记录',
    requestId: null,
    prevHash: previous.hash,
  };
}

export async function allRows(db: Db): Promise<AuditRow[]> {
  return auditRowsAfter(db, 0, 10_000);
}

export async function rowAt(db: Db, id: number): Promise<AuditRow> {
  const row = (await allRows(db)).find((r) => r.id === id);
  if (!row) throw new Error(`no row ${id}`);
  return row;
}

/** Re-hashes every row from the first on (after an edit) and moves the head: a consistent rewrite. */
export async function rewriteChain(db: Db): Promise<void> {
  let previous = '0'.repeat(64);
  let last: AuditRow | undefined;
  for (const row of await allRows(db)) {
    const hash = auditRowHash({ ...row, prevHash: previous }) ?? '';
    await db.execute(sql`update audit_log set prev_hash = ${previous}, hash = ${hash} where id = ${row.id}`);
    previous = hash;
    last = row;
  }
  await db.execute(
    sql`update audit_head set last_hash = ${previous}, last_id = ${last?.id ?? 0},
        count = (select count(*) from audit_log) where singleton = 1`,
  );
}

/** Adds `shift` to every id above `pivot` (through negative ids: the key never collides mid-update). */
export async function moveIdsAbove(db: Db, pivot: number, shift: number): Promise<void> {
  await db.execute(sql`update audit_log set id = -(id + ${shift}) where id > ${pivot}`);
  await db.execute(sql`update audit_log set id = -id where id < 0`);
}

export async function swapIds(db: Db, a: number, b: number): Promise<void> {
  await db.execute(sql`update audit_log set id = -1 where id = ${a}`);
  await db.execute(sql`update audit_log set id = ${a} where id = ${b}`);
  await db.execute(sql`update audit_log set id = ${b} where id = -1`);
}
