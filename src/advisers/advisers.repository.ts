import { and, asc, desc, eq, inArray, max, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { AdviserError } from './advisers.errors.ts';
import {
  adviserAssessments,
  adviserAssignments,
  adviserPlanActions,
  adviserPlans,
  adviserReferrals,
  adviserVisits,
} from './schema.ts';

/** SQL access to the adviser module's tables. Every read names the district first. */

export type AssignmentRow = typeof adviserAssignments.$inferSelect;
export type VisitRow = typeof adviserVisits.$inferSelect;
export type AssessmentRow = typeof adviserAssessments.$inferSelect;
export type PlanRow = typeof adviserPlans.$inferSelect;
export type PlanActionRow = typeof adviserPlanActions.$inferSelect;
export type ReferralRow = typeof adviserReferrals.$inferSelect;

/** The tables of records that have a household, a state and a version (one machine each). */
export const RECORD_TABLES = {
  assignment: adviserAssignments,
  visit: adviserVisits,
  assessment: adviserAssessments,
  plan: adviserPlans,
  referral: adviserReferrals,
} as const;
export type RecordKind = keyof typeof RECORD_TABLES;
type RecordTable = (typeof RECORD_TABLES)[RecordKind];

export interface RecordHead {
  districtCode: string;
  id: string;
  householdId: string;
  committeeCode: string;
  state: string;
  version: number;
}

/** The caller's reach over records: the household's committee (when written) lies in the scope. */
function scopeWhere(table: RecordTable, scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return and(
    eq(table.districtCode, scope.code.slice(0, 6)),
    sql`left(${table.committeeCode}, ${scope.code.length}) = ${scope.code}`,
  ) as SQL;
}

export async function recordHead(
  db: Db,
  kind: RecordKind,
  scope: DataScope,
  districtCode: string,
  id: string,
): Promise<RecordHead | undefined> {
  const table: RecordTable = RECORD_TABLES[kind];
  const [row] = await db
    .select({
      districtCode: table.districtCode,
      id: table.id,
      householdId: table.householdId,
      committeeCode: table.committeeCode,
      state: table.state,
      version: table.version,
    })
    .from(table)
    .where(and(eq(table.districtCode, districtCode), eq(table.id, id), scopeWhere(table, scope)));
  return row;
}

/** A record's every column (the content an edit replaces, for its audit record). */
export async function recordRow(
  db: Db,
  kind: RecordKind,
  districtCode: string,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const table = RECORD_TABLES[kind] as typeof adviserVisits;
  const [row] = await db
    .select()
    .from(table)
    .where(and(eq(table.districtCode, districtCode), eq(table.id, id)));
  return row;
}

/**
 * Compare-and-set of a record's state and version, writing `fields` in the same statement: the content of
 * an edit and its step are one change, or none when someone else moved the record first.
 */
export async function saveRecord(
  tx: WorkTx,
  kind: RecordKind,
  key: { districtCode: string; id: string },
  expected: { state: string; version: number },
  next: { state: string; version: number },
  fields: Record<string, unknown>,
): Promise<boolean> {
  const table = RECORD_TABLES[kind] as typeof adviserVisits;
  const rows = await tx.db
    .update(table)
    .set({
      ...(fields as Partial<VisitRow>),
      state: next.state,
      version: next.version,
      updatedAt: tx.now.toISOString(),
    })
    .where(
      and(
        eq(table.districtCode, key.districtCode),
        eq(table.id, key.id),
        eq(table.state, expected.state),
        eq(table.version, expected.version),
      ),
    )
    .returning({ id: table.id });
  return rows.length > 0;
}

// ---- assignments ----------------------------------------------------------------------------------

export async function insertAssignment(tx: WorkTx, row: AssignmentRow): Promise<void> {
  await tx.db.insert(adviserAssignments).values(row);
}

export async function activeAssignment(
  db: Db,
  districtCode: string,
  householdId: string,
): Promise<AssignmentRow | undefined> {
  const [row] = await db
    .select()
    .from(adviserAssignments)
    .where(
      and(
        eq(adviserAssignments.districtCode, districtCode),
        eq(adviserAssignments.householdId, householdId),
        eq(adviserAssignments.state, 'active'),
      ),
    );
  return row;
}

export async function findAssignment(
  db: Db,
  districtCode: string,
  id: string,
): Promise<AssignmentRow | undefined> {
  const [row] = await db
    .select()
    .from(adviserAssignments)
    .where(and(eq(adviserAssignments.districtCode, districtCode), eq(adviserAssignments.id, id)));
  return row;
}

/** Active assignments in the scope (of one adviser, when named), oldest first. */
export async function activeAssignments(
  db: Db,
  scope: DataScope,
  filter: { districtCode: string; adviserId?: string | undefined },
): Promise<AssignmentRow[]> {
  return db
    .select()
    .from(adviserAssignments)
    .where(
      and(
        eq(adviserAssignments.districtCode, filter.districtCode),
        eq(adviserAssignments.state, 'active'),
        filter.adviserId ? eq(adviserAssignments.adviserId, filter.adviserId) : undefined,
        scopeWhere(adviserAssignments, scope),
      ),
    )
    .orderBy(asc(adviserAssignments.assignedOn), asc(adviserAssignments.id));
}

// ---- a household's records ----------------------------------------------------------------------------

type HouseholdKey = { districtCode: string; householdId: string };

const ofHousehold = (table: RecordTable, key: HouseholdKey) =>
  and(eq(table.districtCode, key.districtCode), eq(table.householdId, key.householdId));

export function householdAssignments(db: Db, key: HouseholdKey): Promise<AssignmentRow[]> {
  return db
    .select()
    .from(adviserAssignments)
    .where(ofHousehold(adviserAssignments, key))
    .orderBy(desc(adviserAssignments.assignedOn), desc(adviserAssignments.createdAt));
}

export function householdVisits(db: Db, key: HouseholdKey): Promise<VisitRow[]> {
  return db
    .select()
    .from(adviserVisits)
    .where(ofHousehold(adviserVisits, key))
    .orderBy(desc(adviserVisits.visitedOn), desc(adviserVisits.createdAt));
}

export function householdAssessments(db: Db, key: HouseholdKey): Promise<AssessmentRow[]> {
  return db
    .select()
    .from(adviserAssessments)
    .where(ofHousehold(adviserAssessments, key))
    .orderBy(desc(adviserAssessments.assessedOn), desc(adviserAssessments.createdAt));
}

export function householdPlans(db: Db, key: HouseholdKey): Promise<PlanRow[]> {
  return db
    .select()
    .from(adviserPlans)
    .where(ofHousehold(adviserPlans, key))
    .orderBy(desc(adviserPlans.createdAt));
}

export function householdReferrals(db: Db, key: HouseholdKey): Promise<ReferralRow[]> {
  return db
    .select()
    .from(adviserReferrals)
    .where(ofHousehold(adviserReferrals, key))
    .orderBy(desc(adviserReferrals.referredOn), desc(adviserReferrals.createdAt));
}

/**
 * A record naming a case that its district does not have breaks the foreign key on (district_code,
 * case_id): said in Chinese, nothing written (the unit rolls back).
 */
async function onCase(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; constraint?: string } }).cause ?? error;
    const { code, constraint } = cause as { code?: string; constraint?: string };
    if (code === '23503' && constraint?.endsWith('_case_fk')) {
      throw new AdviserError('invalid', '所属个案不存在：请选择本区的个案，或不选');
    }
    throw error;
  }
}

export async function insertVisit(tx: WorkTx, row: VisitRow): Promise<void> {
  await onCase(() => tx.db.insert(adviserVisits).values(row));
}

export async function insertAssessment(tx: WorkTx, row: AssessmentRow): Promise<void> {
  await onCase(() => tx.db.insert(adviserAssessments).values(row));
}

export async function insertReferral(tx: WorkTx, row: ReferralRow): Promise<void> {
  await onCase(() => tx.db.insert(adviserReferrals).values(row));
}

export async function insertPlan(tx: WorkTx, row: PlanRow, actions: readonly PlanActionRow[]): Promise<void> {
  await onCase(() => tx.db.insert(adviserPlans).values(row));
  if (actions.length > 0) await tx.db.insert(adviserPlanActions).values([...actions]);
}

/** A plan's actions replaced by the edited list (the plan's version guards the edit). */
export async function replacePlanActions(
  tx: WorkTx,
  key: { districtCode: string; planId: string },
  actions: readonly PlanActionRow[],
): Promise<void> {
  await tx.db
    .delete(adviserPlanActions)
    .where(
      and(eq(adviserPlanActions.districtCode, key.districtCode), eq(adviserPlanActions.planId, key.planId)),
    );
  if (actions.length > 0) await tx.db.insert(adviserPlanActions).values([...actions]);
}

export function planActions(
  db: Db,
  districtCode: string,
  planIds: readonly string[],
): Promise<PlanActionRow[]> {
  if (planIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(adviserPlanActions)
    .where(
      and(
        eq(adviserPlanActions.districtCode, districtCode),
        inArray(adviserPlanActions.planId, [...planIds]),
      ),
    )
    .orderBy(asc(adviserPlanActions.planId), asc(adviserPlanActions.seq));
}

export async function openPlanOf(db: Db, key: HouseholdKey): Promise<PlanRow | undefined> {
  const [row] = await db
    .select()
    .from(adviserPlans)
    .where(and(ofHousehold(adviserPlans, key), inArray(adviserPlans.state, ['draft', 'active'])));
  return row;
}

// ---- caseload figures ------------------------------------------------------------------------------

export interface DueItem {
  householdId: string;
  title: string | null;
  dueOn: string;
  kind: 'action' | 'review';
}

/** Each household's last visit. */
export async function lastVisits(
  db: Db,
  districtCode: string,
  householdIds: readonly string[],
): Promise<Map<string, string>> {
  if (householdIds.length === 0) return new Map();
  const rows = await db
    .select({ householdId: adviserVisits.householdId, last: max(adviserVisits.visitedOn) })
    .from(adviserVisits)
    .where(
      and(
        eq(adviserVisits.districtCode, districtCode),
        inArray(adviserVisits.householdId, [...householdIds]),
      ),
    )
    .groupBy(adviserVisits.householdId);
  return new Map(rows.flatMap((r) => (r.last ? [[r.householdId, r.last] as const] : [])));
}

/**
 * What is due in the households' open plans: every open action of a draft or active plan, and the review
 * date of an active plan, earliest first (the caller takes each household's first and counts the late).
 */
export async function dueItems(
  db: Db,
  districtCode: string,
  householdIds: readonly string[],
): Promise<DueItem[]> {
  if (householdIds.length === 0) return [];
  const inHouseholds = and(
    eq(adviserPlans.districtCode, districtCode),
    inArray(adviserPlans.householdId, [...householdIds]),
  );
  const actions = await db
    .select({
      householdId: adviserPlans.householdId,
      title: adviserPlanActions.title,
      dueOn: adviserPlanActions.dueOn,
    })
    .from(adviserPlanActions)
    .innerJoin(
      adviserPlans,
      and(
        eq(adviserPlans.districtCode, adviserPlanActions.districtCode),
        eq(adviserPlans.id, adviserPlanActions.planId),
      ),
    )
    .where(
      and(
        inHouseholds,
        inArray(adviserPlans.state, ['draft', 'active']),
        eq(adviserPlanActions.status, 'open'),
      ),
    );
  const reviews = await db
    .select({ householdId: adviserPlans.householdId, dueOn: adviserPlans.reviewOn })
    .from(adviserPlans)
    .where(and(inHouseholds, eq(adviserPlans.state, 'active')));
  return [
    ...actions.map((a) => ({ ...a, kind: 'action' as const })),
    ...reviews.map((r) => ({ ...r, title: null, kind: 'review' as const })),
  ].sort((a, b) => a.dueOn.localeCompare(b.dueOn) || (a.title ?? '').localeCompare(b.title ?? ''));
}

/** The active adviser of each of these households (any number at once), for work assigned in bulk. */
export async function activeAdvisersOf(
  db: Db,
  districtCode: string,
  householdIds: readonly string[],
): Promise<Map<string, string>> {
  if (householdIds.length === 0) return new Map();
  const rows = await db
    .select({ householdId: adviserAssignments.householdId, adviserId: adviserAssignments.adviserId })
    .from(adviserAssignments)
    .where(
      and(
        eq(adviserAssignments.districtCode, districtCode),
        eq(adviserAssignments.state, 'active'),
        inArray(adviserAssignments.householdId, [...new Set(householdIds)]),
      ),
    );
  return new Map(rows.map((r) => [r.householdId, r.adviserId]));
}
