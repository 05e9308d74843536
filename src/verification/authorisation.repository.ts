import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { verificationAuthorisations } from './schema.ts';

/** SQL access to `verification_authorisations`. */

export type AuthorisationRow = typeof verificationAuthorisations.$inferSelect;

export async function insertAuthorisation(tx: WorkTx, row: AuthorisationRow): Promise<void> {
  await tx.db.insert(verificationAuthorisations).values(row);
}

/** A household's authorisations, newest first (every purpose; ended ones included). */
export async function householdAuthorisations(
  db: Db,
  districtCode: string,
  householdId: string,
): Promise<AuthorisationRow[]> {
  return db
    .select()
    .from(verificationAuthorisations)
    .where(
      and(
        eq(verificationAuthorisations.districtCode, districtCode),
        eq(verificationAuthorisations.householdId, householdId),
      ),
    )
    .orderBy(desc(verificationAuthorisations.signedOn), desc(verificationAuthorisations.createdAt));
}

export async function findAuthorisation(
  db: Db,
  districtCode: string,
  id: string,
): Promise<AuthorisationRow | undefined> {
  const rows = await db
    .select()
    .from(verificationAuthorisations)
    .where(
      and(eq(verificationAuthorisations.districtCode, districtCode), eq(verificationAuthorisations.id, id)),
    );
  return rows[0];
}

/** Ends a standing or dated authorisation on a day (compare-and-set on the version the caller read). */
export async function endAuthorisationRow(
  tx: WorkTx,
  key: { districtCode: string; id: string; version: number },
  endedOn: string,
  reason: string,
): Promise<AuthorisationRow | undefined> {
  const rows = await tx.db
    .update(verificationAuthorisations)
    .set({ endedOn, endReason: reason, version: sql`${verificationAuthorisations.version} + 1` })
    .where(
      and(
        eq(verificationAuthorisations.districtCode, key.districtCode),
        eq(verificationAuthorisations.id, key.id),
        eq(verificationAuthorisations.version, key.version),
        sql`${verificationAuthorisations.endedOn} is null`,
      ),
    )
    .returning();
  return rows[0];
}
