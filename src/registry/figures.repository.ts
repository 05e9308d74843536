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

export interface PersonCounts {
  /** By 5-year band (0 = 0–4 … 19 = 95–99, 20 = 100+), sex and Shanghai 户籍 (true) or not. */
  bands: { band: number; sex: number; hukou: boolean; n: number }[];
  /** Disabled persons by GB/T 26341 category and grade. */
  disability: { category: number; grade: number | null; n: number }[];
  streets: { street: string; n: number }[];
  committees: { committee: string; n: number }[];
}

interface GroupedRow {
  set: number;
  band: number | null;
  sex: number | null;
  hukou: boolean | null;
  category: number | null;
  grade: number | null;
  street: string | null;
  committee: string | null;
  n: number;
}

// grouping(band, sex, hukou, category, grade, street, committee): a bit set for each column a row is
// not grouped by (the first column is the highest bit).
const BY_BAND_SEX_HUKOU = 0b0001111;
const BY_DISABILITY = 0b1110011;
const BY_STREET = 0b1111101;
const BY_COMMITTEE = 0b1111110;

/** The person counts of the dashboard in one scan of the scope (grouping sets). */
export async function personCounts(db: Db, scope: DataScope, asOf: string): Promise<PersonCounts> {
  const rows = await selectRows<GroupedRow>(
    db,
    sql`select grouping(band, sex, hukou, category, grade, street, committee) as set,
          band, sex, hukou, category, grade, street, committee, count(*)::int as n
        from (
          select ${bandOn(asOf)} as band, persons.sex as sex,
            left(persons.hukou_division_code, 2) = '31' as hukou,
            persons.disability_category as category, persons.disability_grade as grade,
            left(persons.residence_division_code, 9) as street,
            persons.residence_division_code as committee
          from persons where ${personScopeWhere(scope)} and ${aliveOn(asOf)}
        ) p
        group by grouping sets ((band, sex, hukou), (category, grade), (street), (committee))`,
  );
  const counts: PersonCounts = { bands: [], disability: [], streets: [], committees: [] };
  for (const r of rows) {
    if (r.set === BY_BAND_SEX_HUKOU)
      counts.bands.push({ band: r.band ?? 0, sex: r.sex ?? 0, hukou: r.hukou === true, n: r.n });
    else if (r.set === BY_DISABILITY && r.category !== null)
      counts.disability.push({ category: r.category, grade: r.grade, n: r.n });
    else if (r.set === BY_STREET && r.street !== null) counts.streets.push({ street: r.street, n: r.n });
    else if (r.set === BY_COMMITTEE && r.committee !== null)
      counts.committees.push({ committee: r.committee, n: r.n });
  }
  return counts;
}

export async function countByCategory(
  db: Db,
  scope: DataScope,
  asOf: string,
): Promise<{ category: string; n: number }[]> {
  return selectRows(
    db,
    sql`select c.category, count(*)::int as n
        from persons cross join lateral unnest(persons.categories) as c(category)
        where ${personScopeWhere(scope)} and ${aliveOn(asOf)}
        group by 1 order by 1`,
  );
}

/** A membership covering `asOf`, for a households row (the household existed and had someone then). */
function memberOn(asOf: string) {
  return sql`m.district_code = households.district_code and m.household_id = households.id
    and m.valid_from <= ${asOf}::date and (m.valid_to is null or m.valid_to > ${asOf}::date)`;
}

/** Households with a member on `asOf`, by street and by committee (grouping sets: one scan). */
export async function householdsByArea(
  db: Db,
  scope: DataScope,
  asOf: string,
): Promise<{ streets: { street: string; n: number }[]; committees: { committee: string; n: number }[] }> {
  const rows = await selectRows<{ street: string | null; committee: string | null; n: number }>(
    db,
    sql`select households.street_code as street, households.committee_code as committee, count(*)::int as n
        from households
        where ${householdScopeWhere(scope)} and exists (select 1 from household_members m where ${memberOn(asOf)})
        group by grouping sets ((households.street_code), (households.committee_code))`,
  );
  const out = {
    streets: [] as { street: string; n: number }[],
    committees: [] as { committee: string; n: number }[],
  };
  for (const r of rows) {
    if (r.street !== null) out.streets.push({ street: r.street, n: r.n });
    else if (r.committee !== null) out.committees.push({ committee: r.committee, n: r.n });
  }
  return out;
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
