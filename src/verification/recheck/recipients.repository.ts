import { sql } from 'drizzle-orm';
import type { Db } from '../../db/store.ts';
import { selectRows } from '../../db/sql.ts';

/**
 * 在保对象: who the periodic re-verification of a program asks about. Until the one-application issue brings
 * entitlements, a recipient household of a program is one holding a *standing* authorisation for it (signed
 * at application, "for as long as the benefit lasts", not ended) — this file is the one place to switch to
 * entitlements later. Every statement is set-based over a page of households, district first.
 */

const uuids = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

/** A text[] or uuid[] as either driver returns it (an array, or PostgreSQL's '{a,b}'). */
export function pgArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',');
}

/** The standing-authorisation condition of a recipient on `day` (signed by then, not ended by then). */
const standingOn = (day: string) =>
  sql`a.standing and a.signed_on <= ${day}::date and (a.ended_on is null or a.ended_on > ${day}::date)`;

export interface RecipientRow {
  householdId: string;
  householdNo: string;
  committeeCode: string;
}

/** The next page of recipient households after `after` (household id order: the job's cursor). */
export async function recipientPage(
  db: Db,
  districtCode: string,
  program: string,
  day: string,
  after: string | null,
  limit: number,
): Promise<RecipientRow[]> {
  return selectRows<RecipientRow>(
    db,
    sql`select h.id::text as "householdId", h.household_no as "householdNo", h.committee_code as "committeeCode"
        from households h
        where h.district_code = ${districtCode}
          ${after === null ? sql`` : sql`and h.id > ${after}::uuid`}
          and exists (select 1 from verification_authorisations a
            where a.district_code = h.district_code and a.household_id = h.id and a.purpose = ${program}
              and ${standingOn(day)})
        order by h.id
        limit ${limit}`,
  );
}

/** How many households are recipients on `day` (the job's total). */
export async function recipientCount(
  db: Db,
  districtCode: string,
  program: string,
  day: string,
): Promise<number> {
  const [row] = await selectRows<{ n: number }>(
    db,
    sql`select count(distinct a.household_id)::int as n from verification_authorisations a
        where a.district_code = ${districtCode} and a.purpose = ${program} and ${standingOn(day)}`,
  );
  return row?.n ?? 0;
}

export interface RecipientMember {
  personId: string;
  name: string;
  birthDate: string;
}

/** The members of these households on `day` (membership valid that day, alive), by household. */
export async function recipientMembers(
  db: Db,
  districtCode: string,
  householdIds: readonly string[],
  day: string,
): Promise<Map<string, RecipientMember[]>> {
  const out = new Map<string, RecipientMember[]>();
  if (householdIds.length === 0) return out;
  const rows = await selectRows<RecipientMember & { householdId: string }>(
    db,
    sql`select m.household_id::text as "householdId", p.id::text as "personId", p.name,
          p.birth_date::text as "birthDate"
        from household_members m
        join persons p on p.district_code = m.district_code and p.id = m.person_id
        where m.district_code = ${districtCode} and m.household_id = any(${uuids(householdIds)})
          and m.valid_from <= ${day}::date and (m.valid_to is null or m.valid_to > ${day}::date)
          and (p.death_date is null or p.death_date > ${day}::date)
        order by m.household_id, m.seq, p.id`,
  );
  for (const { householdId, ...member } of rows) {
    const list = out.get(householdId);
    if (list) list.push(member);
    else out.set(householdId, [member]);
  }
  return out;
}

export interface RecipientAuthorisation {
  id: string;
  purpose: string;
  personIds: string[];
  signedOn: string;
  validUntil: string | null;
  endedOn: string | null;
}

/** Every authorisation of `program` these households hold (standing or dated, ended ones too). */
export async function recipientAuthorisations(
  db: Db,
  districtCode: string,
  householdIds: readonly string[],
  program: string,
): Promise<Map<string, RecipientAuthorisation[]>> {
  const out = new Map<string, RecipientAuthorisation[]>();
  if (householdIds.length === 0) return out;
  const rows = await selectRows<
    Omit<RecipientAuthorisation, 'personIds'> & { householdId: string; personIds: string[] | string }
  >(
    db,
    sql`select a.household_id::text as "householdId", a.id::text as id, a.purpose,
          a.person_ids::text[] as "personIds", a.signed_on::text as "signedOn",
          a.valid_until::text as "validUntil", a.ended_on::text as "endedOn"
        from verification_authorisations a
        where a.district_code = ${districtCode} and a.household_id = any(${uuids(householdIds)})
          and a.purpose = ${program}
        order by a.household_id, a.signed_on desc, a.id`,
  );
  for (const { householdId, personIds, ...a } of rows) {
    const row = { ...a, personIds: pgArray(personIds) };
    const list = out.get(householdId);
    if (list) list.push(row);
    else out.set(householdId, [row]);
  }
  return out;
}
