import { createHash } from 'node:crypto';

/** The hash that precedes the first row of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields a row's hash covers: everything but the hash itself. */
export interface HashedAuditFields {
  id: number;
  /** ISO 8601 UTC with milliseconds (Date.toISOString()). */
  at: string;
  actorId: string | null;
  actorDivision: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  prevHash: string;
}

/**
 * JSON with object keys sorted at every depth. jsonb does not keep key order, so the hash must not
 * depend on it; values that JSON cannot represent (undefined) are dropped as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) over the canonical serialisation of the row, its id and the previous row's hash. */
export function auditRowHash(row: HashedAuditFields): string {
  const serialised = canonicalJson([
    row.id,
    row.at,
    row.actorId,
    row.actorDivision,
    row.action,
    row.entityType,
    row.entityId,
    row.before ?? null,
    row.after ?? null,
    row.reason,
    row.requestId,
    row.prevHash,
  ]);
  return createHash('sha256').update(serialised, 'utf8').digest('hex');
}

/** Timestamps come back from PostgreSQL as text in its own format; the hash uses ISO 8601. */
export function normaliseTimestamp(value: string | Date): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
