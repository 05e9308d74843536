import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { caseChanges } from '../schema.ts';

/** SQL of the change reports (case_changes). */

export type ChangeRecord = typeof caseChanges.$inferSelect;

export async function insertChange(tx: WorkTx, row: ChangeRecord): Promise<void> {
  await tx.db.insert(caseChanges).values(row);
}

export async function changeOfCase(
  db: Db,
  key: { districtCode: string; caseId: string },
): Promise<ChangeRecord | undefined> {
  const rows = await db
    .select()
    .from(caseChanges)
    .where(and(eq(caseChanges.districtCode, key.districtCode), eq(caseChanges.caseId, key.caseId)));
  return rows[0];
}
