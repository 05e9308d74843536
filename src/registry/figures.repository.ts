import { sql } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { householdScopeWhere } from './household.repository.ts';
import { personScopeWhere } from './person.repository.ts';

/**
 * Aggregates for the population dashboard, computed in SQL over the scope: persons alive on `asOf`
 * (born on or before it, no death date on or before it) by their current residence; households with
 * a membership covering `asOf`.
 */

function aliveOn(asOf: string) {
  return sql`persons.birth_date <= ${asOf}::date and (persons.death_date is null or persons.death_date > ${asOf}::date)`;
}

/**
 * The 5-year band of completed years on `asOf` (0 = 0–4 … 20 = 100+), by comparing the birth date with
 * the 20 band boundaries (asOf minus 5k years, plus a day), computed once per query: the same result
 * as `age()` band by band, leap days included, at a third of its cost over a million rows.
 */
function bandOn(asOf: string) {
  return sql`20 - width_bucket(persons.birth_date, array(
    select (${asOf}::date - make_interval(years => 5 * k))::date + 1 from generate_series(20, 1, -1) as k))`;
}

/** The level a scope's figures break down by: a district (or the city) by street, a street or committee by committee. */
export type AreaLevel = 'street' | 'committee';

export interface PersonCounts {
  /** By 5-year band (0 = 0–4 … 19 = 95–99, 20 = 100+) and sex. */
  bands: { band: number; sex: number; n: number }[];
  /** Disabled persons by GB/T 26341 category and grade. */
  disability: { category: number; grade: number | null; n: number }[];
  /** Persons by street or committee code (the `level` asked). */
  areas: { area: string; n: number }[];
  /** Persons with a Shanghai 户籍. */
  hukou: number;
}

interface GroupedRow {
  set: number;
  band: number | null;
  sex: number | null;
  category: number | null;
  grade: number | null;
  area: string | null;
  hukou: boolean | null;
  n: number;
}

// grouping(band, sex, category, grade, area, hukou): a bit set for each column a row is not grouped by
// (the first column is the highest bit).
const BY_BAND_AND_SEX = 0b001111;
const BY_DISABILITY = 0b110011;
const BY_AREA = 0b111101;
const BY_HUKOU = 0b111110;

/**
 * The person counts of the dashboard in one scan of the scope, every set hashed at once (grouping
 * sets). 户籍 is a set of its own: added to (band, sex) it makes the planner sort the scope instead. One
 * area level only: a second one (street and committee) would cost another pass.
 */
export async function personCounts(
  db: Db,
  scope: DataScope,
  asOf: string,
  level: AreaLevel,
): Promise<PersonCounts> {
  const area =
    level === 'street' ? sql`left(persons.residence_division_code, 9)` : sql`persons.residence_division_code`;
  const rows = await selectRows<GroupedRow>(
    db,
    sql`select grouping(band, sex, category, grade, area, hukou) as set,
          band, sex, category, grade, area, hukou, count(*)::int as n
        from (
          select ${bandOn(asOf)} as band, persons.sex as sex,
            persons.disability_category as category, persons.disability_grade as grade, ${area} as area,
            left(persons.hukou_division_code, 2) = '31' as hukou
          from persons where ${personScopeWhere(scope)} and ${aliveOn(asOf)}
        ) p
        group by grouping sets ((band, sex), (category, grade), (area), (hukou))`,
  );
  const counts: PersonCounts = { bands: [], disability: [], areas: [], hukou: 0 };
  for (const r of rows) {
    if (r.set === BY_BAND_AND_SEX) counts.bands.push({ band: r.band ?? 0, sex: r.sex ?? 0, n: r.n });
    else if (r.set === BY_DISABILITY && r.category !== null)
      counts.disability.push({ category: r.category, grade: r.grade, n: r.n });
    else if (r.set === BY_AREA && r.area !== null) counts.areas.push({ area: r.area, n: r.n });
    else if (r.set === BY_HUKOU && r.hukou === true) counts.hukou = r.n;
  }
  return counts;
}

/** Persons by special category: the few with one, through their partial index (persons_categories_idx). */
export async function countByCategory(
  db: Db,
  scope: DataScope,
  asOf: string,
): Promise<{ category: string; n: number }[]> {
  return selectRows(
    db,
    sql`select c.category, count(*)::int as n
        from persons cross join lateral unnest(persons.categories) as c(category)
        where persons.categories <> '{}'::text[] and ${personScopeWhere(scope)} and ${aliveOn(asOf)}
        group by 1 order by 1`,
  );
}

/** A membership covering `asOf`, for a households row (the household existed and had someone then). */
function memberOn(asOf: string) {
  return sql`m.district_code = households.district_code and m.household_id = households.id
    and m.valid_from <= ${asOf}::date and (m.valid_to is null or m.valid_to > ${asOf}::date)`;
}

/** Households with a member on `asOf`, by street or by committee. */
export async function householdsByArea(
  db: Db,
  scope: DataScope,
  asOf: string,
  level: AreaLevel,
): Promise<{ area: string; n: number }[]> {
  const area = level === 'street' ? sql`households.street_code` : sql`households.committee_code`;
  return selectRows(
    db,
    sql`select ${area} as area, count(*)::int as n
        from households
        where ${householdScopeWhere(scope)} and exists (select 1 from household_members m where ${memberOn(asOf)})
        group by 1 order by 1`,
  );
}

/**
 * Households of the scope by their number of members on `asOf` (6 = six or more): the breakdown a
 * committee reads (people living alone, large families), one aggregate over the memberships.
 */
export async function householdSizes(
  db: Db,
  scope: DataScope,
  asOf: string,
): Promise<{ size: number; n: number }[]> {
  return selectRows(
    db,
    sql`select least(sized.members, 6)::int as size, count(*)::int as n
        from (
          select count(*) as members
          from households join household_members m on ${memberOn(asOf)}
          where ${householdScopeWhere(scope)}
          group by households.district_code, households.id
        ) sized
        group by 1 order by 1`,
  );
}
