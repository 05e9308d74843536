import { sql, type SQL } from 'drizzle-orm';
import { selectRows } from '../db/sql.ts';
import type { Db } from '../db/store.ts';

/**
 * Set-based reads of persons for the life-events module (src/events): who an event is about, and the registry
 * facts events are derived from (deaths, births, milestone birthdays). The registry does not know the events
 * module; the events module reads persons only through here (design.md, module boundaries). Each person is read
 * from the row of the district that manages them (`left(residence, 6) = district`).
 */

export interface EventSubject {
  districtCode: string;
  personId: string;
  idNumber: string;
  birthDate: string;
  deathDate: string | null;
  hukouDivisionCode: string;
  residenceDivisionCode: string;
  /** The current household, or the last one (a dead person's membership has ended). */
  householdId: string | null;
  committeeCode: string | null;
}

const SUBJECT_COLUMNS = sql`p.district_code as "districtCode", p.id::text as "personId", p.id_number as "idNumber",
  p.birth_date::text as "birthDate", p.death_date::text as "deathDate", p.hukou_division_code as "hukouDivisionCode",
  p.residence_division_code as "residenceDivisionCode", m.household_id::text as "householdId",
  h.committee_code as "committeeCode"`;

const LAST_HOUSEHOLD = sql`left join lateral (
    select hm.household_id from household_members hm
    where hm.district_code = p.district_code and hm.person_id = p.id
    order by (hm.valid_to is null) desc, hm.valid_from desc limit 1) m on true
  left join households h on h.district_code = p.district_code and h.id = m.household_id`;

const NO_HOUSEHOLD = sql`p.district_code as "districtCode", p.id::text as "personId", p.id_number as "idNumber",
  p.birth_date::text as "birthDate", p.death_date::text as "deathDate", p.hukou_division_code as "hukouDivisionCode",
  p.residence_division_code as "residenceDivisionCode", null as "householdId", null as "committeeCode"`;

/**
 * The persons of these ids and ID numbers (any number at once: one statement per kind of key). `household`
 * false leaves out the household and committee (null), for callers that need only the dates: a cheaper read.
 */
export async function eventSubjects(
  db: Db,
  keys: { personIds: readonly string[]; idNumbers: readonly string[] },
  options: { household?: boolean; districtCode?: string } = {},
): Promise<EventSubject[]> {
  const withHousehold = options.household ?? true;
  const columns = withHousehold ? SUBJECT_COLUMNS : NO_HOUSEHOLD;
  const join = withHousehold ? LAST_HOUSEHOLD : sql``;
  const out: EventSubject[] = [];
  if (keys.personIds.length > 0) {
    out.push(
      ...(await selectRows<EventSubject>(
        db,
        options.districtCode
          ? // The district's own rows of these persons (by its primary key), transferred or not.
            sql`select ${columns} from persons p ${join}
              where p.district_code = ${options.districtCode}
                and p.id = any(${`{${keys.personIds.join(',')}}`}::uuid[])`
          : // A person's districts from their memberships (person_id first in its index), then the managing row
            // by primary key: persons has no index that starts with the id.
            sql`select ${columns} from persons p ${join}
              where (p.district_code, p.id) in (select distinct hm.district_code, hm.person_id
                  from household_members hm where hm.person_id = any(${`{${keys.personIds.join(',')}}`}::uuid[]))
                and left(p.residence_division_code, 6) = p.district_code`,
      )),
    );
  }
  if (keys.idNumbers.length > 0) {
    out.push(
      ...(await selectRows<EventSubject>(
        db,
        sql`select ${columns} from persons p ${join}
          where p.id_number = any(${`{${keys.idNumbers.join(',')}}`}::text[])
            and left(p.residence_division_code, 6) = p.district_code`,
      )),
    );
  }
  return out;
}

/**
 * The day a person born on `birth` reaches `age` (SPEC.md: the age in a month is the completed years on its
 * last day; someone born on 29 February reaches a new age on 1 March in a year without one). PostgreSQL's
 * date + interval gives 28 February then, hence the day after when the day of month moved.
 */
function anniversary(birth: SQL, age: SQL): SQL {
  return sql`(case when extract(day from (${birth} + make_interval(years => ${age}))::date) <> extract(day from ${birth})
    then (${birth} + make_interval(years => ${age}))::date + 1 else (${birth} + make_interval(years => ${age}))::date end)`;
}

/**
 * A select of (district_code, person_id, occurred_on, age, division_code, household_id) — the milestone
 * birthdays (`ages`) of the district's living persons that fall in [from, to]: for the events module to insert
 * from, set-based.
 */
export function birthdaysSql(districtCode: string, from: string, to: string, ages: readonly number[]): SQL {
  const agesArray = `{${ages.join(',')}}`;
  return sql`select p.district_code, p.id as person_id, b.occurred_on, a.age, p.residence_division_code as division_code,
      m.household_id
    from unnest(${agesArray}::int[]) a(age)
    join persons p on p.district_code = ${districtCode}
      and p.birth_date between (${from}::date - make_interval(years => a.age))::date - 1
        and (${to}::date - make_interval(years => a.age))::date
      and left(p.residence_division_code, 6) = p.district_code
    cross join lateral (select ${anniversary(sql`p.birth_date`, sql`a.age`)} as occurred_on) b
    ${LAST_HOUSEHOLD}
    where b.occurred_on between ${from}::date and ${to}::date
      and (p.death_date is null or p.death_date >= b.occurred_on)`;
}

/**
 * A select of the district's recorded deaths (same columns as `birthdaysSql`, age null, and `changed_at`: when
 * the person's row last changed, so that a death registered late is found).
 */
export function deathsSql(districtCode: string): SQL {
  return sql`select p.district_code, p.id as person_id, p.death_date as occurred_on, null::int as age,
      p.residence_division_code as division_code, m.household_id, p.updated_at as changed_at
    from persons p ${LAST_HOUSEHOLD}
    where p.district_code = ${districtCode} and p.death_date is not null
      and left(p.residence_division_code, 6) = p.district_code`;
}

/** A select of the district's persons born in [from, to] (same columns as `birthdaysSql`, age 0). */
export function birthsSql(districtCode: string, from: string, to: string): SQL {
  return sql`select p.district_code, p.id as person_id, p.birth_date as occurred_on, 0 as age,
      p.residence_division_code as division_code, m.household_id
    from persons p ${LAST_HOUSEHOLD}
    where p.district_code = ${districtCode} and p.birth_date between ${from}::date and ${to}::date
      and left(p.residence_division_code, 6) = p.district_code`;
}
