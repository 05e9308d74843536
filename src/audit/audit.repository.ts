import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { GENESIS_HASH, type HashedAuditFields } from './hash.ts';

/** A stored audit row, timestamps as ISO 8601 UTC: the hashed fields and the hash. */
export interface AuditRow extends HashedAuditFields {
  hash: string;
}

export interface AuditHead {
  lastId: number;
  lastHash: string;
  count: number;
}

const isoAt = sql`to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const rowColumns = sql`id::text as "id", ${isoAt} as "at", actor_id as "actorId", actor_division as "actorDivision",
  action, entity_type as "entityType", entity_id as "entityId", before, after, reason, request_id as "requestId",
  prev_hash as "prevHash", hash`;

interface RawRow extends Omit<AuditRow, 'id'> {
  id: string;
}

const toRow = (raw: RawRow): AuditRow => ({ ...raw, id: Number(raw.id) });

/**
 * Locks the chain head for the rest of the transaction (creating it on first use) and returns it, so that
 * concurrent appenders queue here and each sees the hash its predecessor committed.
 */
export async function lockHead(db: Db): Promise<AuditHead> {
  await db.execute(
    sql`insert into audit_head (singleton, last_id, last_hash, count) values (1, 0, ${GENESIS_HASH}, 0)
        on conflict (singleton) do nothing`,
  );
  const [head] = await selectRows<{ lastId: string; lastHash: string; count: string }>(
    db,
    sql`select last_id::text as "lastId", last_hash as "lastHash", count::text as "count"
        from audit_head where singleton = 1 for update`,
  );
  if (!head) throw new Error('audit_head row missing after insert');
  return { lastId: Number(head.lastId), lastHash: head.lastHash, count: Number(head.count) };
}

export async function readHead(db: Db): Promise<AuditHead | undefined> {
  const [head] = await selectRows<{ lastId: string; lastHash: string; count: string }>(
    db,
    sql`select last_id::text as "lastId", last_hash as "lastHash", count::text as "count" from audit_head where singleton = 1`,
  );
  return head && { lastId: Number(head.lastId), lastHash: head.lastHash, count: Number(head.count) };
}

/** The next id of the identity sequence (taken under the head lock, so ids rise in chain order). */
export async function nextAuditId(db: Db): Promise<number> {
  const [row] = await selectRows<{ id: string }>(
    db,
    sql`select nextval(pg_get_serial_sequence('audit_log', 'id'))::text as id`,
  );
  if (!row) throw new Error('nextval returned no row');
  return Number(row.id);
}

export async function insertAuditRow(db: Db, row: AuditRow): Promise<void> {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  await db.execute(
    sql`insert into audit_log (id, at, actor_id, actor_division, action, entity_type, entity_id, before, after,
          reason, request_id, prev_hash, hash)
        values (${row.id}, ${row.at}::timestamptz, ${row.actorId}, ${row.actorDivision}, ${row.action},
          ${row.entityType}, ${row.entityId}, ${json(row.before)}::jsonb, ${json(row.after)}::jsonb, ${row.reason},
          ${row.requestId}, ${row.prevHash}, ${row.hash})`,
  );
  await db.execute(
    sql`update audit_head set last_id = ${row.id}, last_hash = ${row.hash}, count = count + 1 where singleton = 1`,
  );
}

/** Rows after `afterId` in id order (keyset pagination for the chain walk). */
export async function auditRowsAfter(db: Db, afterId: number, limit: number): Promise<AuditRow[]> {
  const rows = await selectRows<RawRow>(
    db,
    sql`select ${rowColumns} from audit_log where id > ${afterId} order by audit_log.id limit ${limit}`,
  );
  return rows.map(toRow);
}

export interface AuditQuery {
  entityType?: string | undefined;
  entityId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  limit: number;
  offset: number;
}

/** Newest first, with the total for paging. */
export async function listAuditRows(
  db: Db,
  query: AuditQuery,
): Promise<{ items: AuditRow[]; total: number }> {
  const conditions: SQL[] = [sql`true`];
  if (query.entityType) conditions.push(sql`entity_type = ${query.entityType}`);
  if (query.entityId) conditions.push(sql`entity_id = ${query.entityId}`);
  if (query.actorId) conditions.push(sql`actor_id = ${query.actorId}`);
  if (query.action) conditions.push(sql`action = ${query.action}`);
  const where = sql.join(conditions, sql` and `);
  const rows = await selectRows<RawRow>(
    db,
    sql`select ${rowColumns} from audit_log where ${where} order by audit_log.id desc limit ${query.limit} offset ${query.offset}`,
  );
  const [count] = await selectRows<{ total: string }>(
    db,
    sql`select count(*)::text as total from audit_log where ${where}`,
  );
  return { items: rows.map(toRow), total: Number(count?.total ?? 0) };
}
