import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { caseDecisions } from './schema.ts';

/** SQL access to `case_decisions` (the decision lines of a case). */

export type DecisionRow = typeof caseDecisions.$inferSelect;
export type NewDecisionRow = typeof caseDecisions.$inferInsert;

export async function decisionRows(
  db: Db,
  key: { districtCode: string; caseId: string },
  forUpdate = false,
): Promise<DecisionRow[]> {
  const query = db
    .select()
    .from(caseDecisions)
    .where(and(eq(caseDecisions.districtCode, key.districtCode), eq(caseDecisions.caseId, key.caseId)))
    .orderBy(asc(caseDecisions.program));
  return forUpdate ? query.for('update') : query;
}

/**
 * Serialises the decision work on one case for the rest of the transaction (two caseworkers preparing at
 * once, a preparation racing the approver): the second waits, then sees what the first wrote.
 */
export async function lockCaseDecision(
  tx: WorkTx,
  key: { districtCode: string; caseId: string },
): Promise<void> {
  await tx.db.execute(
    sql`select pg_advisory_xact_lock(hashtext(${`case_decisions:${key.districtCode}:${key.caseId}`}))`,
  );
}

/** Replaces the case's undecided lines (a decided line is never touched: the trigger would refuse it). */
export async function replaceDecisionRows(
  tx: WorkTx,
  key: { districtCode: string; caseId: string },
  rows: readonly NewDecisionRow[],
): Promise<void> {
  await tx.db
    .delete(caseDecisions)
    .where(
      and(
        eq(caseDecisions.districtCode, key.districtCode),
        eq(caseDecisions.caseId, key.caseId),
        isNull(caseDecisions.decidedAt),
      ),
    );
  if (rows.length > 0) await tx.db.insert(caseDecisions).values([...rows]);
}

/** Marks every undecided line of the case decided, with what the decision sets on each (denial reasons). */
export async function markDecided(
  tx: WorkTx,
  key: { districtCode: string; caseId: string },
  line: { program: string; outcome: 'granted' | 'denied'; amountFen: number; reasons: string[] },
): Promise<boolean> {
  const rows = await tx.db
    .update(caseDecisions)
    .set({
      outcome: line.outcome,
      amountFen: line.amountFen,
      reasons: line.reasons,
      decidedBy: tx.actor.userId,
      decidedAt: tx.now.toISOString(),
    })
    .where(
      and(
        eq(caseDecisions.districtCode, key.districtCode),
        eq(caseDecisions.caseId, key.caseId),
        eq(caseDecisions.program, line.program),
        isNull(caseDecisions.decidedAt),
      ),
    )
    .returning({ program: caseDecisions.program });
  return rows.length === 1;
}
