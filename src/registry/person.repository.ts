import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { knownCategories } from './present.ts';
import type { PersonRecord, PersonSearch } from './registry.types.ts';
import { householdMembers, households, persons } from './schema.ts';

/**
 * SQL access to `persons`. Every read takes the caller's DataScope and filters in SQL: a person lies
 * in a scope when its residence division starts with the scope's code; a division scope also pins
 * `district_code` (the distribution key) so that Citus routes the query to one node.
 */

/** Escapes LIKE wildcards in user input (the pattern uses backslash, PostgreSQL's default escape). */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function personScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return sql`(${persons.districtCode} = ${scope.code.slice(0, 6)} and ${persons.residenceDivisionCode} like ${`${likeEscape(scope.code)}%`})`;
}

const personColumns = {
  districtCode: persons.districtCode,
  id: persons.id,
  idNumber: persons.idNumber,
  name: persons.name,
  nameInitials: persons.nameInitials,
  sex: persons.sex,
  birthDate: persons.birthDate,
  deathDate: persons.deathDate,
  ethnicity: persons.ethnicity,
  maritalStatus: persons.maritalStatus,
  phone: persons.phone,
  hukouDivisionCode: persons.hukouDivisionCode,
  residenceDivisionCode: persons.residenceDivisionCode,
  disabilityCategory: persons.disabilityCategory,
  disabilityGrade: persons.disabilityGrade,
  employed: persons.employed,
  seriousIllness: persons.seriousIllness,
  hasSupporter: persons.hasSupporter,
  categories: persons.categories,
  wageFen: persons.wageFen,
  pensionFen: persons.pensionFen,
  otherIncomeFen: persons.otherIncomeFen,
};

type PersonRow = Omit<PersonRecord, 'categories'> & { categories: string[] };

export function toPersonRecord(row: PersonRow): PersonRecord {
  return { ...row, categories: knownCategories(row.categories) };
}

export { personColumns };

export const MAX_PAGE = 500;

export function pageBounds(
  limit: number | undefined,
  offset: number | undefined,
): { limit: number; offset: number } {
  const l = limit === undefined ? 20 : Math.trunc(limit);
  const o = offset === undefined ? 0 : Math.trunc(offset);
  return { limit: Math.min(Math.max(l, 1), MAX_PAGE), offset: Math.max(o, 0) };
}

/**
 * Search totals are counted up to this many matches: beyond it the list says "more than" and the
 * user narrows the query. Counting every match of a district-wide query would cost a scan of the
 * scope on every page (see docs/api.md).
 */
export const COUNT_LIMIT = 1000;

export interface PersonSearchRow extends PersonRecord {
  householdId: string | null;
  householdNo: string | null;
  relationCode: string | null;
  /** The matches counted up to COUNT_LIMIT + 1, by the same statement (one round trip a page). */
  matches: number;
}

function searchConditions(scope: DataScope, q: PersonSearch): SQL[] {
  const where: SQL[] = [personScopeWhere(scope)];
  if (q.name) {
    where.push(
      q.nameMatch === 'contains'
        ? sql`${persons.name} like ${`%${likeEscape(q.name)}%`}`
        : sql`${persons.name} collate "C" like ${`${likeEscape(q.name)}%`}`,
    );
  }
  if (q.initials) where.push(sql`${persons.nameInitials} collate "C" like ${`${likeEscape(q.initials)}%`}`);
  if (q.idNumber) {
    where.push(
      q.idNumber.length === 4
        ? sql`right(${persons.idNumber}, 4) = ${q.idNumber}`
        : eq(persons.idNumber, q.idNumber),
    );
  }
  if (q.divisionCode) {
    // The district pin keeps the query on one district (on Citus: one node).
    where.push(eq(persons.districtCode, q.divisionCode.slice(0, 6)));
    where.push(sql`${persons.residenceDivisionCode} like ${`${likeEscape(q.divisionCode)}%`}`);
  }
  if (!q.includeDead) where.push(sql`${persons.deathDate} is null`);
  return where;
}

/**
 * The list order, one the indexes hold (persons_name_idx, persons_initials_idx) so that a page is
 * read without sorting the scope: by name for a name prefix, else by pinyin initials and name; the id
 * breaks ties (and the district, which the query pins, is not part of the order).
 */
function searchOrder(q: PersonSearch): (SQL | AnyPgColumn)[] {
  const byName = q.name !== undefined && q.nameMatch !== 'contains';
  return byName
    ? [sql`${persons.name} collate "C"`, persons.id]
    : [sql`${persons.nameInitials} collate "C"`, sql`${persons.name} collate "C"`, persons.id];
}

/** One page of matches with each person's current household. Inputs are expected normalised. */
export async function searchPersonRows(
  db: Db,
  scope: DataScope,
  q: PersonSearch,
  page: { limit: number; offset: number },
): Promise<PersonSearchRow[]> {
  const conditions = searchConditions(scope, q);
  const rows = await db
    .select({
      ...personColumns,
      householdId: householdMembers.householdId,
      householdNo: households.householdNo,
      relationCode: householdMembers.relationCode,
      matches: sql<number>`(${matchCount(db, conditions)})`,
    })
    .from(persons)
    .leftJoin(
      householdMembers,
      sql`${householdMembers.districtCode} = ${persons.districtCode} and ${householdMembers.personId} = ${persons.id} and ${householdMembers.validTo} is null`,
    )
    .leftJoin(
      households,
      sql`${households.districtCode} = ${householdMembers.districtCode} and ${households.id} = ${householdMembers.householdId}`,
    )
    .where(and(...conditions))
    .orderBy(...searchOrder(q))
    .limit(page.limit)
    .offset(page.offset);
  return rows.map((r) => ({
    ...toPersonRecord(r),
    householdId: r.householdId,
    householdNo: r.householdNo,
    relationCode: r.relationCode,
    matches: r.matches,
  }));
}

/** `select count(*)` of the matches, stopping at COUNT_LIMIT + 1 (more means "over COUNT_LIMIT"). */
function matchCount(db: Db, conditions: SQL[]): SQL {
  const matches = db
    .select({ one: sql`1` })
    .from(persons)
    .where(and(...conditions))
    .limit(COUNT_LIMIT + 1);
  return sql`select count(*)::int from (${matches}) as matches`;
}

/** The number of matches alone, for a page past the end (no row carries it). */
export async function countPersons(db: Db, scope: DataScope, q: PersonSearch): Promise<number> {
  const rows = await selectRows<{ n: number }>(
    db,
    sql`select (${matchCount(db, searchConditions(scope, q))}) as n`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * One person by id inside the scope (undefined when absent or outside it: the caller cannot tell
 * which). `forUpdate` locks the row for a write transaction.
 */
export async function findPerson(
  db: Db,
  scope: DataScope,
  districtCode: string,
  id: string,
  forUpdate = false,
): Promise<PersonRecord | undefined> {
  const query = db
    .select(personColumns)
    .from(persons)
    .where(and(eq(persons.districtCode, districtCode), eq(persons.id, id), personScopeWhere(scope)));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0] ? toPersonRecord(rows[0]) : undefined;
}

/** Looks a person up by ID number within a district (the unique key), ignoring scope: for duplicate checks. */
export async function findPersonIdByIdNumber(
  db: Db,
  districtCode: string,
  idNumber: string,
): Promise<string | undefined> {
  const rows = await db
    .select({ id: persons.id })
    .from(persons)
    .where(and(eq(persons.districtCode, districtCode), eq(persons.idNumber, idNumber)));
  return rows[0]?.id;
}

export async function insertPerson(db: Db, record: PersonRecord): Promise<void> {
  await db.insert(persons).values(record);
}

export async function updatePersonResidence(
  db: Db,
  districtCode: string,
  id: string,
  residenceDivisionCode: string,
): Promise<void> {
  await db
    .update(persons)
    .set({ residenceDivisionCode, updatedAt: sql`now()` })
    .where(and(eq(persons.districtCode, districtCode), eq(persons.id, id)));
}

/**
 * Records a death: sets `death_date` on a person who has none yet. Returns false when the person already
 * has a death date (or does not exist), so that a concurrent registration cannot overwrite another date.
 */
export async function setPersonDeathDate(
  db: Db,
  districtCode: string,
  id: string,
  deathDate: string,
): Promise<boolean> {
  const rows = await db
    .update(persons)
    .set({ deathDate, updatedAt: sql`now()` })
    .where(and(eq(persons.districtCode, districtCode), eq(persons.id, id), sql`${persons.deathDate} is null`))
    .returning({ id: persons.id });
  return rows.length > 0;
}
