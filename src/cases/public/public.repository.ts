import { and, eq } from 'drizzle-orm';
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
