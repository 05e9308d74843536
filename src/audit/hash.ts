import { createHash } from 'node:crypto';
import { escapeUnsafeText } from '../core/text.ts';

/** The hash that precedes the first row of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Which serialisation a row was hashed with. v1 (rows written before the district was added): the
 * fields as they came from the caller. v2: the district too, and every value in its canonical stored
 * form (`canonicalValue`), so that what is hashed is exactly what the database stores and returns.
 */
export type HashVersion = 1 | 2;
export const CURRENT_HASH_VERSION: HashVersion = 2;

export function isHashVersion(value: number): value is HashVersion {
  return value === 1 || value === 2;
}

/** The fields a row's hash covers: everything but the hash itself. */
export interface HashedAuditFields {
  id: number;
  /** ISO 8601 UTC with milliseconds (Date.toISOString()). */
  at: string;
  actorId: string | null;
  actorDivision: string | null;
  /** 6-digit district of the record the row concerns (310000: the city level). Not covered by v1. */
  district: string;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  prevHash: string;
  /** A HashVersion when written here; read back, whatever the column holds. */
  hashVersion: number;
}

/** A value as JSON holds it: what jsonb stores and hands back. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Text as the database keeps it: PostgreSQL refuses NUL and turns a lone surrogate into U+FFFD, so such
 * characters (and other controls) become visible \uXXXX escapes, and the rest is NFC. The edge refuses
 * them already; the chain must not depend on that.
 */
export function canonicalText(value: string): string {
  return escapeUnsafeText(value);
}

export function canonicalNullableText(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : canonicalText(value);
}

/**
 * The stored form of a snapshot: plain JSON data that survives a round trip through jsonb unchanged.
 * Strings canonical (above), keys too; numbers finite (NaN and ±Infinity become null as in JSON, -0 is
 * 0); dates as ISO strings; objects with toJSON as JSON.stringify would write them; undefined members
 * dropped and undefined array items null; bigints as digit strings.
 */
export function canonicalValue(value: unknown): JsonValue {
  return toCanonical(value) ?? null;
}

function toCanonical(value: unknown): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
      return canonicalText(value);
    case 'number':
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      return canonicalObject(value);
  }
}

function canonicalObject(value: object | null): JsonValue {
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map((item: unknown) => toCanonical(item) ?? null);
  const withJson = value as { toJSON?: unknown };
  if (typeof withJson.toJSON === 'function') {
    return canonicalValue((withJson.toJSON as () => unknown).call(value));
  }
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    const canonical = toCanonical(item);
    if (canonical !== undefined) out[canonicalText(key)] = canonical;
  }
  return out;
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

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** v1: the row's fields in a fixed order, the district not among them. Kept to verify old rows. */
function hashV1(row: HashedAuditFields): string {
  return sha256(
    canonicalJson([
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
    ]),
  );
}

/** v2: every field by name, the version itself included, so that no row can pass for another version. */
function hashV2(row: HashedAuditFields): string {
  return sha256(
    canonicalJson({
      v: 2,
      id: row.id,
      at: row.at,
      actorId: row.actorId,
      actorDivision: row.actorDivision,
      district: row.district,
      action: row.action,
      entityType: row.entityType,
      entityId: row.entityId,
      before: row.before ?? null,
      after: row.after ?? null,
      reason: row.reason,
      requestId: row.requestId,
      prevHash: row.prevHash,
    }),
  );
}

/** SHA-256 (hex) of the row in the serialisation its version names; undefined for an unknown version. */
export function auditRowHash(row: HashedAuditFields): string | undefined {
  if (!isHashVersion(row.hashVersion)) return undefined;
  switch (row.hashVersion) {
    case 1:
      return hashV1(row);
    case 2:
      return hashV2(row);
  }
}
