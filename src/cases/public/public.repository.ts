import { and, asc, eq, like, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { publicApplications, type PublicApplicationRow } from './schema.ts';

export async function insertPublicApplication(tx: WorkTx, row: PublicApplicationRow): Promise<void> {
  await tx.db.insert(publicApplications).values(row);
}

/** By receipt code within the district: the status page's only way in (it holds no scope). */
export async function findByReceipt(
  db: Db,
  districtCode: string,
  receiptNo: string,
): Promise<PublicApplicationRow | undefined> {
  const rows = await db
    .select()
    .from(publicApplications)
    .where(
      and(eq(publicApplications.districtCode, districtCode), eq(publicApplications.receiptNo, receiptNo)),
    )
    .limit(1);
  return rows[0];
}

/** The street part of a scope: a district sees its streets, a street its own, a committee none. */
function streetScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  if (scope.code.length > 9) return sql`false`;
  return like(publicApplications.streetCode, `${scope.code}%`);
}

/** Applications in the scope's streets in one state, oldest first (the street answers them in order). */
export async function listApplicationRows(
  db: Db,
  scope: DataScope,
  filter: { state: string; limit: number; offset: number },
): Promise<{ rows: PublicApplicationRow[]; total: number }> {
  const where = and(eq(publicApplications.state, filter.state), streetScopeWhere(scope));
  const [rows, [count]] = await Promise.all([
    db
      .select()
      .from(publicApplications)
      .where(where)
      .orderBy(asc(publicApplications.receivedAt), asc(publicApplications.id))
      .limit(filter.limit)
      .offset(filter.offset),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(publicApplications)
      .where(where),
  ]);
  return { rows, total: count?.n ?? 0 };
}

export async function findApplication(
  db: Db,
  scope: DataScope,
  districtCode: string,
  id: string,
): Promise<PublicApplicationRow | undefined> {
  const rows = await db
    .select()
    .from(publicApplications)
    .where(
      and(
        eq(publicApplications.districtCode, districtCode),
        eq(publicApplications.id, id),
        streetScopeWhere(scope),
      ),
    )
    .limit(1);
  return rows[0];
}

/**
 * The machine's save for the street's action: a compare-and-set of state and version that writes what the
 * action sets beside the state in the same statement (the table's checks tie `matched` to a case and
 * `closed` to an outcome, so they cannot be two updates).
 */
export async function settleApplication(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  expected: { state: string; version: number },
  next: {
    state: 'matched' | 'closed';
    caseId: string | null;
    outcome: string | null;
    outcomeNote: string;
    handledBy: string | null;
  },
): Promise<boolean> {
  const rows = await tx.db
    .update(publicApplications)
    .set({
      state: next.state,
      version: expected.version + 1,
      caseId: next.caseId,
      outcome: next.outcome,
      outcomeNote: next.outcomeNote,
      handledBy: next.handledBy,
      handledAt: tx.now.toISOString(),
    })
    .where(
      and(
        eq(publicApplications.districtCode, key.districtCode),
        eq(publicApplications.id, key.id),
        eq(publicApplications.state, expected.state),
        eq(publicApplications.version, expected.version),
      ),
    )
    .returning({ id: publicApplications.id });
  return rows.length === 1;
}
