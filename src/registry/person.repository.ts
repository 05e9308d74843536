import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { preparedPerDb } from '../db/prepared.ts';
import { prefixRange } from '../core/text.ts';
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

/**
 * A person lies in a scope when their residence does; for the whole city, each person once: the row of
 * the district that manages them (the rows earlier districts keep after a transfer have their residence
 * in the managing district, outside their own, and so fall out of every district's scope too).
 */
export function personScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return managedHere();
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
  version: persons.version,
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
 * Search totals are counted a window ahead of the page asked: up to COUNT_AHEAD matches past its end.
 * Beyond that the list says "more than" and the count reaches further as the user pages on. Counting
 * every match of a district-wide query would cost a scan of the scope on every page, and even a fixed
 * ceiling of 1,000 made the count most of a search's cost (docs/api.md): this way a search costs what
 * the user has paged through, not what the registry holds.
 */
export const COUNT_AHEAD = 200;

/** How far a page's statement counts: matches beyond this make the total "more than" this. */
export function countCeiling(page: { limit: number; offset: number }): number {
  return page.offset + page.limit + COUNT_AHEAD;
}

export interface PersonSearchRow extends PersonRecord {
  householdId: string | null;
  householdNo: string | null;
  relationCode: string | null;
  /** The matches counted up to the page's count ceiling + 1, by the same statement (one round trip a page). */
  matches: number;
}

/**
 * What decides a search statement's text: which filters it has, not their values. Each shape is built
 * by drizzle once (a handful of shapes in practice) instead of on every call, which was most of a
 * search's CPU in the server. A name or initials prefix is a range (prefixRange), and a statement with
 * one is named: PostgreSQL then parses it once per connection and, after its first five runs, caches a
 * generic plan when its estimated cost is no worse than the custom plans' (the range bounds the index
 * scan for any value). Other shapes stay unnamed (UNNAMED) and are planned for their values on every
 * call: a cached generic plan of the unfiltered list was measured to sort thousands of rows where the
 * custom plan reads 20.
 */
interface SearchShape {
  scoped: boolean;
  /** `prefix` (LIKE) only for a prefix whose range has no upper bound. */
  name: 'range' | 'prefix' | 'contains' | null;
  initials: 'range' | 'prefix' | null;
  idNumber: 'full' | 'last4' | null;
  division: boolean;
  includeDead: boolean;
}

function searchShape(scope: DataScope, q: PersonSearch): SearchShape {
  return {
    scoped: scope.kind !== 'all',
    name: q.name ? (q.nameMatch === 'contains' ? 'contains' : prefixKind(q.name)) : null,
    initials: q.initials ? prefixKind(q.initials) : null,
    idNumber: q.idNumber ? (q.idNumber.length === 4 ? 'last4' : 'full') : null,
    division: Boolean(q.divisionCode),
    includeDead: q.includeDead === true,
  };
}

const prefixKind = (prefix: string) => (prefixRange(prefix) ? 'range' : 'prefix');

/** A prefix's values: its range's bounds, or its LIKE pattern when it has no range. */
function prefixValues(values: Record<string, string>, name: string, prefix: string): void {
  const range = prefixRange(prefix);
  if (range) {
    values[`${name}From`] = range.from;
    values[`${name}To`] = range.to;
  } else values[name] = `${likeEscape(prefix)}%`;
}

/** The values of a search, by placeholder name. */
function searchValues(scope: DataScope, q: PersonSearch): Record<string, string> {
  const values: Record<string, string> = {};
  if (scope.kind !== 'all') {
    values.scopeDistrict = scope.code.slice(0, 6);
    values.scopePrefix = `${likeEscape(scope.code)}%`;
  }
  if (q.name && q.nameMatch === 'contains') values.name = `%${likeEscape(q.name)}%`;
  else if (q.name) prefixValues(values, 'name', q.name);
  if (q.initials) prefixValues(values, 'initials', q.initials);
  if (q.idNumber) values.idNumber = q.idNumber;
  if (q.divisionCode) {
    values.divisionDistrict = q.divisionCode.slice(0, 6);
    values.divisionPrefix = `${likeEscape(q.divisionCode)}%`;
  }
  return values;
}

const inRange = (column: SQL, name: string) =>
  sql`${column} >= ${sql.placeholder(`${name}From`)} and ${column} < ${sql.placeholder(`${name}To`)}`;

function searchConditions(shape: SearchShape): SQL[] {
  const p = (name: string) => sql.placeholder(name);
  const where: SQL[] = [];
  // City-wide: each person once, by the managing district's row (both columns are in the search indexes).
  if (!shape.scoped) where.push(managedHere());
  if (shape.scoped) {
    where.push(
      sql`(${persons.districtCode} = ${p('scopeDistrict')} and ${persons.residenceDivisionCode} like ${p('scopePrefix')})`,
    );
  }
  if (shape.name === 'contains') where.push(sql`${persons.name} like ${p('name')}`);
  if (shape.name === 'prefix') where.push(sql`${persons.name} collate "C" like ${p('name')}`);
  if (shape.name === 'range') where.push(inRange(sql`${persons.name} collate "C"`, 'name'));
  if (shape.initials === 'prefix') where.push(sql`${persons.nameInitials} collate "C" like ${p('initials')}`);
  if (shape.initials === 'range') where.push(inRange(sql`${persons.nameInitials} collate "C"`, 'initials'));
  if (shape.idNumber === 'last4') where.push(sql`right(${persons.idNumber}, 4) = ${p('idNumber')}`);
  if (shape.idNumber === 'full') where.push(sql`${persons.idNumber} = ${p('idNumber')}`);
  if (shape.division) {
    // The district pin keeps the query on one district (on Citus: one node).
    where.push(sql`${persons.districtCode} = ${p('divisionDistrict')}`);
    where.push(sql`${persons.residenceDivisionCode} like ${p('divisionPrefix')}`);
  }
  if (!shape.includeDead) where.push(sql`${persons.deathDate} is null`);
  return where;
}

/**
 * The list order, one the indexes hold (persons_name_idx, persons_initials_idx) so that a page is
 * read without sorting the scope: by name for a name prefix, else by pinyin initials and name; the id
 * breaks ties (and the district, which the query pins, is not part of the order).
 */
function searchOrder(shape: SearchShape): (SQL | AnyPgColumn)[] {
  return shape.name === 'prefix' || shape.name === 'range'
    ? [sql`${persons.name} collate "C"`, persons.id]
    : [sql`${persons.nameInitials} collate "C"`, sql`${persons.name} collate "C"`, persons.id];
}

/** `select count(*)` of the matches, stopping at the `countLimit` placeholder. */
function matchCount(db: Db, shape: SearchShape): SQL {
  const matches = db
    .select({ one: sql`1` })
    .from(persons)
    .where(and(...searchConditions(shape)))
    .limit(sql.placeholder('countLimit'));
  return sql`select count(*)::int from (${matches}) as matches`;
}

/**
 * drizzle's prepared query with an empty name: node-postgres then sends an unnamed statement, parsed and
 * planned afresh each time (PGlite ignores the name); only drizzle's building is saved.
 */
const UNNAMED = '';

/** The statement's name: a shape with a prefix range is named (its plan may be cached), others not. */
const statementName = (kind: string, shape: SearchShape) =>
  shape.name === 'range' || shape.initials === 'range' ? `person_${kind}_${shapeKey(shape)}` : UNNAMED;

const shapeKey = (shape: SearchShape) =>
  [
    shape.scoped ? 's' : 'a',
    shape.name ?? '-',
    shape.initials ?? '-',
    shape.idNumber ?? '-',
    shape.division ? 'd' : '-',
    shape.includeDead ? 'x' : '-',
  ].join('_');

function pageStatement(db: Db, shape: SearchShape) {
  return db
    .select({
      ...personColumns,
      householdId: householdMembers.householdId,
      householdNo: households.householdNo,
      relationCode: householdMembers.relationCode,
      matches: sql<number>`(${matchCount(db, shape)})`,
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
    .where(and(...searchConditions(shape)))
    .orderBy(...searchOrder(shape))
    .limit(sql.placeholder('limit'))
    .offset(sql.placeholder('offset'))
    .prepare(statementName('page', shape));
}

function countStatement(db: Db, shape: SearchShape) {
  return db
    .select({ n: sql<number>`(${matchCount(db, shape)})` })
    .from(sql`(select 1) as one`)
    .prepare(statementName('count', shape));
}

/** Prepared statements by shape and database handle (built on first use). */
function byShape<Prepared>(build: (db: Db, shape: SearchShape) => Prepared) {
  const shapes = new Map<string, (db: Db) => Prepared>();
  return (db: Db, shape: SearchShape): Prepared => {
    const key = shapeKey(shape);
    let perDb = shapes.get(key);
    if (!perDb) {
      perDb = preparedPerDb((handle) => build(handle, shape));
      shapes.set(key, perDb);
    }
    return perDb(db);
  };
}

const pageStatements = byShape(pageStatement);
const countStatements = byShape(countStatement);

/** One page of matches with each person's current household. Inputs are expected normalised. */
export async function searchPersonRows(
  db: Db,
  scope: DataScope,
  q: PersonSearch,
  page: { limit: number; offset: number },
): Promise<PersonSearchRow[]> {
  const shape = searchShape(scope, q);
  const rows = await pageStatements(db, shape).execute({
    ...searchValues(scope, q),
    limit: page.limit,
    offset: page.offset,
    countLimit: countCeiling(page) + 1,
  });
  return rows.map((r) => ({
    ...toPersonRecord(r),
    householdId: r.householdId,
    householdNo: r.householdNo,
    relationCode: r.relationCode,
    matches: r.matches,
  }));
}

/** The number of matches alone (up to `ceiling` + 1), for a page past the end (no row carries it). */
export async function countPersons(
  db: Db,
  scope: DataScope,
  q: PersonSearch,
  ceiling: number,
): Promise<number> {
  const shape = searchShape(scope, q);
  const [row] = await countStatements(db, shape).execute({
    ...searchValues(scope, q),
    countLimit: ceiling + 1,
  });
  return row?.n ?? 0;
}

/**
 * The scope as two nullable parameters, so that one prepared statement serves every scope: a lookup by
 * key reads one row and the scope is a filter on it.
 */
export function scopeParams(scope: DataScope): { scopeDistrict: string | null; scopePrefix: string | null } {
  return scope.kind === 'all'
    ? { scopeDistrict: null, scopePrefix: null }
    : { scopeDistrict: scope.code.slice(0, 6), scopePrefix: `${likeEscape(scope.code)}%` };
}

const personByIdQuery = preparedPerDb((db) =>
  db
    .select(personColumns)
    .from(persons)
    .where(
      and(
        eq(persons.districtCode, sql.placeholder('districtCode')),
        eq(persons.id, sql.placeholder('id')),
        sql`(${sql.placeholder('scopeDistrict')}::text is null or ${persons.districtCode} = ${sql.placeholder('scopeDistrict')})`,
        sql`(${sql.placeholder('scopePrefix')}::text is null or ${persons.residenceDivisionCode} like ${sql.placeholder('scopePrefix')})`,
      ),
    )
    .prepare('person_by_id'),
);

/**
 * One person by id inside the scope (undefined when absent or outside it: the caller cannot tell
 * which). `forUpdate` locks the row for a write transaction; a plain read is a prepared query.
 */
export async function findPerson(
  db: Db,
  scope: DataScope,
  districtCode: string,
  id: string,
  forUpdate = false,
): Promise<PersonRecord | undefined> {
  const rows = forUpdate
    ? await db
        .select(personColumns)
        .from(persons)
        .where(and(eq(persons.districtCode, districtCode), eq(persons.id, id), personScopeWhere(scope)))
        .for('update')
    : await personByIdQuery(db).execute({ districtCode, id, ...scopeParams(scope) });
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
    .set({ residenceDivisionCode, updatedAt: sql`now()`, version: sql`${persons.version} + 1` })
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
    .set({ deathDate, updatedAt: sql`now()`, version: sql`${persons.version} + 1` })
    .where(and(eq(persons.districtCode, districtCode), eq(persons.id, id), sql`${persons.deathDate} is null`))
    .returning({ id: persons.id });
  return rows.length > 0;
}

/** Corrects a recorded death date; false when the person has no death recorded or another wrote first. */
export async function correctPersonDeathDate(
  db: Db,
  person: { districtCode: string; id: string; deathDate: string },
  deathDate: string,
): Promise<boolean> {
  const rows = await db
    .update(persons)
    .set({ deathDate, updatedAt: sql`now()`, version: sql`${persons.version} + 1` })
    .where(
      and(
        eq(persons.districtCode, person.districtCode),
        eq(persons.id, person.id),
        eq(persons.deathDate, person.deathDate),
      ),
    )
    .returning({ id: persons.id });
  return rows.length > 0;
}

/** The fields a correction may change (identity and contact; economic facts are dated facts of their own). */
export type PersonIdentity = Pick<
  PersonRecord,
  | 'name'
  | 'nameInitials'
  | 'sex'
  | 'birthDate'
  | 'idNumber'
  | 'ethnicity'
  | 'maritalStatus'
  | 'phone'
  | 'hukouDivisionCode'
>;

/**
 * Corrects a person's identity fields and increments the version, on the managing district's row and on
 * every earlier district's row of the same person (a correction says what was always true; the rows
 * other districts keep for their history show the corrected name too). Returns the managing row after.
 */
export async function updatePersonIdentity(
  db: Db,
  key: { districtCode: string; id: string },
  fields: PersonIdentity,
): Promise<PersonRecord | undefined> {
  const rows = await db
    .update(persons)
    .set({ ...fields, version: sql`${persons.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(persons.districtCode, key.districtCode), eq(persons.id, key.id)))
    .returning(personColumns);
  await db
    .update(persons)
    .set({ ...fields, version: sql`${persons.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(persons.id, key.id), sql`${persons.districtCode} <> ${key.districtCode}`));
  return rows[0] ? toPersonRecord(rows[0]) : undefined;
}

/**
 * Every row of one person across districts (ids are city-wide; a person keeps a row in each district
 * they were registered in). The managing row is the one whose residence lies in its own district.
 */
export async function personRowsById(db: Db, id: string, forUpdate = false): Promise<PersonRecord[]> {
  const query = db.select(personColumns).from(persons).where(eq(persons.id, id));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows.map(toPersonRecord);
}

/** Another row with this ID number in the district (a different person id), if any. */
export async function otherPersonWithIdNumber(
  db: Db,
  districtCode: string,
  idNumber: string,
  exceptId: string,
): Promise<PersonRecord | undefined> {
  const rows = await db
    .select(personColumns)
    .from(persons)
    .where(
      and(
        eq(persons.districtCode, districtCode),
        eq(persons.idNumber, idNumber),
        sql`${persons.id} <> ${exceptId}`,
      ),
    );
  return rows[0] ? toPersonRecord(rows[0]) : undefined;
}

/** Live rows (managed where they are, not dead) with this ID number anywhere in the city. */
export async function livePersonsWithIdNumber(db: Db, idNumber: string): Promise<PersonRecord[]> {
  const rows = await db
    .select(personColumns)
    .from(persons)
    .where(and(eq(persons.idNumber, idNumber), managedHere()));
  return rows.map(toPersonRecord);
}

/** A row is the person's managing row when its residence lies in its own district (see transfer/). */
export function managedHere(): SQL {
  return sql`left(${persons.residenceDivisionCode}, 6) = ${persons.districtCode}`;
}

/**
 * Writes the managing row of a person arriving from another district: inserts it, or, when the person
 * lived here before (the row kept for this district's history), brings that row up to date. The
 * version continues from the row the person leaves, so a page read before the move is stale after it.
 */
export async function upsertArrivingPerson(
  db: Db,
  record: PersonRecord & { version: number },
): Promise<void> {
  const { districtCode: _d, id: _i, ...fields } = record;
  await db
    .insert(persons)
    .values(record)
    .onConflictDoUpdate({
      target: [persons.districtCode, persons.id],
      set: { ...fields, updatedAt: sql`now()` },
    });
}

/**
 * After a person's managing district changed: the rows other districts keep point their residence at
 * the new one (so that no district's scope finds them as its own) and increment their versions.
 */
export async function pointEarlierRowsAt(
  db: Db,
  id: string,
  managingDistrict: string,
  residenceDivisionCode: string,
): Promise<number> {
  const rows = await db
    .update(persons)
    .set({ residenceDivisionCode, version: sql`${persons.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(persons.id, id), sql`${persons.districtCode} <> ${managingDistrict}`))
    .returning({ id: persons.id });
  return rows.length;
}

/** Who the persons are, as other agencies know them: the district's rows of these ids (any number at once). */
export interface PersonIdentityRow {
  personId: string;
  idNumber: string;
  name: string;
  hukouDivisionCode: string;
  /** GB/T 2261.2 code. */
  maritalStatus: string | null;
  deathDate: string | null;
}

export async function personIdentities(
  db: Db,
  districtCode: string,
  personIds: readonly string[],
): Promise<Map<string, PersonIdentityRow>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .select({
      personId: persons.id,
      idNumber: persons.idNumber,
      name: persons.name,
      hukouDivisionCode: persons.hukouDivisionCode,
      maritalStatus: persons.maritalStatus,
      deathDate: persons.deathDate,
    })
    .from(persons)
    .where(and(eq(persons.districtCode, districtCode), inArray(persons.id, [...new Set(personIds)])));
  return new Map(rows.map((r) => [r.personId, r]));
}
