import { sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
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
  district_code as "district", action, entity_type as "entityType", entity_id as "entityId", before, after, reason,
  request_id as "requestId", prev_hash as "prevHash", hash, hash_version as "hashVersion"`;

interface RawRow extends Omit<AuditRow, 'id'> {
  id: string;
}

const toRow = (raw: RawRow): AuditRow => ({
  ...raw,
  id: Number(raw.id),
  hashVersion: Number(raw.hashVersion),
});

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

export async function insertAuditRow(db: Db, row: AuditRow): Promise<void> {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  await db.execute(
    sql`insert into audit_log (id, at, actor_id, actor_division, district_code, action, entity_type, entity_id,
          before, after, reason, request_id, prev_hash, hash, hash_version)
        values (${row.id}, ${row.at}::timestamptz, ${row.actorId}, ${row.actorDivision}, ${row.district},
          ${row.action}, ${row.entityType}, ${row.entityId}, ${json(row.before)}::jsonb, ${json(row.after)}::jsonb,
          ${row.reason}, ${row.requestId}, ${row.prevHash}, ${row.hash}, ${row.hashVersion})`,
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

export async function auditRowById(db: Db, id: number): Promise<AuditRow | undefined> {
  const [row] = await selectRows<RawRow>(db, sql`select ${rowColumns} from audit_log where id = ${id}`);
  return row && toRow(row);
}

/** How a row links into the chain: what verification needs to place it. */
export interface ChainLink {
  id: number;
  hash: string;
  prevHash: string;
}

/**
 * The rows whose hash, or whose prev_hash, is one of `hashes`. Verification asks this only about the
 * few rows where the chain breaks, so one scan per thousand hashes is fine and the table needs no index
 * on either column.
 */
export async function chainLinksMatching(
  db: Db,
  column: 'hash' | 'prev_hash',
  hashes: readonly string[],
): Promise<ChainLink[]> {
  const out: ChainLink[] = [];
  for (let i = 0; i < hashes.length; i += 1000) {
    const chunk = hashes.slice(i, i + 1000);
    const list = sql.join(
      chunk.map((h) => sql`${h}`),
      sql`, `,
    );
    const where = column === 'hash' ? sql`hash in (${list})` : sql`prev_hash in (${list})`;
    const rows = await selectRows<{ id: string; hash: string; prevHash: string }>(
      db,
      sql`select id::text as id, hash, prev_hash as "prevHash" from audit_log where ${where} order by id`,
    );
    out.push(...rows.map((r) => ({ id: Number(r.id), hash: r.hash, prevHash: r.prevHash })));
  }
  return out;
}

/** The stored hash of each of these rows that exists (checkpoints name a row by id). */
export async function hashesAt(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const list = sql.join(
      ids.slice(i, i + 1000).map((id) => sql`${id}`),
      sql`, `,
    );
    const rows = await selectRows<{ id: string; hash: string }>(
      db,
      sql`select id::text as id, hash from audit_log where id in (${list})`,
    );
    for (const row of rows) out.set(Number(row.id), row.hash);
  }
  return out;
}

/** How many rows have an id in (afterId, upToId]: counted range by range, one pass for many checkpoints. */
export async function countRowsBetween(db: Db, afterId: number, upToId: number): Promise<number> {
  const [row] = await selectRows<{ n: string }>(
    db,
    sql`select count(*)::text as n from audit_log where id > ${afterId} and id <= ${upToId}`,
  );
  return Number(row?.n ?? 0);
}

/**
 * The newest audit row id among these districts and entity types (0 when none): a change mark for data derived
 * from those records (the dashboard's figures), read by one index probe per district and type
 * (audit_log_district_entity_idx).
 */
export async function lastAuditIdOf(
  db: Db,
  districts: readonly string[],
  entityTypes: readonly string[],
): Promise<number> {
  const [row] = await selectRows<{ mark: string }>(
    db,
    sql`select coalesce(max(m.id), 0)::text as mark
        from unnest(${`{${districts.join(',')}}`}::text[]) d(code)
        cross join unnest(${`{${entityTypes.join(',')}}`}::text[]) t(type)
        cross join lateral (
          select a.id from audit_log a where a.district_code = d.code and a.entity_type = t.type
          order by a.id desc limit 1) m`,
  );
  return Number(row?.mark ?? 0);
}

export interface AuditQuery {
  /** The reader's data scope: rows of districts inside it. */
  scope: DataScope;
  entityType?: string | undefined;
  entityId?: string | undefined;
  /** Rows by any of these actors (resolved from a name by the service). */
  actorIds?: readonly string[] | undefined;
  /** Rows about any of these persons: their own rows and their membership rows. */
  personIds?: readonly string[] | undefined;
  action?: string | undefined;
  /** ISO instants: from inclusive, to exclusive. */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  offset: number;
}

/** Above this many matches the total says "more than" (counting a whole city's log costs a scan). */
export const AUDIT_COUNT_LIMIT = 10_000;

function scopeCondition(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  // Rows are filed by district: for a reader bound below one (no audit role is) no row is provably in reach.
  return scope.code.length === 6 ? sql`district_code = ${scope.code}` : sql`false`;
}

function listConditions(query: AuditQuery): SQL {
  const conditions: SQL[] = [scopeCondition(query.scope)];
  const list = (values: readonly string[]) =>
    sql.join(
      values.map((v) => sql`${v}`),
      sql`, `,
    );
  if (query.entityType) conditions.push(sql`entity_type = ${query.entityType}`);
  if (query.entityId) conditions.push(sql`entity_id = ${query.entityId}`);
  if (query.actorIds) {
    conditions.push(query.actorIds.length ? sql`actor_id in (${list(query.actorIds)})` : sql`false`);
  }
  if (query.personIds) {
    conditions.push(
      query.personIds.length
        ? sql`((entity_type = 'person' and entity_id in (${list(query.personIds)}))
              or (entity_type = 'household_member' and split_part(entity_id, '/', 2) in (${list(query.personIds)})))`
        : sql`false`,
    );
  }
  if (query.action) conditions.push(sql`action = ${query.action}`);
  if (query.from) conditions.push(sql`at >= ${query.from}::timestamptz`);
  if (query.to) conditions.push(sql`at < ${query.to}::timestamptz`);
  return sql.join(conditions, sql` and `);
}

/** Newest first, with the total (exact up to AUDIT_COUNT_LIMIT) for paging. */
export async function listAuditRows(
  db: Db,
  query: AuditQuery,
): Promise<{ items: AuditRow[]; total: number; totalExact: boolean }> {
  const where = listConditions(query);
  const rows = await selectRows<RawRow>(
    db,
    sql`select ${rowColumns} from audit_log where ${where}
        order by audit_log.id desc limit ${query.limit} offset ${query.offset}`,
  );
  const [count] = await selectRows<{ total: string }>(
    db,
    sql`select count(*)::text as total from (select 1 from audit_log where ${where} limit ${AUDIT_COUNT_LIMIT + 1}) m`,
  );
  const total = Number(count?.total ?? 0);
  return {
    items: rows.map(toRow),
    total: Math.min(total, AUDIT_COUNT_LIMIT),
    totalExact: total <= AUDIT_COUNT_LIMIT,
  };
}
