import { sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db, Store } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { householdFiguresSql, personFiguresSql, type SubjectFilter } from './facts/facts.repository.ts';

/**
 * SQL of the engine input in bulk: one statement gives, for the households of a district (or a range of
 * them), one row per household with its figures resolved from facts for the month and its members (the
 * memberships overlapping the month, with each person's figures) packed into one text field. The caller
 * (policy-input.service.ts) unpacks it and applies the membership rule; the facts rules are those of
 * facts.resolver.ts, in SQL (facts.repository.ts).
 *
 * One row per household, not per member: a driver converts every field of every row, and a packed text of
 * numbers and codes costs a fraction of twenty typed fields per member.
 */

/** Packed members: fields split by '|', members by ';', categories by ','. No field can hold these. */
export const FIELD_SEPARATOR = '|';
export const MEMBER_SEPARATOR = ';';

export interface PolicyInputRow {
  household_id: string;
  monetary_assets_fen: number | string | null;
  vehicles: number | null;
  homes: number | null;
  floor_area_below_average: boolean | null;
  medical_expense_fen: number | string | null;
  education_expense_fen: number | string | null;
  /**
   * person id | birth | death | valid_from | valid_to | seq | hukou province (2 digits) | wage | pension |
   * other income | disability category | grade | employed | serious illness | has supporter | categories.
   */
  members: string;
}

/** A household's division test on households `h` (see household.repository.ts inDivision). */
function householdScope(scope: DataScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  const code = scope.code;
  const parts = [sql`h.district_code = ${code.slice(0, 6)}`];
  if (code.length >= 9) parts.push(sql`h.street_code = ${code.slice(0, 9)}`);
  if (code.length >= 12) parts.push(sql`h.committee_code = ${code.slice(0, 12)}`);
  return sql.join(parts, sql` and `);
}

export interface PolicyInputQuery {
  districtCode: string;
  scope: DataScope;
  /** The first and last day of the month. */
  first: string;
  last: string;
  /** Only households with first ≤ id ≤ last (a keyset batch); the whole district when absent. */
  range?: { from: string; to: string } | undefined;
}

/**
 * The statement. Without a range it reads the district in one pass (hash joins over the scans: the server
 * cursor of streamPolicyInputRows); with a range, the households of one batch by key. Persons' facts are
 * read for the members found (a semi-join) unless the whole district is asked, when every person's facts
 * are read in one scan instead.
 */
export function policyInputSql(q: PolicyInputQuery): SQL {
  const { districtCode: d, first, last } = q;
  const wholeDistrict = q.range === undefined && (q.scope.kind === 'all' || q.scope.code.length === 6);
  const householdRange = q.range
    ? sql`and h.id between ${q.range.from}::uuid and ${q.range.to}::uuid`
    : sql``;
  const memberRange = q.range
    ? sql`and m.household_id between ${q.range.from}::uuid and ${q.range.to}::uuid`
    : sql``;
  const personFilter: SubjectFilter = wholeDistrict
    ? { all: true }
    : { sql: sql`select mm.person_id from mm` };
  const householdFilter: SubjectFilter = q.range
    ? { from: q.range.from, to: q.range.to }
    : wholeDistrict
      ? { all: true }
      : { sql: sql`select hh.id from hh` };
  return sql`
    with hh as materialized (
      select h.id from households h
      where h.district_code = ${d} ${householdRange} and ${householdScope(q.scope)}
    ), mm as materialized (
      select m.household_id, m.person_id, m.valid_from, m.valid_to, m.seq
      from household_members m
      join hh on hh.id = m.household_id
      where m.district_code = ${d} ${memberRange}
        and m.valid_from <= ${last}::date and (m.valid_to is null or m.valid_to > ${first}::date)
    ), pf as (${personFiguresSql(d, personFilter, first)}),
    hf as (${householdFiguresSql(d, householdFilter, first)}),
    members as (
      select mm.household_id,
        string_agg(concat_ws('|', mm.person_id, p.birth_date, coalesce(p.death_date::text, ''), mm.valid_from,
          coalesce(mm.valid_to::text, ''), mm.seq, left(p.hukou_division_code, 2),
          coalesce(pf.wage_fen, 0), coalesce(pf.pension_fen, 0), coalesce(pf.other_income_fen, 0),
          coalesce(pf.disability_category::text, ''), coalesce(pf.disability_grade::text, ''),
          coalesce(pf.employed, false)::int, coalesce(pf.serious_illness, false)::int,
          coalesce(pf.has_supporter, true)::int, coalesce(array_to_string(pf.categories, ','), '')), ';'
          order by mm.seq, mm.person_id) as members
      from mm
      join persons p on p.district_code = ${d} and p.id = mm.person_id
      left join pf on pf.subject_id = mm.person_id
      group by mm.household_id
    )
    select members.household_id, hf.monetary_assets_fen, hf.vehicles, hf.homes, hf.floor_area_below_average,
      hf.medical_expense_fen, hf.education_expense_fen, members.members
    from members
    left join hf on hf.subject_id = members.household_id
    order by members.household_id`;
}

/** One batch of households by key: rows in household id order. */
export async function policyInputRows(db: Db, q: PolicyInputQuery): Promise<PolicyInputRow[]> {
  return selectRows<PolicyInputRow>(db, policyInputSql(q));
}

/** The next `limit` household ids of the scope in one district after `after` (keyset). */
export async function householdIdPage(
  db: Db,
  districtCode: string,
  scope: DataScope,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`select h.id from households h
        where h.district_code = ${districtCode} and ${householdScope(scope)}
          ${after ? sql`and h.id > ${after}::uuid` : sql``}
        order by h.id limit ${limit}`,
  );
  return rows.map((r) => r.id);
}

/**
 * The districts a scope reads: its own, or every district that has households (a skip scan of the primary
 * key: one index probe per district, whatever the number of households).
 */
export async function scopeDistricts(db: Db, scope: DataScope): Promise<string[]> {
  if (scope.kind === 'division') return [scope.code.slice(0, 6)];
  const rows = await selectRows<{ code: string }>(
    db,
    sql`with recursive d(code) as (
          select min(district_code) from households
          union all
          select (select min(h.district_code) from households h where h.district_code > d.code)
          from d where d.code is not null)
        select code from d where code is not null`,
  );
  return rows.map((r) => r.code);
}

/**
 * The whole statement through a server-side cursor, `fetchSize` rows at a time, in a read-only transaction
 * of its own (PostgreSQL: one pass over the district's tables instead of a key look-up per row; the
 * transaction holds one pooled connection while the caller consumes). Stopping early closes it.
 */
export async function* cursorRows<T>(store: Store, query: SQL, fetchSize: number): AsyncGenerator<T[]> {
  let wanted: (() => void) | undefined;
  let delivered: ((rows: T[] | undefined) => void) | undefined;
  let stop = false;
  const next = () =>
    new Promise<T[] | undefined>((resolve) => {
      delivered = resolve;
      wanted?.();
      wanted = undefined;
    });
  const state: { failure?: Error } = {};
  const work = store
    .transaction(async (tx) => {
      await tx.db.execute(sql`set transaction read only`);
      // One hash of the district's persons and their figures: a few hundred MB on a million households.
      await tx.db.execute(sql`set local work_mem = '192MB'`);
      await tx.db.execute(sql`set local jit = off`);
      await tx.db.execute(sql`declare policy_input no scroll cursor for ${query}`);
      for (;;) {
        if (!delivered) await new Promise<void>((resolve) => (wanted = resolve));
        if (stop) break;
        const rows = await selectRows<T>(tx.db, sql.raw(`fetch ${fetchSize} from policy_input`));
        const give = delivered!;
        delivered = undefined;
        give(rows.length > 0 ? rows : undefined);
        if (rows.length < fetchSize) break;
      }
    })
    .catch((error: unknown) => {
      state.failure = error instanceof Error ? error : new Error(String(error));
    })
    .finally(() => {
      const give = delivered;
      delivered = undefined;
      give?.(undefined);
    });
  try {
    for (;;) {
      const rows = await next();
      rethrow(state);
      if (rows === undefined) break;
      yield rows;
    }
  } finally {
    stop = true;
    wanted?.();
    await work;
  }
  rethrow(state);
}

function rethrow(state: { failure?: Error }): void {
  if (state.failure) throw state.failure;
}
