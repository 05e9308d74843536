import { and, asc, count, desc, eq, getTableColumns, ne, isNull, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { EntitlementState } from './entitlement.machine.ts';
import { entitlementChanges, entitlements } from './schema.ts';

/** SQL access to `entitlements` and `entitlement_changes`. */

export type EntitlementRow = typeof entitlements.$inferSelect;
export type ChangeRow = typeof entitlementChanges.$inferSelect;
export type NewChangeRow = typeof entitlementChanges.$inferInsert;

/** The caller's reach: the household's committee (as granted) lies in the scope. */
export function entitlementScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return and(
    eq(entitlements.districtCode, scope.code.slice(0, 6)),
    sql`left(${entitlements.committeeCode}, ${scope.code.length}) = ${scope.code}`,
  ) as SQL;
}

export async function findEntitlement(
  db: Db,
  scope: DataScope,
  key: { districtCode: string; id: string },
  forUpdate = false,
): Promise<EntitlementRow | undefined> {
  const query = db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.id, key.id),
        entitlementScopeWhere(scope),
      ),
    );
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

/** The open entitlement of a program and beneficiary (at most one: entitlements_open_uq), locked. */
export async function openEntitlementOf(
  db: Db,
  key: { districtCode: string; program: string; beneficiaryId: string },
): Promise<EntitlementRow | undefined> {
  const rows = await db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.program, key.program),
        eq(entitlements.beneficiaryId, key.beneficiaryId),
        ne(entitlements.state, 'stopped'),
        isNull(entitlements.toMonth),
      ),
    )
    .for('update');
  return rows[0];
}

export async function insertEntitlement(tx: WorkTx, row: EntitlementRow): Promise<void> {
  await tx.db.insert(entitlements).values(row);
}

/** Compare-and-set on version: the fields a change sets, or false when someone else changed it first. */
export async function updateEntitlement(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  expected: { version: number; state?: EntitlementState },
  set: Partial<Omit<EntitlementRow, 'districtCode' | 'id'>>,
): Promise<boolean> {
  const rows = await tx.db
    .update(entitlements)
    .set({ ...set, updatedAt: tx.now.toISOString() })
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.id, key.id),
        eq(entitlements.version, expected.version),
        expected.state ? eq(entitlements.state, expected.state) : undefined,
      ),
    )
    .returning({ id: entitlements.id });
  return rows.length === 1;
}

/** Appends a change, numbered after the entitlement's last one. */
export async function appendChange(tx: WorkTx, row: Omit<NewChangeRow, 'seq'>): Promise<number> {
  const [last] = await tx.db
    .select({ seq: sql<number>`coalesce(max(${entitlementChanges.seq}), 0)::int` })
    .from(entitlementChanges)
    .where(
      and(
        eq(entitlementChanges.districtCode, row.districtCode),
        eq(entitlementChanges.entitlementId, row.entitlementId),
      ),
    );
  const seq = (last?.seq ?? 0) + 1;
  await tx.db.insert(entitlementChanges).values({ ...row, seq });
  return seq;
}

export async function changesOf(db: Db, key: { districtCode: string; id: string }): Promise<ChangeRow[]> {
  return db
    .select()
    .from(entitlementChanges)
    .where(
      and(
        eq(entitlementChanges.districtCode, key.districtCode),
        eq(entitlementChanges.entitlementId, key.id),
      ),
    )
    .orderBy(asc(entitlementChanges.seq));
}

export interface EntitlementFilter {
  districtCode?: string | undefined;
  program?: string | undefined;
  state?: EntitlementState | undefined;
  /** A street (9 digits) or committee (12 digits) code inside the scope. */
  division?: string | undefined;
  householdId?: string | undefined;
  /** The beneficiary or the payee. */
  personId?: string | undefined;
  caseId?: string | undefined;
  limit: number;
  offset: number;
}

function filterWhere(scope: DataScope, f: EntitlementFilter): SQL {
  const t = entitlements;
  return and(
    entitlementScopeWhere(scope),
    f.districtCode ? eq(t.districtCode, f.districtCode) : undefined,
    f.division ? eq(t.districtCode, f.division.slice(0, 6)) : undefined,
    f.division ? sql`left(${t.committeeCode}, ${f.division.length}) = ${f.division}` : undefined,
    f.program ? eq(t.program, f.program) : undefined,
    f.state ? eq(t.state, f.state) : undefined,
    f.householdId ? eq(t.householdId, f.householdId) : undefined,
    f.personId
      ? sql`(${t.personId} = ${f.personId}::uuid or ${t.payeePersonId} = ${f.personId}::uuid)`
      : undefined,
    f.caseId ? eq(t.caseId, f.caseId) : undefined,
  ) as SQL;
}

export async function listEntitlementRows(
  db: Db,
  scope: DataScope,
  filter: EntitlementFilter,
): Promise<{ rows: EntitlementRow[]; total: number }> {
  const where = filterWhere(scope, filter);
  const rows = await db
    .select()
    .from(entitlements)
    .where(where)
    .orderBy(desc(entitlements.createdAt), asc(entitlements.id))
    .limit(filter.limit)
    .offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(entitlements).where(where);
  return { rows, total: total?.n ?? 0 };
}

/** The open (not stopped, no end month) entitlements of a household: what a change or review case revisits. */
export async function openEntitlementsOfHousehold(
  db: Db,
  key: { districtCode: string; householdId: string },
): Promise<EntitlementRow[]> {
  return db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.districtCode, key.districtCode),
        eq(entitlements.householdId, key.householdId),
        ne(entitlements.state, 'stopped'),
        isNull(entitlements.toMonth),
      ),
    )
    .orderBy(asc(entitlements.program), asc(entitlements.beneficiaryId));
}

/**
 * SQL for another module's set-based read (the review due list): the household has an open entitlement of the
 * program. The columns are the caller's; the entitlements table stays this repository's.
 */
export function openEntitlementExistsSql(district: SQL, household: SQL, program: SQL): SQL {
  return sql`exists (select 1 from ${entitlements} oe where oe.district_code = ${district}
    and oe.household_id = ${household} and oe.program = ${program}
    and oe.state <> 'stopped' and oe.to_month is null)`;
}

/** The history rows a case's decision wrote (its changes of any entitlement), oldest first. */
/** The history rows a case's decision wrote, with the program of each entitlement (a 先行救助 row has no decision line). */
export async function changesByCase(
  db: Db,
  key: { districtCode: string; caseId: string },
): Promise<(ChangeRow & { program: string })[]> {
  return db
    .select({ ...getTableColumns(entitlementChanges), program: entitlements.program })
    .from(entitlementChanges)
    .innerJoin(
      entitlements,
      and(
        eq(entitlements.districtCode, entitlementChanges.districtCode),
        eq(entitlements.id, entitlementChanges.entitlementId),
      ),
    )
    .where(
      and(eq(entitlementChanges.districtCode, key.districtCode), eq(entitlementChanges.caseId, key.caseId)),
    )
    .orderBy(asc(entitlementChanges.changedAt), asc(entitlementChanges.seq));
}
