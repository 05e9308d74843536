import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { payrollLines, payrollRuns, recoveryItems } from './schema.ts';

/**
 * What the e-archive (src/archives) reads of the money side: one recipient's payments (the lines of runs
 * that were approved: approved, exported, closed) and recovery items, inside the caller's scope (the line's
 * committee, the recovery item's district). A household's are those of the household; a person's those
 * where the person is the beneficiary or the payee.
 */

export type RecipientRef = { householdId: string } | { personId: string };

/** Runs whose lines are payments: approved and after. */
export const PAID_RUN_STATES = ['approved', 'exported', 'closed'] as const;

export interface PaymentRow {
  runId: string;
  runMonth: string;
  runState: string;
  approvedAt: string | null;
  lineNo: number;
  program: string;
  payableId: string;
  householdId: string | null;
  personId: string | null;
  period: string;
  kind: string;
  state: string;
  amountFen: number;
  payeePersonId: string;
  bankName: string | null;
  accountNo: string | null;
  bankRef: string | null;
  paidOn: string | null;
  failureReason: string | null;
}

function lineScope(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return and(
    eq(payrollLines.districtCode, scope.code.slice(0, 6)),
    sql`left(${payrollLines.committeeCode}, ${scope.code.length}) = ${scope.code}`,
  ) as SQL;
}

/** The payments of a household or a person in one district, by period, run and line. */
export async function paymentsOf(
  db: Db,
  scope: DataScope,
  districtCode: string,
  who: RecipientRef,
): Promise<PaymentRow[]> {
  const l = payrollLines;
  const whose =
    'householdId' in who
      ? eq(l.householdId, who.householdId)
      : or(eq(l.personId, who.personId), eq(l.payeePersonId, who.personId));
  return db
    .select({
      runId: l.runId,
      runMonth: payrollRuns.month,
      runState: payrollRuns.state,
      approvedAt: payrollRuns.approvedAt,
      lineNo: l.lineNo,
      program: l.program,
      payableId: l.payableId,
      householdId: l.householdId,
      personId: l.personId,
      period: l.period,
      kind: l.kind,
      state: l.state,
      amountFen: l.amountFen,
      payeePersonId: l.payeePersonId,
      bankName: l.bankName,
      accountNo: l.accountNo,
      bankRef: l.bankRef,
      paidOn: l.paidOn,
      failureReason: l.failureReason,
    })
    .from(l)
    .innerJoin(payrollRuns, and(eq(payrollRuns.districtCode, l.districtCode), eq(payrollRuns.id, l.runId)))
    .where(
      and(
        eq(l.districtCode, districtCode),
        whose,
        inArray(payrollRuns.state, [...PAID_RUN_STATES]),
        lineScope(scope),
      ),
    )
    .orderBy(asc(l.period), asc(payrollRuns.month), asc(l.lineNo));
}

export type RecoveryRow = typeof recoveryItems.$inferSelect;

/**
 * The recovery items of a household or a person in one district (the items of the payables given, too:
 * an item raised on a household's entitlement names the household, one on a person's the person).
 */
export async function recoveryItemsOf(
  db: Db,
  scope: DataScope,
  districtCode: string,
  who: RecipientRef,
  payableIds: readonly string[] = [],
): Promise<RecoveryRow[]> {
  const r = recoveryItems;
  if (scope.kind === 'division' && scope.code.slice(0, 6) !== districtCode) return [];
  const whose = or(
    'householdId' in who ? eq(r.householdId, who.householdId) : eq(r.personId, who.personId),
    payableIds.length > 0 ? inArray(r.payableId, [...payableIds]) : undefined,
  );
  return db
    .select()
    .from(r)
    .where(and(eq(r.districtCode, districtCode), whose))
    .orderBy(asc(r.period), asc(r.raisedAt));
}
