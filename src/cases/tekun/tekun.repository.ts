import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { caseTekunAssessments } from '../schema.ts';

/** SQL access to `case_tekun_assessments` (特困人员认定 of a case, one row per member assessed). */

export type TekunAssessmentRow = typeof caseTekunAssessments.$inferSelect;

export async function insertTekunAssessments(tx: WorkTx, rows: readonly TekunAssessmentRow[]): Promise<void> {
  if (rows.length > 0) await tx.db.insert(caseTekunAssessments).values([...rows]);
}

export function tekunAssessmentRows(
  db: Db,
  key: { districtCode: string; caseId: string },
): Promise<TekunAssessmentRow[]> {
  return db
    .select()
    .from(caseTekunAssessments)
    .where(
      and(
        eq(caseTekunAssessments.districtCode, key.districtCode),
        eq(caseTekunAssessments.caseId, key.caseId),
      ),
    )
    .orderBy(asc(caseTekunAssessments.personName), asc(caseTekunAssessments.personId));
}
