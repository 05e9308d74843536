import { sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { personScopeWhere } from '../registry/person.repository.ts';

/**
 * The two set-based reads of a conflict check. They join the registry's `persons` and `household_members`
 * by name: the question (which of these applicants is close to which staff member, in the register's
 * history) is one join across both modules, and one statement answers it for any number of applicants,
 * where the registry's per-household reads would take one statement per household. Both statements pin
 * the case's district (and read the city's staff links beside its own).
 */

const uuids = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

/** The applicants in the scope, as a CTE named `m` (id, id_number, name). */
function applicants(scope: DataScope, districtCode: string, personIds: readonly string[]): SQL {
  return sql`m as (
    select persons.id, persons.id_number, persons.name
    from persons
    where persons.district_code = ${districtCode} and persons.id = any(${uuids(personIds)})
      and ${personScopeWhere(scope)}
  )`;
}

/** Staff links that may act in the district: its own and the city's, current, optionally one user's. */
function staffFilter(alias: string, districtCode: string, userId: string | undefined): SQL {
  const user = userId === undefined ? sql`` : sql` and ${sql.raw(alias)}.user_id = ${userId}::uuid`;
  return sql`${sql.raw(alias)}.district_code in (${districtCode}, '310000') and ${sql.raw(alias)}.ended_on is null${user}`;
}

export interface StaffSide {
  staffId: string;
  staffDistrict: string;
  kind: 'user' | 'committee';
  userId: string | null;
  staffName: string;
  divisionCode: string;
  committeeRole: string | null;
}

export interface MemberSide {
  personId: string;
  memberName: string;
  memberIdNumber: string;
}

export interface DeclaredRow extends StaffSide, MemberSide {
  declarationId: string;
  relationCode: string;
  declaredOn: string;
}

/** Declarations in force today naming an applicant, by the person matched or by the ID number declared. */
export async function declaredConflictRows(
  db: Db,
  scope: DataScope,
  input: { districtCode: string; personIds: readonly string[]; today: string; userId?: string },
): Promise<DeclaredRow[]> {
  return selectRows<DeclaredRow>(
    db,
    sql`with ${applicants(scope, input.districtCode, input.personIds)}
      select d.id as "declarationId", d.relation_code as "relationCode", d.declared_on::text as "declaredOn",
        s.id as "staffId", s.district_code as "staffDistrict", s.kind, s.user_id as "userId",
        s.name as "staffName", s.division_code as "divisionCode", s.committee_role as "committeeRole",
        m.id as "personId", m.name as "memberName", m.id_number as "memberIdNumber"
      from m
      join relative_declarations d
        on d.district_code in (${input.districtCode}, '310000')
        and (d.relative_person_id = m.id or d.relative_id_number = m.id_number)
        and d.declared_on <= ${input.today}::date
        and (d.ended_on is null or d.ended_on > ${input.today}::date)
      join staff_links s on s.district_code = d.district_code and s.id = d.staff_id
        and ${staffFilter('s', input.districtCode, input.userId)}
      order by s.name, m.name`,
  );
}

export interface RegistryRow extends StaffSide, MemberSide {
  /** Null for the staff member's own record among the applicants. */
  householdId: string | null;
  staffRelation: string | null;
  memberRelation: string | null;
  current: boolean;
}

/**
 * Pairs of a staff member's own record and an applicant who were members of one household at the same
 * time (memberships end the day before `valid_to`), with each one's relation to the head; and the staff
 * member's own record among the applicants.
 */
export async function registryConflictRows(
  db: Db,
  scope: DataScope,
  input: { districtCode: string; personIds: readonly string[]; userId?: string },
): Promise<RegistryRow[]> {
  const district = input.districtCode;
  return selectRows<RegistryRow>(
    db,
    sql`with ${applicants(scope, district, input.personIds)},
      s as (
        select s.id, s.district_code, s.kind, s.user_id, s.name, s.division_code, s.committee_role, s.person_id
        from staff_links s
        where s.person_id is not null and ${staffFilter('s', district, input.userId)}
      )
      select s.id as "staffId", s.district_code as "staffDistrict", s.kind, s.user_id as "userId",
        s.name as "staffName", s.division_code as "divisionCode", s.committee_role as "committeeRole",
        m.id as "personId", m.name as "memberName", m.id_number as "memberIdNumber",
        mh.household_id as "householdId", sh.relation_code as "staffRelation",
        mh.relation_code as "memberRelation", (mh.valid_to is null and sh.valid_to is null) as current
      from m
      join household_members mh on mh.district_code = ${district} and mh.person_id = m.id
      join household_members sh on sh.district_code = ${district} and sh.household_id = mh.household_id
        and sh.person_id <> m.id
        and sh.valid_from < coalesce(mh.valid_to, 'infinity'::date)
        and mh.valid_from < coalesce(sh.valid_to, 'infinity'::date)
      join s on s.person_id = sh.person_id
      union all
      select s.id, s.district_code, s.kind, s.user_id, s.name, s.division_code, s.committee_role,
        m.id, m.name, m.id_number, null, null, null, true
      from m join s on s.person_id = m.id`,
  );
}

/** The districts whose registry holds memberships of these persons (for a check that names no district). */
export async function districtsOfPersons(db: Db, personIds: readonly string[]): Promise<string[]> {
  const rows = await selectRows<{ district: string }>(
    db,
    sql`select distinct district_code as district from household_members where person_id = any(${uuids(personIds)})`,
  );
  return rows.map((r) => r.district);
}
