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

/** Completed years on `asOf`. */
function ageOn(asOf: string) {
  return sql`date_part('year', age(${asOf}::date, persons.birth_date))::int`;
}

/** Counts by 5-year band (0 = 0–4 … 19 = 95–99, 20 = 100+) and sex. */
export async function countByBandAndSex(
  db: Db,
  scope: DataScope,
  asOf: string,
): Promise<{ band: number; sex: number; n: number }[]> {
  return selectRows(
    db,
    sql`select least(${ageOn(asOf)} / 5, 20) as band, persons.sex as sex, count(*)::int as n
        from persons where ${personScopeWhere(scope)} and ${aliveOn(asOf)}
        group by 1, 2 order by 1, 2`,
  );
}

export async function countByDisability(
  db: Db,
  scope: DataScope,
  asOf: string,
): Promise<{ category: number; grade: number; n: number }[]> {
  return selectRows(
    db,
    sql`select persons.disability_category as category, persons.disability_grade as grade, count(*)::int as n
        from persons
        where ${personScopeWhere(scope)} and ${aliveOn(asOf)} and persons.disability_category is not null
        group by 1, 2 order by 1, 2`,
  );
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

export async function personsByStreet(
  db: Db,
  scope: DataScope,
  asOf: string,
): Promise<{ street: string; n: number }[]> {
  return selectRows(
    db,
    sql`select left(persons.residence_division_code, 9) as street, count(*)::int as n
        from persons where ${personScopeWhere(scope)} and ${aliveOn(asOf)}
        group by 1 order by 1`,
  );
}

export async function householdsByStreet(
  db: Db,
  scope: DataScope,
  asOf: string,
): Promise<{ street: string; n: number }[]> {
  return selectRows(
    db,
    sql`select households.street_code as street, count(*)::int as n
        from households
        where ${householdScopeWhere(scope)} and exists (
          select 1 from household_members m
          where m.district_code = households.district_code and m.household_id = households.id
            and m.valid_from <= ${asOf}::date and (m.valid_to is null or m.valid_to > ${asOf}::date))
        group by 1 order by 1`,
  );
}
