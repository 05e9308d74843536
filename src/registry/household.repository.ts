import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { preparedPerDb } from '../db/prepared.ts';
import type { EndReason } from './codes.ts';
import { likeEscape, personColumns, toPersonRecord } from './person.repository.ts';
import type { HouseholdRecord, HouseholdRef, MembershipRecord, PersonRecord } from './registry.types.ts';
import { householdMembers, households, persons } from './schema.ts';

/**
 * SQL access to `households` and `household_members`. A household lies in a division when its
 * committee lies in it; a division scope also pins `district_code` (the distribution key).
 */

/**
 * A household's division test as equalities on its own code columns (a district, street or committee
 * code is 6, 9 or 12 digits): an index reads the range directly, where a prefix LIKE is only a filter
 * on a database whose collation is not C (the CI server runs C.UTF-8).
 */
function inDivision(
  code: string,
  column: (name: 'district_code' | 'street_code' | 'committee_code') => SQL,
): SQL {
  const parts = [sql`${column('district_code')} = ${code.slice(0, 6)}`];
  if (code.length >= 9) parts.push(sql`${column('street_code')} = ${code.slice(0, 9)}`);
  if (code.length >= 12) parts.push(sql`${column('committee_code')} = ${code.slice(0, 12)}`);
  if (![6, 9, 12].includes(code.length))
    parts.push(sql`${column('committee_code')} like ${`${likeEscape(code)}%`}`);
  return sql`(${sql.join(parts, sql` and `)})`;
}

const HOUSEHOLD_COLUMN = {
  district_code: households.districtCode,
  street_code: households.streetCode,
  committee_code: households.committeeCode,
};

export function householdScopeWhere(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  return inDivision(scope.code, (name) => sql`${HOUSEHOLD_COLUMN[name]}`);
}

const householdColumns = {
  districtCode: households.districtCode,
  id: households.id,
  householdNo: households.householdNo,
  streetCode: households.streetCode,
  committeeCode: households.committeeCode,
  address: households.address,
  monetaryAssetsFen: households.monetaryAssetsFen,
  vehicles: households.vehicles,
  homes: households.homes,
  perCapitaFloorAreaBelowAverage: households.perCapitaFloorAreaBelowAverage,
  medicalExpenseAnnualFen: households.medicalExpenseAnnualFen,
  educationExpenseAnnualFen: households.educationExpenseAnnualFen,
  version: households.version,
};

const membershipColumns = {
  districtCode: householdMembers.districtCode,
  householdId: householdMembers.householdId,
  personId: householdMembers.personId,
  relationCode: householdMembers.relationCode,
  validFrom: householdMembers.validFrom,
  validTo: householdMembers.validTo,
  endReason: householdMembers.endReason,
  seq: householdMembers.seq,
};

function toMembership(
  row: Omit<MembershipRecord, 'endReason'> & { endReason: string | null },
): MembershipRecord {
  return { ...row, endReason: row.endReason as EndReason | null };
}

/** The scope as nullable parameters of one prepared statement (see inDivision for the same test in SQL). */
function householdScopeParams(scope: DataScope) {
  const code = scope.kind === 'all' ? '' : scope.code;
  return {
    scopeDistrict: code.length >= 6 ? code.slice(0, 6) : null,
    scopeStreet: code.length >= 9 ? code.slice(0, 9) : null,
    scopeCommittee: code.length >= 12 ? code.slice(0, 12) : null,
  };
}

const nullableEq = (column: AnyPgColumn, name: string) =>
  sql`(${sql.placeholder(name)}::text is null or ${column} = ${sql.placeholder(name)})`;

const householdByIdQuery = preparedPerDb((db) =>
  db
    .select(householdColumns)
    .from(households)
    .where(
      and(
        eq(households.districtCode, sql.placeholder('districtCode')),
        eq(households.id, sql.placeholder('id')),
        nullableEq(households.districtCode, 'scopeDistrict'),
        nullableEq(households.streetCode, 'scopeStreet'),
        nullableEq(households.committeeCode, 'scopeCommittee'),
      ),
    )
    .prepare('household_by_id'),
);

/**
 * A household by id or number inside the scope; undefined when absent or outside it. A plain read by id
 * (every detail page) is a prepared query.
 */
export async function findHousehold(
  db: Db,
  scope: DataScope,
  ref: HouseholdRef,
  forUpdate = false,
): Promise<HouseholdRecord | undefined> {
  if ('id' in ref && !forUpdate) {
    const [row] = await householdByIdQuery(db).execute({
      districtCode: ref.districtCode,
      id: ref.id,
      ...householdScopeParams(scope),
    });
    return row;
  }
  const key = 'id' in ref ? eq(households.id, ref.id) : eq(households.householdNo, ref.householdNo);
  const query = db
    .select(householdColumns)
    .from(households)
    .where(and(eq(households.districtCode, ref.districtCode), key, householdScopeWhere(scope)));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

/** 户编号 of several households of one district at once (those inside the scope), by id. */
export async function householdNumbers(
  db: Db,
  scope: DataScope,
  districtCode: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: households.id, householdNo: households.householdNo })
    .from(households)
    .where(
      and(
        eq(households.districtCode, districtCode),
        inArray(households.id, [...ids]),
        householdScopeWhere(scope),
      ),
    );
  return new Map(rows.map((r) => [r.id, r.householdNo]));
}

const currentMembershipQuery = preparedPerDb((db) =>
  db
    .select({
      householdId: householdMembers.householdId,
      householdNo: households.householdNo,
      relationCode: householdMembers.relationCode,
    })
    .from(householdMembers)
    .innerJoin(
      households,
      and(
        eq(households.districtCode, householdMembers.districtCode),
        eq(households.id, householdMembers.householdId),
      ),
    )
    .where(
      and(
        eq(householdMembers.districtCode, sql.placeholder('districtCode')),
        eq(householdMembers.personId, sql.placeholder('personId')),
        isNull(householdMembers.validTo),
      ),
    )
    .prepare('current_membership'),
);

/** The household a person belongs to now (at most one: household_members_current_uq), if any. */
export async function currentMembership(
  db: Db,
  districtCode: string,
  personId: string,
): Promise<{ householdId: string; householdNo: string; relationCode: string } | undefined> {
  const [row] = await currentMembershipQuery(db).execute({ districtCode, personId });
  return row;
}

export async function householdNoTaken(db: Db, districtCode: string, householdNo: string): Promise<boolean> {
  const rows = await db
    .select({ id: households.id })
    .from(households)
    .where(and(eq(households.districtCode, districtCode), eq(households.householdNo, householdNo)));
  return rows.length > 0;
}

export async function insertHousehold(db: Db, record: HouseholdRecord): Promise<void> {
  await db.insert(households).values(record);
}

/**
 * Sets 户主姓名 (head_name, head_initials) of the given households from their current head, or null
 * when a household has none. Every write of memberships calls it for the households it touched.
 */
export async function refreshHouseholdHeads(db: Db, districtCode: string, householdIds: readonly string[]) {
  if (householdIds.length === 0) return;
  await db.execute(sql`
    update households h set head_name = head.name, head_initials = head.name_initials
    from (
      select x.id, p.name, p.name_initials
      from unnest(${`{${householdIds.join(',')}}`}::uuid[]) as x(id)
      left join household_members m on m.district_code = ${districtCode} and m.household_id = x.id
        and m.valid_to is null and m.relation_code = '02'
      left join persons p on p.district_code = m.district_code and p.id = m.person_id
    ) head
    where h.district_code = ${districtCode} and h.id = head.id
      and (h.head_name is distinct from head.name or h.head_initials is distinct from head.name_initials)`);
}

export interface MemberRow {
  membership: MembershipRecord;
  person: PersonRecord;
}

function memberRowsQuery(db: Db, current: boolean) {
  return db
    .select({ m: membershipColumns, p: personColumns })
    .from(householdMembers)
    .innerJoin(
      persons,
      and(eq(persons.districtCode, householdMembers.districtCode), eq(persons.id, householdMembers.personId)),
    )
    .where(
      and(
        eq(householdMembers.districtCode, sql.placeholder('districtCode')),
        eq(householdMembers.householdId, sql.placeholder('householdId')),
        current ? isNull(householdMembers.validTo) : undefined,
      ),
    )
    .orderBy(
      current ? sql`(${householdMembers.relationCode} <> '02')` : asc(householdMembers.validFrom),
      asc(householdMembers.seq),
      asc(householdMembers.validFrom),
      asc(householdMembers.personId),
    )
    .prepare(current ? 'household_current_members' : 'household_member_history');
}

const currentMembersQuery = preparedPerDb((db) => memberRowsQuery(db, true));
const memberHistoryQuery = preparedPerDb((db) => memberRowsQuery(db, false));

/**
 * Membership rows of one household joined with their persons, in one query: `current` only those
 * with valid_to null, else the whole history. Head first, then seq, then start date.
 */
export async function householdMemberRows(
  db: Db,
  districtCode: string,
  householdId: string,
  current: boolean,
): Promise<MemberRow[]> {
  const query = current ? currentMembersQuery(db) : memberHistoryQuery(db);
  const rows = await query.execute({ districtCode, householdId });
  return rows.map((r) => ({ membership: toMembership(r.m), person: toPersonRecord(r.p) }));
}

/** Every membership row of a person, oldest first; `forUpdate` locks them. */
export async function personMemberships(
  db: Db,
  districtCode: string,
  personId: string,
  forUpdate = false,
): Promise<MembershipRecord[]> {
  const query = db
    .select(membershipColumns)
    .from(householdMembers)
    .where(and(eq(householdMembers.districtCode, districtCode), eq(householdMembers.personId, personId)))
    .orderBy(asc(householdMembers.validFrom));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows.map(toMembership);
}

export async function insertMembership(db: Db, record: MembershipRecord): Promise<void> {
  await db.insert(householdMembers).values(record);
}

/** Ends a current membership row; returns the row after the change (undefined if it was not current). */
export async function endMembershipRow(
  db: Db,
  key: { districtCode: string; householdId: string; personId: string },
  validTo: string,
  endReason: EndReason,
): Promise<MembershipRecord | undefined> {
  const rows = await db
    .update(householdMembers)
    .set({ validTo, endReason })
    .where(
      and(
        eq(householdMembers.districtCode, key.districtCode),
        eq(householdMembers.householdId, key.householdId),
        eq(householdMembers.personId, key.personId),
        isNull(householdMembers.validTo),
      ),
    )
    .returning(membershipColumns);
  return rows[0] ? toMembership(rows[0]) : undefined;
}

/**
 * Moves the end of a membership that a death ended (end_reason 'death') from `from` to `to` (a corrected
 * death date); the row after the change, or undefined when it no longer ends so.
 */
export async function moveDeathEnd(
  db: Db,
  row: MembershipRecord,
  from: string,
  to: string,
): Promise<MembershipRecord | undefined> {
  const rows = await db
    .update(householdMembers)
    .set({ validTo: to })
    .where(
      and(
        eq(householdMembers.districtCode, row.districtCode),
        eq(householdMembers.householdId, row.householdId),
        eq(householdMembers.personId, row.personId),
        eq(householdMembers.validFrom, row.validFrom),
        eq(householdMembers.validTo, from),
        eq(householdMembers.endReason, 'death'),
      ),
    )
    .returning(membershipColumns);
  return rows[0] ? toMembership(rows[0]) : undefined;
}

/** The next free seq in a household (members are listed by it). */
export async function nextSeq(db: Db, districtCode: string, householdId: string): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`(coalesce(max(${householdMembers.seq}), 0) + 1)::int` })
    .from(householdMembers)
    .where(
      and(eq(householdMembers.districtCode, districtCode), eq(householdMembers.householdId, householdId)),
    );
  return rows[0]?.n ?? 1;
}

// ---- batch reading for the policy engine ---------------------------------------------------------

/** The next `limit` households in the scope after the keyset position (district_code, id). */
export async function householdPage(
  db: Db,
  scope: DataScope,
  after: { districtCode: string; id: string } | undefined,
  limit: number,
): Promise<HouseholdRecord[]> {
  return db
    .select(householdColumns)
    .from(households)
    .where(
      and(
        householdScopeWhere(scope),
        after
          ? sql`(${households.districtCode}, ${households.id}) > (${after.districtCode}, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(households.districtCode), asc(households.id))
    .limit(limit);
}

/** The columns the engine input needs: a narrow row keeps batch reading cheap. */
export interface PolicyMemberRow {
  membership: Pick<MembershipRecord, 'householdId' | 'validFrom' | 'validTo' | 'seq'>;
  person: Pick<
    PersonRecord,
    | 'id'
    | 'birthDate'
    | 'deathDate'
    | 'hukouDivisionCode'
    | 'wageFen'
    | 'pensionFen'
    | 'otherIncomeFen'
    | 'disabilityCategory'
    | 'disabilityGrade'
    | 'seriousIllness'
    | 'employed'
    | 'hasSupporter'
    | 'categories'
  > &
    // Only a single household's rows carry the name (for the explanation); batch reads leave it out.
    Partial<Pick<PersonRecord, 'name'>>;
}

/** Corrects the relation code of one membership row in place (a same-day change of head). */
export async function updateMembershipRelation(
  db: Db,
  key: { districtCode: string; householdId: string; personId: string; validFrom: string },
  relationCode: string,
): Promise<MembershipRecord | undefined> {
  const rows = await db
    .update(householdMembers)
    .set({ relationCode })
    .where(
      and(
        eq(householdMembers.districtCode, key.districtCode),
        eq(householdMembers.householdId, key.householdId),
        eq(householdMembers.personId, key.personId),
        eq(householdMembers.validFrom, key.validFrom),
      ),
    )
    .returning(membershipColumns);
  return rows[0] ? toMembership(rows[0]) : undefined;
}

/**
 * Increments a household's version (optimistic locking): every write that changes the household or its
 * memberships calls it once, after it has compared the version the client saw (lockHousehold).
 */
export async function bumpHouseholdVersion(
  db: Db,
  key: { districtCode: string; id: string },
): Promise<number | undefined> {
  const rows = await db
    .update(households)
    .set({ version: sql`${households.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(households.districtCode, key.districtCode), eq(households.id, key.id)))
    .returning({ version: households.version });
  return rows[0]?.version;
}

/**
 * Corrects a household's own fields (its address); returns the row after the change. The caller has
 * locked the household and incremented its version (lockHousehold).
 */
export async function updateHouseholdAddress(
  db: Db,
  key: { districtCode: string; id: string },
  address: string,
): Promise<HouseholdRecord | undefined> {
  const rows = await db
    .update(households)
    .set({ address, updatedAt: sql`now()` })
    .where(and(eq(households.districtCode, key.districtCode), eq(households.id, key.id)))
    .returning(householdColumns);
  return rows[0];
}

/**
 * The members of a household on a day: the membership rows valid on `date` (valid_from ≤ date <
 * valid_to), joined with their persons, head first.
 */
export async function householdMembersOn(
  db: Db,
  districtCode: string,
  householdId: string,
  date: string,
): Promise<MemberRow[]> {
  const rows = await db
    .select({ m: membershipColumns, p: personColumns })
    .from(householdMembers)
    .innerJoin(
      persons,
      and(eq(persons.districtCode, householdMembers.districtCode), eq(persons.id, householdMembers.personId)),
    )
    .where(
      and(
        eq(householdMembers.districtCode, districtCode),
        eq(householdMembers.householdId, householdId),
        sql`${householdMembers.validFrom} <= ${date}::date`,
        sql`(${householdMembers.validTo} is null or ${householdMembers.validTo} > ${date}::date)`,
      ),
    )
    .orderBy(
      sql`(${householdMembers.relationCode} <> '02')`,
      asc(householdMembers.seq),
      asc(householdMembers.personId),
    );
  return rows.map((r) => ({ membership: toMembership(r.m), person: toPersonRecord(r.p) }));
}
