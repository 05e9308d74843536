import { sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import { preparedSql } from '../db/prepared.ts';
import type { Db } from '../db/store.ts';
import { prefixRange } from '../core/text.ts';
import { countCeiling, likeEscape } from './person.repository.ts';
import type { HouseholdSearch } from './registry.types.ts';

/**
 * The household search: one page with head and current member count, and the matches counted a window
 * ahead (countCeiling). Each shape of search — which filters it has, not their values — is built once;
 * a head-name or initials prefix is a range, and its statements are named so that PostgreSQL parses
 * them once per connection and may cache their plan (see person.repository.ts, SearchShape).
 */

export interface HouseholdSearchRow {
  districtCode: string;
  id: string;
  householdNo: string;
  address: string;
  streetCode: string;
  committeeCode: string;
  headPersonId: string | null;
  headName: string | null;
  memberCount: number;
  /** The matches counted up to the page's count ceiling + 1, by the same statement (one round trip a page). */
  matches: number;
}

/** How a division code tests a household: by its length (district, street, committee) or a prefix. */
type DivisionTest = 'district' | 'street' | 'committee' | 'prefix';
type PrefixTest = 'range' | 'like';

interface HouseholdShape {
  scope: DivisionTest | null;
  division: DivisionTest | null;
  householdNo: boolean;
  headName: PrefixTest | null;
  headInitials: PrefixTest | null;
  minMembers: boolean;
  maxMembers: boolean;
}

const DIVISION_TEST: Record<number, DivisionTest> = { 6: 'district', 9: 'street', 12: 'committee' };
const divisionTest = (code: string): DivisionTest => DIVISION_TEST[code.length] ?? 'prefix';
const prefixTest = (prefix: string): PrefixTest => (prefixRange(prefix) ? 'range' : 'like');

function shapeOf(scope: DataScope, q: HouseholdSearch): HouseholdShape {
  return {
    scope: scope.kind === 'all' ? null : divisionTest(scope.code),
    division: q.divisionCode ? divisionTest(q.divisionCode) : null,
    householdNo: Boolean(q.householdNo),
    headName: q.headName ? prefixTest(q.headName) : null,
    headInitials: q.headInitials ? prefixTest(q.headInitials) : null,
    minMembers: q.minMembers !== undefined,
    maxMembers: q.maxMembers !== undefined,
  };
}

/** A division's values under `name`: its district, street and committee codes as far as it has them. */
function divisionValues(values: Record<string, unknown>, name: string, code: string): void {
  values[`${name}District`] = code.slice(0, 6);
  if (code.length >= 9) values[`${name}Street`] = code.slice(0, 9);
  if (code.length >= 12) values[`${name}Committee`] = code.slice(0, 12);
  if (divisionTest(code) === 'prefix') values[`${name}Like`] = `${likeEscape(code)}%`;
}

function prefixValues(values: Record<string, unknown>, name: string, prefix: string): void {
  const range = prefixRange(prefix);
  if (range) {
    values[`${name}From`] = range.from;
    values[`${name}To`] = range.to;
  } else values[name] = `${likeEscape(prefix)}%`;
}

function valuesOf(scope: DataScope, q: HouseholdSearch): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (scope.kind !== 'all') divisionValues(values, 'scope', scope.code);
  if (q.divisionCode) divisionValues(values, 'division', q.divisionCode);
  if (q.householdNo) values.householdNo = q.householdNo;
  if (q.headName) prefixValues(values, 'headName', q.headName);
  if (q.headInitials) prefixValues(values, 'headInitials', q.headInitials);
  if (q.minMembers !== undefined) values.minMembers = q.minMembers;
  if (q.maxMembers !== undefined) values.maxMembers = q.maxMembers;
  return values;
}

const p = (name: string) => sql.placeholder(name);

/**
 * A household's division test as equalities on its own code columns (a district, street or committee
 * code is 6, 9 or 12 digits): an index reads the range directly, where a prefix LIKE is only a filter
 * on a database whose collation is not C (the CI server runs C.UTF-8).
 */
function inDivision(test: DivisionTest, name: string): SQL {
  const parts = [sql`h.district_code = ${p(`${name}District`)}`];
  if (test === 'street' || test === 'committee') parts.push(sql`h.street_code = ${p(`${name}Street`)}`);
  if (test === 'committee') parts.push(sql`h.committee_code = ${p(`${name}Committee`)}`);
  if (test === 'prefix') parts.push(sql`h.committee_code like ${p(`${name}Like`)}`);
  return sql`(${sql.join(parts, sql` and `)})`;
}

function prefixOn(column: string, test: PrefixTest, name: string): SQL {
  const c = sql.raw(`h.${column} collate "C"`);
  return test === 'range'
    ? sql`${c} >= ${p(`${name}From`)} and ${c} < ${p(`${name}To`)}`
    : sql`${c} like ${p(name)}`;
}

/**
 * The current member count. With a member-count filter every household of the scope needs it: one
 * grouped scan inside the paged query. Without, it is looked up for the page only (outer query).
 */
function memberCountJoin(shape: HouseholdShape): SQL {
  if (!shape.minMembers && !shape.maxMembers) return sql``;
  const scoped = shape.scope ? sql`m.district_code = ${p('scopeDistrict')}` : sql`true`;
  return sql`left join (
      select m.district_code, m.household_id, count(*)::int as n from household_members m
      where m.valid_to is null and ${scoped}
      group by m.district_code, m.household_id) mc on mc.district_code = h.district_code and mc.household_id = h.id`;
}

function whereOf(shape: HouseholdShape): SQL {
  const where: SQL[] = [shape.scope ? inDivision(shape.scope, 'scope') : sql`true`];
  if (shape.householdNo) where.push(sql`h.household_no = ${p('householdNo')}`);
  if (shape.division) where.push(inDivision(shape.division, 'division'));
  if (shape.headName) where.push(prefixOn('head_name', shape.headName, 'headName'));
  if (shape.headInitials) where.push(prefixOn('head_initials', shape.headInitials, 'headInitials'));
  if (shape.minMembers) where.push(sql`coalesce(mc.n, 0) >= ${p('minMembers')}`);
  if (shape.maxMembers) where.push(sql`coalesce(mc.n, 0) <= ${p('maxMembers')}`);
  return sql.join(where, sql` and `);
}

/**
 * The list order, one an index holds so that a page is read without sorting the scope: by head
 * name or initials when searching by them, else by street, committee and 户编号 (households_*_idx;
 * a street code begins with its district's).
 */
function orderOf(shape: HouseholdShape): SQL {
  const no = sql`h.household_no collate "C"`;
  if (shape.headName) return sql`h.head_name collate "C", ${no}, h.district_code`;
  if (shape.headInitials) {
    return sql`h.head_initials collate "C", h.head_name collate "C", ${no}, h.district_code`;
  }
  return sql`h.street_code, h.committee_code, ${no}, h.id`;
}

/** `select count(*)` of the matches, stopping at the `countLimit` placeholder. */
function matchCount(shape: HouseholdShape): SQL {
  return sql`select count(*)::int from (
      select 1 from households h ${memberCountJoin(shape)}
      where ${whereOf(shape)}
      limit ${p('countLimit')}) matches`;
}

function pageSql(shape: HouseholdShape): SQL {
  return sql`select h.district_code as "districtCode", h.id, h.household_no as "householdNo", h.address,
          h.street_code as "streetCode", h.committee_code as "committeeCode",
          head.person_id as "headPersonId", h.head_name as "headName", members.n as "memberCount",
          (${matchCount(shape)}) as matches
        from (
          select h.* from households h
          ${memberCountJoin(shape)}
          where ${whereOf(shape)}
          order by ${orderOf(shape)}
          limit ${p('limit')} offset ${p('offset')}
        ) h
        left join household_members head on head.district_code = h.district_code and head.household_id = h.id
          and head.valid_to is null and head.relation_code = '02'
        cross join lateral (
          select count(*)::int as n from household_members m
          where m.district_code = h.district_code and m.household_id = h.id and m.valid_to is null) members
        order by ${orderOf(shape)}`;
}

const countSql = (shape: HouseholdShape) => sql`select (${matchCount(shape)}) as n`;

const shapeKey = (shape: HouseholdShape) =>
  [
    shape.scope ?? '-',
    shape.division ?? '-',
    shape.householdNo ? 'n' : '-',
    shape.headName ?? '-',
    shape.headInitials ?? '-',
    shape.minMembers ? 'min' : '-',
    shape.maxMembers ? 'max' : '-',
  ].join('_');

/** Statements by shape, built on first use; named only when a prefix range bounds the index scan. */
function byShape<Row>(kind: string, build: (shape: HouseholdShape) => SQL) {
  const statements = new Map<string, (db: Db, values: Record<string, unknown>) => Promise<Row[]>>();
  return (shape: HouseholdShape) => {
    const key = shapeKey(shape);
    let statement = statements.get(key);
    if (!statement) {
      const named = shape.headName === 'range' || shape.headInitials === 'range';
      statement = preparedSql<Row>(named ? `household_${kind}_${key}` : '', build(shape));
      statements.set(key, statement);
    }
    return statement;
  };
}

const pageStatements = byShape<HouseholdSearchRow>('page', pageSql);
const countStatements = byShape<{ n: number }>('count', countSql);

/** One page of households with head and current member count. */
export function searchHouseholdRows(
  db: Db,
  scope: DataScope,
  q: HouseholdSearch,
  page: { limit: number; offset: number },
): Promise<HouseholdSearchRow[]> {
  return pageStatements(shapeOf(scope, q))(db, {
    ...valuesOf(scope, q),
    limit: page.limit,
    offset: page.offset,
    countLimit: countCeiling(page) + 1,
  });
}

/** The number of matches alone (up to `ceiling` + 1), for a page past the end (no row carries it). */
export async function countHouseholds(
  db: Db,
  scope: DataScope,
  q: HouseholdSearch,
  ceiling: number,
): Promise<number> {
  const rows = await countStatements(shapeOf(scope, q))(db, {
    ...valuesOf(scope, q),
    countLimit: ceiling + 1,
  });
  return rows[0]?.n ?? 0;
}
