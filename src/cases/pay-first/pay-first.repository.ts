import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { casePayFirst } from '../schema.ts';

/** SQL access to `case_pay_first` (先行救助 of a case and its settlement at the decision). */

export type PayFirstRow = typeof casePayFirst.$inferSelect;

export async function insertPayFirst(tx: WorkTx, row: PayFirstRow): Promise<void> {
  await tx.db.insert(casePayFirst).values(row);
}

export function payFirstRows(
  db: Db,
  key: { districtCode: string; caseId: string },
  forUpdate = false,
): Promise<PayFirstRow[]> {
  const query = db
    .select()
    .from(casePayFirst)
    .where(and(eq(casePayFirst.districtCode, key.districtCode), eq(casePayFirst.caseId, key.caseId)))
    .orderBy(asc(casePayFirst.program));
  return forUpdate ? query.for('update') : query;
}

/** Settles one unsettled row; false when it was settled already. */
export async function settlePayFirstRow(
  tx: WorkTx,
  key: { districtCode: string; caseId: string; program: string },
  values: Pick<PayFirstRow, 'settledOutcome' | 'countedFen' | 'overpaidFen' | 'overpaidReason' | 'settledAt'>,
): Promise<boolean> {
  const rows = await tx.db
    .update(casePayFirst)
    .set(values)
    .where(
      and(
        eq(casePayFirst.districtCode, key.districtCode),
        eq(casePayFirst.caseId, key.caseId),
        eq(casePayFirst.program, key.program),
        isNull(casePayFirst.settledAt),
      ),
    )
    .returning({ program: casePayFirst.program });
  return rows.length === 1;
}
