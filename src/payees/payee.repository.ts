import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { payeeAccounts } from './schema.ts';

/**
 * SQL access to `payee_accounts`. The person's scope is asked of the registry first (payee.service.ts); every
 * statement here is keyed by district and person.
 */

export type PayeeAccountRow = typeof payeeAccounts.$inferSelect;

/** A person's accounts, current first, then by start (latest first). */
export async function accountsOfPerson(
  db: Db,
  key: { districtCode: string; personId: string },
): Promise<PayeeAccountRow[]> {
  return db
    .select()
    .from(payeeAccounts)
    .where(and(eq(payeeAccounts.districtCode, key.districtCode), eq(payeeAccounts.personId, key.personId)))
    .orderBy(
      sql`${payeeAccounts.validTo} asc nulls first`,
      desc(payeeAccounts.validFrom),
      asc(payeeAccounts.id),
    );
}

/** The current account (no end), locked for the unit's change. */
export async function currentAccount(
  tx: WorkTx,
  key: { districtCode: string; personId: string },
): Promise<PayeeAccountRow | undefined> {
  const rows = await tx.db
    .select()
    .from(payeeAccounts)
    .where(
      and(
        eq(payeeAccounts.districtCode, key.districtCode),
        eq(payeeAccounts.personId, key.personId),
        isNull(payeeAccounts.validTo),
      ),
    )
    .for('update');
  return rows[0];
}

export async function findAccount(
  db: Db,
  key: { districtCode: string; personId: string; id: string },
): Promise<PayeeAccountRow | undefined> {
  const rows = await db
    .select()
    .from(payeeAccounts)
    .where(
      and(
        eq(payeeAccounts.districtCode, key.districtCode),
        eq(payeeAccounts.personId, key.personId),
        eq(payeeAccounts.id, key.id),
      ),
    );
  return rows[0];
}

export async function insertAccount(tx: WorkTx, row: PayeeAccountRow): Promise<void> {
  await tx.db.insert(payeeAccounts).values(row);
}

/** Ends a current account (compare-and-set on version and no end yet); false when it changed meanwhile. */
export async function endAccountRow(
  tx: WorkTx,
  key: { districtCode: string; id: string; version: number },
  end: { validTo: string; endedBy: string | null; endReason: string },
): Promise<boolean> {
  const rows = await tx.db
    .update(payeeAccounts)
    .set({ ...end, endedAt: tx.now.toISOString(), version: key.version + 1 })
    .where(
      and(
        eq(payeeAccounts.districtCode, key.districtCode),
        eq(payeeAccounts.id, key.id),
        eq(payeeAccounts.version, key.version),
        isNull(payeeAccounts.validTo),
      ),
    )
    .returning({ id: payeeAccounts.id });
  return rows.length === 1;
}

/** The current account of each of these persons (any number at once), for entitlements created in bulk. */
export async function currentAccountsOf(
  db: Db,
  districtCode: string,
  personIds: readonly string[],
): Promise<Map<string, PayeeAccountRow>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(payeeAccounts)
    .where(
      and(
        eq(payeeAccounts.districtCode, districtCode),
        inArray(payeeAccounts.personId, [...new Set(personIds)]),
        isNull(payeeAccounts.validTo),
      ),
    );
  return new Map(rows.map((r) => [r.personId, r]));
}
