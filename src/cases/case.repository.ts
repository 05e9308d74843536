import { and, asc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { prefixRange } from '../core/text.ts';
import { countCeiling } from '../registry/person.repository.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { CaseState } from './cases.machine.ts';
import {
  caseCounters,
  caseEvaluations,
  caseObjections,
  casePublicity,
  caseReviews,
  cases,
  caseVisits,
} from './schema.ts';

/** SQL access to `cases` and their step records. */

export type CaseRow = typeof cases.$inferSelect;

/** The columns of a case nothing has happened to yet: no verification, relatives, approval, decision. */
export const UNTOUCHED_CASE = {
  verificationRequestId: null,
  relativesFlagged: false,
  relativesMatches: [],
  relativesDeclaredBy: null,
  relativesDeclaredAt: null,
  secondApproverRequired: false,
  firstApprovedBy: null,
  firstApprovedAt: null,
  payFirst: false,
  reason: null,
  decidedAt: null,
  decidedBy: null,
} as const satisfies Partial<CaseRow>;
export type VisitRow = typeof caseVisits.$inferSelect;
export type EvaluationRow = typeof caseEvaluations.$inferSelect;
export type ReviewRow = typeof caseReviews.$inferSelect;
export type PublicityRow = typeof casePublicity.$inferSelect;
export type ObjectionRow = typeof caseObjections.$inferSelect;

/** The caller's reach over cases: the household's committee lies in the scope. */
export function caseScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return inDivision(scope.code);
}

/**
 * A division as a range of committee codes (a street's committees share its nine digits): the queue
 * indexes read it directly, where `left(code, n) = …` would be a filter over the whole district.
 */
function inDivision(code: string): SQL {
  const district = eq(cases.districtCode, code.slice(0, 6));
  const range = code.length > 6 ? prefixRange(code) : undefined;
  if (!range) return district;
  return and(district, gte(cases.committeeCode, range.from), lt(cases.committeeCode, range.to)) as SQL;
}

/** The next serial of a district's case numbers in a year (one row per district and year, locked). */
export async function nextCaseSerial(tx: WorkTx, districtCode: string, year: number): Promise<number> {
  const rows = await tx.db
    .insert(caseCounters)
    .values({ districtCode, year, last: 1 })
    .onConflictDoUpdate({
      target: [caseCounters.districtCode, caseCounters.year],
      set: { last: sql`${caseCounters.last} + 1` },
    })
    .returning({ last: caseCounters.last });
  const last = rows[0]?.last;
  if (last === undefined) throw new Error('case counter: no row returned');
  return last;
}

export async function insertCase(tx: WorkTx, row: CaseRow): Promise<void> {
  await tx.db.insert(cases).values(row);
}

export async function findCase(
  db: Db,
  scope: DataScope,
  districtCode: string,
  id: string,
): Promise<CaseRow | undefined> {
  const rows = await db
    .select()
    .from(cases)
    .where(and(eq(cases.districtCode, districtCode), eq(cases.id, id), caseScopeWhere(scope)));
  return rows[0];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A case by id or by its code, in any district (the code names its district): the CLI's look-up. */
export async function caseByNoOrId(db: Db, scope: DataScope, key: string): Promise<CaseRow | undefined> {
  const district = /^SA(\d{6})-/i.exec(key)?.[1];
  const where = UUID.test(key)
    ? eq(cases.id, key)
    : district
      ? and(eq(cases.districtCode, district), eq(cases.caseNo, key.toUpperCase()))
      : undefined;
  if (!where) return undefined;
  const rows = await db
    .select()
    .from(cases)
    .where(and(where, caseScopeWhere(scope)))
    .limit(1);
  return rows[0];
}

/** Compare-and-set of state and version (the machine's save). */
export async function saveCaseState(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  expected: { state: CaseState; version: number },
  next: { state: CaseState; version: number },
): Promise<boolean> {
  const rows = await tx.db
    .update(cases)
    .set({ state: next.state, version: next.version, updatedAt: tx.now.toISOString() })
    .where(
      and(
        eq(cases.districtCode, key.districtCode),
        eq(cases.id, key.id),
        eq(cases.state, expected.state),
        eq(cases.version, expected.version),
      ),
    )
    .returning({ id: cases.id });
  return rows.length === 1;
}

/** What a step sets beside the state (the due date, the day accepted, flags …), after the transition. */
export async function updateCase(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  values: Partial<Omit<CaseRow, 'districtCode' | 'id' | 'state' | 'version'>>,
): Promise<void> {
  await tx.db
    .update(cases)
    .set({ ...values, updatedAt: tx.now.toISOString() })
    .where(and(eq(cases.districtCode, key.districtCode), eq(cases.id, key.id)));
}

/**
 * A record that changes no state (the publicity's start, an objection, the relatives' declaration) still
 * moves the version, compare-and-set, so that two people acting at once cannot both succeed.
 */
export async function bumpCaseVersion(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  expected: { state: CaseState; version: number },
  values: Partial<Omit<CaseRow, 'districtCode' | 'id' | 'state' | 'version'>> = {},
): Promise<boolean> {
  const rows = await tx.db
    .update(cases)
    .set({ ...values, version: expected.version + 1, updatedAt: tx.now.toISOString() })
    .where(
      and(
        eq(cases.districtCode, key.districtCode),
        eq(cases.id, key.id),
        eq(cases.state, expected.state),
        eq(cases.version, expected.version),
      ),
    )
    .returning({ id: cases.id });
  return rows.length === 1;
}

export interface CaseFilter {
  state?: CaseState | undefined;
  program?: string | undefined;
  /** A street's or committee's division code (inside the scope). */
  division?: string | undefined;
  householdId?: string | undefined;
  /** Open and past its due day (the due day before this day). */
  overdueOn?: string | undefined;
  limit: number;
  offset: number;
}

const OPEN: CaseState[] = ['draft', 'accepted', 'verifying', 'visit', 'evaluation', 'review', 'deciding'];

function filterWhere(scope: DataScope, f: CaseFilter): SQL {
  const parts: (SQL | undefined)[] = [
    caseScopeWhere(scope),
    f.state ? eq(cases.state, f.state) : undefined,
    f.program ? sql`${cases.programs} @> array[${f.program}]::text[]` : undefined,
    f.division ? inDivision(f.division) : undefined,
    f.householdId ? eq(cases.householdId, f.householdId) : undefined,
    f.overdueOn ? and(inArray(cases.state, OPEN), sql`${cases.dueOn} < ${f.overdueOn}`) : undefined,
  ];
  return and(...parts) as SQL;
}

/**
 * Cases in the caller's scope by due date (earliest first, those without one last), then id. The total is
 * counted only up to a window past the page (the registry's search does the same, countCeiling): an exact
 * count of a district's queue was most of a page's cost at 200,000 cases (docs/cases.md「性能」). Beyond
 * the window `totalExact` is false and the total is the window's end; paging on counts further.
 */
export async function listCaseRows(
  db: Db,
  scope: DataScope,
  filter: CaseFilter,
): Promise<{ rows: CaseRow[]; total: number; totalExact: boolean }> {
  const where = filterWhere(scope, filter);
  const ceiling = countCeiling(filter);
  // The count rides in the page's statement (one round trip); a page past the end counts on its own.
  const counted = (n: number) =>
    n > ceiling ? { total: ceiling, totalExact: false } : { total: n, totalExact: true };
  const matches = db
    .select({ one: sql`1` })
    .from(cases)
    .where(where)
    .limit(ceiling + 1);
  const rows = await db
    .select({ row: cases, matches: sql<number>`(select count(*)::int from (${matches}) as matches)` })
    .from(cases)
    .where(where)
    .orderBy(sql`${cases.dueOn} asc nulls last`, asc(cases.id))
    .limit(filter.limit)
    .offset(filter.offset);
  const first = rows[0];
  if (first) return { rows: rows.map((r) => r.row), ...counted(Number(first.matches)) };
  if (filter.offset === 0) return { rows: [], total: 0, totalExact: true };
  const alone = await db.select({ n: sql<number>`count(*)::int` }).from(matches.as('matches'));
  return { rows: [], ...counted(Number(alone[0]?.n ?? 0)) };
}

export async function insertVisit(tx: WorkTx, row: VisitRow): Promise<void> {
  await tx.db.insert(caseVisits).values(row);
}
export async function insertEvaluation(tx: WorkTx, row: EvaluationRow): Promise<void> {
  await tx.db.insert(caseEvaluations).values(row);
}
export async function insertReview(tx: WorkTx, row: ReviewRow): Promise<void> {
  await tx.db.insert(caseReviews).values(row);
}
export async function insertPublicity(tx: WorkTx, row: PublicityRow): Promise<void> {
  await tx.db.insert(casePublicity).values(row);
}
export async function insertObjection(tx: WorkTx, row: ObjectionRow): Promise<void> {
  await tx.db.insert(caseObjections).values(row);
}

/** The step records of one case. */
export async function stepRecords(
  db: Db,
  key: { districtCode: string; id: string },
): Promise<{
  visit: VisitRow | undefined;
  evaluation: EvaluationRow | undefined;
  review: ReviewRow | undefined;
  publicity: PublicityRow | undefined;
  objections: ObjectionRow[];
}> {
  const [visit, evaluation, review, publicity, objections] = await Promise.all([
    db
      .select()
      .from(caseVisits)
      .where(and(eq(caseVisits.districtCode, key.districtCode), eq(caseVisits.caseId, key.id))),
    db
      .select()
      .from(caseEvaluations)
      .where(and(eq(caseEvaluations.districtCode, key.districtCode), eq(caseEvaluations.caseId, key.id))),
    db
      .select()
      .from(caseReviews)
      .where(and(eq(caseReviews.districtCode, key.districtCode), eq(caseReviews.caseId, key.id))),
    db
      .select()
      .from(casePublicity)
      .where(and(eq(casePublicity.districtCode, key.districtCode), eq(casePublicity.caseId, key.id))),
    db
      .select()
      .from(caseObjections)
      .where(and(eq(caseObjections.districtCode, key.districtCode), eq(caseObjections.caseId, key.id)))
      .orderBy(asc(caseObjections.receivedOn), asc(caseObjections.recordedAt)),
  ]);
  return {
    visit: visit[0],
    evaluation: evaluation[0],
    review: review[0],
    publicity: publicity[0],
    objections,
  };
}
