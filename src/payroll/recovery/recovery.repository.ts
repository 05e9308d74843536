import { and, count, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { DataScope } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { recoveryItems } from '../schema.ts';
import type { RecoveryState } from './recovery.machine.ts';

/** SQL access to `recovery_items` (and the few ledger and entitlement reads a recovery needs). */

export type RecoveryRow = typeof recoveryItems.$inferSelect;
export interface RecoveryKey {
  districtCode: string;
  id: string;
}

/** Inserts an item unless one of the same payable, period and cause is open (the partial unique index). */
export async function insertRecovery(tx: WorkTx, row: typeof recoveryItems.$inferInsert): Promise<boolean> {
  const rows = await tx.db
    .insert(recoveryItems)
    .values(row)
    .onConflictDoNothing({
      target: [
        recoveryItems.districtCode,
        recoveryItems.payableId,
        recoveryItems.period,
        recoveryItems.cause,
      ],
      where: sql`state <> 'cancelled'`,
    })
    .returning({ id: recoveryItems.id });
  return rows.length === 1;
}

export async function findRecovery(db: Db, key: RecoveryKey): Promise<RecoveryRow | undefined> {
  const rows = await db
    .select()
    .from(recoveryItems)
    .where(and(eq(recoveryItems.districtCode, key.districtCode), eq(recoveryItems.id, key.id)));
  return rows[0];
}

export async function saveRecoveryState(
  tx: WorkTx,
  key: RecoveryKey,
  expected: { state: RecoveryState; version: number },
  next: { state: RecoveryState; version: number },
  stamp: Partial<Pick<RecoveryRow, 'recoveredFen' | 'closedBy' | 'closedAt'>>,
): Promise<boolean> {
  const rows = await tx.db
    .update(recoveryItems)
    .set({ ...stamp, state: next.state, version: next.version })
    .where(
      and(
        eq(recoveryItems.districtCode, key.districtCode),
        eq(recoveryItems.id, key.id),
        eq(recoveryItems.state, expected.state),
        eq(recoveryItems.version, expected.version),
      ),
    )
    .returning({ id: recoveryItems.id });
  return rows.length === 1;
}

/** Part of an open item deducted from a payment: the recovered sum grows (the item stays open until all is). */
export async function addRecovered(
  tx: WorkTx,
  key: RecoveryKey,
  fen: number,
): Promise<RecoveryRow | undefined> {
  const rows = await tx.db
    .update(recoveryItems)
    .set({
      recoveredFen: sql`${recoveryItems.recoveredFen} + ${fen}`,
      version: sql`${recoveryItems.version} + 1`,
    })
    .where(
      and(
        eq(recoveryItems.districtCode, key.districtCode),
        eq(recoveryItems.id, key.id),
        eq(recoveryItems.state, 'open'),
        sql`${recoveryItems.recoveredFen} + ${fen} <= ${recoveryItems.amountFen}`,
      ),
    )
    .returning();
  return rows[0];
}

export interface RecoveryFilter {
  districtCode?: string | undefined;
  state?: RecoveryState | undefined;
  cause?: string | undefined;
  program?: string | undefined;
  personId?: string | undefined;
  limit: number;
  offset: number;
}

export async function listRecoveryRows(
  db: Db,
  scope: DataScope,
  filter: RecoveryFilter,
): Promise<{ rows: RecoveryRow[]; total: number }> {
  const where = and(
    scope.kind === 'all' ? sql`true` : eq(recoveryItems.districtCode, scope.code.slice(0, 6)),
    filter.districtCode ? eq(recoveryItems.districtCode, filter.districtCode) : sql`true`,
    filter.state ? eq(recoveryItems.state, filter.state) : sql`true`,
    filter.cause ? eq(recoveryItems.cause, filter.cause) : sql`true`,
    filter.program ? eq(recoveryItems.program, filter.program) : sql`true`,
    filter.personId ? eq(recoveryItems.personId, filter.personId) : sql`true`,
  );
  const rows = await db
    .select()
    .from(recoveryItems)
    .where(where)
    .orderBy(desc(recoveryItems.raisedAt), recoveryItems.period)
    .limit(filter.limit)
    .offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(recoveryItems).where(where);
  return { rows: rows.map(numbered), total: total?.n ?? 0 };
}

function numbered(r: RecoveryRow): RecoveryRow {
  return { ...r, amountFen: Number(r.amountFen), recoveredFen: Number(r.recoveredFen) };
}

/** The open items of these payables (a later payment may deduct them), oldest period first. */
export async function openRecoveryRows(
  db: Db,
  districtCode: string,
  payableIds: readonly string[],
): Promise<RecoveryRow[]> {
  if (payableIds.length === 0) return [];
  const rows = await db
    .select()
    .from(recoveryItems)
    .where(
      and(
        eq(recoveryItems.districtCode, districtCode),
        inArray(recoveryItems.payableId, [...new Set(payableIds)]),
        eq(recoveryItems.state, 'open'),
      ),
    )
    .orderBy(recoveryItems.payableId, recoveryItems.period);
  return rows.map(numbered);
}

/** What is already raised (not cancelled) against a payable's period, whatever the cause. */
export async function raisedFen(
  db: Db,
  districtCode: string,
  payableId: string,
  period: string,
): Promise<number> {
  const rows = await db
    .select({ n: sql<string>`coalesce(sum(${recoveryItems.amountFen}), 0)` })
    .from(recoveryItems)
    .where(
      and(
        eq(recoveryItems.districtCode, districtCode),
        eq(recoveryItems.payableId, payableId),
        eq(recoveryItems.period, period),
        ne(recoveryItems.state, 'cancelled'),
      ),
    );
  return Number(rows[0]?.n ?? 0);
}

/** The last seq of the ledger entries of `kind` for a payable's period (0: none). */
export async function lastSeq(
  db: Db,
  districtCode: string,
  payableId: string,
  period: string,
  kind: 'recovery' | 'collection',
): Promise<number> {
  const rows = await selectRows<{ seq: number }>(
    db,
    sql`select coalesce(max(seq), 0)::int as seq from ledger_entries
      where district_code = ${districtCode} and payable_id = ${payableId}::uuid and period = ${period} and kind = ${kind}`,
  );
  return rows[0]?.seq ?? 0;
}

/** A person entitlement of the district whose beneficiary may have died: id, program, person, household. */
export interface PersonPayable {
  id: string;
  program: string;
  personId: string;
  householdId: string;
  committeeCode: string;
  state: string;
  fromMonth: string;
  toMonth: string | null;
  version: number;
}

/** The district's person entitlements (any state: a stopped one may have been paid past a death). */
export async function personPayables(
  db: Db,
  districtCode: string,
  personIds?: readonly string[],
): Promise<PersonPayable[]> {
  const only =
    personIds === undefined ? sql`` : sql`and person_id = any(${`{${personIds.join(',')}}`}::uuid[])`;
  return selectRows<PersonPayable>(
    db,
    sql`select id::text as id, program, person_id::text as "personId", household_id::text as "householdId",
        committee_code as "committeeCode", state, from_month as "fromMonth", to_month as "toMonth", version
      from entitlements where district_code = ${districtCode} and person_id is not null ${only}`,
  );
}
