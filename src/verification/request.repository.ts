import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { verificationRequests, verificationSourceQueries } from './schema.ts';
import type { VerificationState } from './verification.machine.ts';

/** SQL access to `verification_requests` and their per-source queries. */

export type RequestRow = typeof verificationRequests.$inferSelect;
export type SourceQueryRow = typeof verificationSourceQueries.$inferSelect;

/** The caller's reach over requests: the household's committee lies in the scope. */
export function requestScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return and(
    eq(verificationRequests.districtCode, scope.code.slice(0, 6)),
    sql`left(${verificationRequests.committeeCode}, ${scope.code.length}) = ${scope.code}`,
  ) as SQL;
}

export async function insertRequest(tx: WorkTx, row: RequestRow, sources: readonly string[]): Promise<void> {
  await tx.db.insert(verificationRequests).values(row);
  await tx.db.insert(verificationSourceQueries).values(
    sources.map((source) => ({
      districtCode: row.districtCode,
      requestId: row.id,
      source,
      state: 'pending',
      attempts: 0,
    })),
  );
}

export async function findRequest(
  db: Db,
  scope: DataScope,
  districtCode: string,
  id: string,
): Promise<RequestRow | undefined> {
  const rows = await db
    .select()
    .from(verificationRequests)
    .where(
      and(
        eq(verificationRequests.districtCode, districtCode),
        eq(verificationRequests.id, id),
        requestScopeWhere(scope),
      ),
    );
  return rows[0];
}

/** Requests by id in one district (the system's bulk steps; no scope: the job acts for the district). */
export async function requestRowsByIds(
  db: Db,
  districtCode: string,
  ids: readonly string[],
): Promise<RequestRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(verificationRequests)
    .where(
      and(eq(verificationRequests.districtCode, districtCode), inArray(verificationRequests.id, [...ids])),
    );
}

export async function sourceQueriesOf(
  db: Db,
  districtCode: string,
  requestId: string,
): Promise<SourceQueryRow[]> {
  return db
    .select()
    .from(verificationSourceQueries)
    .where(
      and(
        eq(verificationSourceQueries.districtCode, districtCode),
        eq(verificationSourceQueries.requestId, requestId),
      ),
    )
    .orderBy(asc(verificationSourceQueries.source));
}

/** Compare-and-set of state and version (the machine's save), with what the step sets alongside. */
export async function saveRequestState(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  expected: { state: VerificationState; version: number },
  next: { state: VerificationState; version: number },
): Promise<boolean> {
  const rows = await tx.db
    .update(verificationRequests)
    .set({ state: next.state, version: next.version })
    .where(
      and(
        eq(verificationRequests.districtCode, key.districtCode),
        eq(verificationRequests.id, key.id),
        eq(verificationRequests.state, expected.state),
        eq(verificationRequests.version, expected.version),
      ),
    )
    .returning({ id: verificationRequests.id });
  return rows.length === 1;
}

export interface RequestFilter {
  state?: VerificationState | undefined;
  purpose?: string | undefined;
  origin?: string | undefined;
  householdId?: string | undefined;
  /** Open (received or gathering) and past its due day. */
  overdueOn?: string | undefined;
  requestNo?: string | undefined;
  limit: number;
  offset: number;
}

function filterWhere(scope: DataScope, f: RequestFilter): SQL {
  const t = verificationRequests;
  const parts: (SQL | undefined)[] = [
    requestScopeWhere(scope),
    f.state ? eq(t.state, f.state) : undefined,
    f.purpose ? eq(t.purpose, f.purpose) : undefined,
    f.origin ? eq(t.origin, f.origin) : undefined,
    f.householdId ? eq(t.householdId, f.householdId) : undefined,
    f.requestNo ? eq(t.requestNo, f.requestNo) : undefined,
    f.overdueOn
      ? and(inArray(t.state, ['received', 'gathering']), sql`${t.dueDue} < ${f.overdueOn}`)
      : undefined,
  ];
  return and(...parts) as SQL;
}

export async function listRequestRows(
  db: Db,
  scope: DataScope,
  filter: RequestFilter,
): Promise<{ rows: RequestRow[]; total: number }> {
  const where = filterWhere(scope, filter);
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(verificationRequests)
      .where(where)
      .orderBy(desc(verificationRequests.createdAt), desc(verificationRequests.id))
      .limit(filter.limit)
      .offset(filter.offset),
    db.select({ n: count() }).from(verificationRequests).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/** Per request, how many of its source queries are in each state (the list's progress column). */
export async function sourceProgress(
  db: Db,
  districtCodes: readonly string[],
  ids: readonly string[],
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (ids.length === 0) return out;
  const q = verificationSourceQueries;
  const rows = await db
    .select({ requestId: q.requestId, state: q.state, n: count() })
    .from(q)
    .where(and(inArray(q.districtCode, [...new Set(districtCodes)]), inArray(q.requestId, [...ids])))
    .groupBy(q.requestId, q.state);
  for (const r of rows) {
    const entry = out.get(r.requestId) ?? {};
    entry[r.state] = r.n;
    out.set(r.requestId, entry);
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A request by id or by number, in any district (the number names its district). */
export async function requestByNoOrId(db: Db, key: string): Promise<RequestRow | undefined> {
  const t = verificationRequests;
  const district = /^HD-(\d{6})-/.exec(key)?.[1];
  const where = UUID.test(key)
    ? eq(t.id, key)
    : district
      ? and(eq(t.districtCode, district), eq(t.requestNo, key.toUpperCase()))
      : undefined;
  if (!where) return undefined;
  const rows = await db.select().from(t).where(where).limit(1);
  return rows[0];
}
