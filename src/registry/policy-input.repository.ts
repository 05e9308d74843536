import { StringDecoder } from 'node:string_decoder';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { to as copyTo } from 'pg-copy-streams';
import type { DataScope } from '../auth/scope.ts';
import type { Db, Session, Store } from '../db/store.ts';
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
  /** The household's street or 居委会 code, when the query asked for it (PolicyInputQuery.area). */
  area_code?: string;
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
  /**
   * Only households with from ≤ id ≤ to (a keyset batch), or from ≤ id < before (a part of the district
   * read in parallel with the others); the whole district when absent.
   */
  range?: { from: string; to: string } | undefined;
  /**
   * With a range: only these households of it (a payroll batch reads the households it pays, not every
   * household whose id falls between them).
   */
  ids?: readonly string[] | undefined;
  part?: { from?: string | undefined; before?: string | undefined } | undefined;
  /** Also read each household's street or 居委会 code (area_code, the last column), for totals by area. */
  area?: 'street' | 'committee' | undefined;
}

/**
 * The statement. Without a range it reads the district in one pass (hash joins over scans; streamed with
 * COPY, which lets the server run it in parallel); with a range, the households of one batch by key. The
 * facts of the persons found and of the households are resolved apart (personFiguresSql, householdFiguresSql:
 * each a scan and a sort of its own kinds, cheaper than one sort of all facts grouped into one wide row) and
 * joined to the members and the household; members come in no particular order (the client orders them by seq).
 */
export function policyInputSql(q: PolicyInputQuery): SQL {
  const { districtCode: d, first, last } = q;
  const districtWide = q.scope.kind === 'all' || q.scope.code.length === 6;
  const wholeDistrict = q.range === undefined && q.part === undefined && districtWide;
  // A part of a district (read in parallel with the others) has the whole district's shape, cut by id.
  const partOnly = q.range === undefined && q.part !== undefined && districtWide;
  const cut = (column: string) => {
    const c = sql.raw(column);
    if (q.range) return sql`and ${c} between ${q.range.from}::uuid and ${q.range.to}::uuid`;
    if (!q.part) return sql``;
    return sql`${q.part.from ? sql`and ${c} >= ${q.part.from}::uuid` : sql``} ${q.part.before ? sql`and ${c} < ${q.part.before}::uuid` : sql``}`;
  };
  const householdRange = cut('h.id');
  const memberRange = cut('m.household_id');
  const noHouseholdsTable = wholeDistrict || partOnly;
  const personFilter: SubjectFilter = wholeDistrict
    ? { all: true }
    : { sql: sql`select mm.person_id from mm` };
  const householdFilter: SubjectFilter = wholeDistrict
    ? { all: true }
    : q.range && q.ids
      ? { sql: sql`select hh.id from hh` }
      : q.range
        ? { from: q.range.from, to: q.range.to }
        : partOnly
          ? { part: { lower: q.part?.from, upper: q.part?.before } }
          : { sql: sql`select hh.id from hh` };
  // A list of ids is joined (hashed or probed by key), never filtered with = any(…): that compares each row
  // with the whole list (on the embedded store, three times slower than reading the range).
  const households = noHouseholdsTable
    ? sql``
    : q.range && q.ids
      ? sql`hh as materialized (
        select h.id from unnest(${`{${q.ids.join(',')}}`}::uuid[]) as b(id)
        join households h on h.district_code = ${d} and h.id = b.id
        where ${householdScope(q.scope)}
      ),`
      : sql`hh as materialized (
        select h.id from households h
        where h.district_code = ${d} ${householdRange} and ${householdScope(q.scope)}
      ),`;
  // Joined after the grouping, by the households' key: only a simulation by area pays for it.
  const areaColumn = q.area
    ? sql`, ha.${sql.raw(q.area === 'street' ? 'street_code' : 'committee_code')} as area_code`
    : sql``;
  const areaJoin = q.area
    ? sql`join households ha on ha.district_code = ${d} and ha.id = members.household_id`
    : sql``;
  return sql`
    with ${households} mm as (
      select m.household_id, m.person_id, m.valid_from, m.valid_to, m.seq
      from household_members m
      ${noHouseholdsTable ? sql`` : sql`join hh on hh.id = m.household_id`}
      where m.district_code = ${d} ${memberRange}
        and m.valid_from <= ${last}::date and (m.valid_to is null or m.valid_to > ${first}::date)
    ), pfig as (${personFiguresSql(d, personFilter, first)}),
    hfig as (${householdFiguresSql(d, householdFilter, first)}),
    members as (
      select mm.household_id,
        string_agg(concat_ws('|', mm.person_id, p.birth_date, coalesce(p.death_date::text, ''), mm.valid_from,
          coalesce(mm.valid_to::text, ''), mm.seq, left(p.hukou_division_code, 2),
          coalesce(pf.wage_fen, 0), coalesce(pf.pension_fen, 0), coalesce(pf.other_income_fen, 0),
          coalesce(pf.disability_category::text, ''), coalesce(pf.disability_grade::text, ''),
          coalesce(pf.employed, false)::int, coalesce(pf.serious_illness, false)::int,
          coalesce(pf.has_supporter, true)::int, coalesce(pf.categories, '')), ';') as members
      from mm
      join persons p on p.district_code = ${d} and p.id = mm.person_id
      left join pfig pf on pf.subject_id = mm.person_id
      group by mm.household_id
    )
    select members.household_id, hf.monetary_assets_fen, hf.vehicles, hf.homes, hf.floor_area_below_average,
      hf.medical_expense_fen, hf.education_expense_fen, members.members${areaColumn}
    from members
    left join hfig hf on hf.subject_id = members.household_id
    ${areaJoin}
    order by members.household_id`;
}

/** One batch of households by key: rows in household id order. */
export async function policyInputRows(db: Db, q: PolicyInputQuery): Promise<PolicyInputRow[]> {
  return selectRows<PolicyInputRow>(db, policyInputSql(q));
}

/**
 * Household ids that cut the scope's households of one district into `parts` ranges of about the same size
 * (the first id of each range after the first), read from the primary key; none for a small district.
 */
export async function householdSplits(
  db: Db,
  districtCode: string,
  scope: DataScope,
  parts: number,
  minimum: number,
): Promise<string[]> {
  const [row] = await selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from households h where h.district_code = ${districtCode} and ${householdScope(scope)}`,
  );
  const n = row?.n ?? 0;
  if (parts < 2 || n < minimum) return [];
  const splits: string[] = [];
  for (let i = 1; i < parts; i++) {
    const [cut] = await selectRows<{ id: string }>(
      db,
      sql`select h.id from households h where h.district_code = ${districtCode} and ${householdScope(scope)}
          order by h.id offset ${Math.floor((n * i) / parts)} limit 1`,
    );
    if (cut) splits.push(cut.id);
  }
  return splits;
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

/** A literal for a bound value of our own statements: codes, dates, ids and numbers only. */
function literal(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && /^[0-9A-Za-z{},_-]*$/.test(value)) return `'${value}'`;
  throw new Error(`policy input: a value that cannot be inlined into COPY: ${String(value)}`);
}

/**
 * The statement with its values inlined (COPY takes no bind parameters). Only values our own code built
 * reach here — district codes, ISO dates, uuids — and each is checked to be plain digits, letters and
 * dashes before it is quoted.
 */
export function inlineStatement(query: SQL): string {
  const { sql: text, params } = new PgDialect().sqlToQuery(query);
  return text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
}

/** A row of COPY's text format: fields split by tabs, \N for NULL (our fields hold no tab, newline or backslash). */
function copyLine(line: string): PolicyInputRow {
  const f = line.split('\t');
  return {
    household_id: f[0]!,
    monetary_assets_fen: copyValue(f[1]!),
    vehicles: copyInt(f[2]!),
    homes: copyInt(f[3]!),
    floor_area_below_average: f[4] === '\\N' ? null : f[4] === 't',
    medical_expense_fen: copyValue(f[5]!),
    education_expense_fen: copyValue(f[6]!),
    members: f[7] === '\\N' ? '' : f[7]!,
    ...(f.length > 8 ? { area_code: f[8]! } : {}),
  };
}

const copyValue = (field: string): string | null => (field === '\\N' ? null : field);
const copyInt = (field: string): number | null => (field === '\\N' ? null : Number(field));

interface CopyClient {
  query<T>(stream: T): T;
}

function rawClient(db: Db): CopyClient {
  const client = (db as unknown as { $client?: CopyClient }).$client;
  if (!client || typeof client.query !== 'function') {
    throw new Error('policy input: the PostgreSQL connection of the transaction is not available');
  }
  return client;
}

/**
 * The whole statement on a PostgreSQL server, streamed with `COPY (query) TO STDOUT` in a read-only
 * transaction of its own: unlike a cursor (which PostgreSQL never runs in parallel), COPY runs the query to
 * completion with a parallel plan when one is cheaper, and its text rows cost the client a split, not a
 * typed conversion per field. Rows reach the caller in batches as they arrive; stopping early ends the
 * transaction.
 */
export async function* copyRows(store: Store, query: SQL): AsyncGenerator<PolicyInputRow[]> {
  const text = inlineStatement(query);
  yield* streamInTransaction<PolicyInputRow>(store, async (tx, emit) => {
    await tx.db.execute(sql`set transaction read only`);
    // The sort of the facts and the hashes of persons and figures of half a district of a million
    // households fit in memory with this (a sort that spills costs a third more).
    await tx.db.execute(sql`set local work_mem = '320MB'`);
    await tx.db.execute(sql`set local jit = off`);
    // Grouping the members by sorting, not hashing: a hash of a million households' texts spills to disk.
    await tx.db.execute(sql`set local enable_hashagg = off`);
    const stream = rawClient(tx.db).query(copyTo(`COPY (${text}) TO STDOUT`));
    const decoder = new StringDecoder('utf8');
    let rest = '';
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const lines = (rest + decoder.write(chunk)).split('\n');
        rest = lines.pop() ?? '';
        if (lines.length > 0) await emit(lines.map(copyLine));
      }
      if (rest !== '') await emit([copyLine(rest)]);
    } finally {
      stream.destroy();
    }
  });
}

class Stopped extends Error {}

/**
 * Runs `produce` in a transaction of its own and hands what it emits to the consumer one batch at a time
 * (the producer waits until the consumer asks for the next). A consumer that stops early makes the next
 * emit throw, which ends the transaction.
 */
async function* streamInTransaction<T>(
  store: Store,
  produce: (tx: Session, emit: (batch: T[]) => Promise<void>) => Promise<void>,
): AsyncGenerator<T[]> {
  const state: { failure?: Error; done: boolean; stopped: boolean } = { done: false, stopped: false };
  let handOver: ((batch: T[] | undefined) => void) | undefined;
  let wanted: (() => void) | undefined;
  const request = () =>
    new Promise<T[] | undefined>((resolve) => {
      // The producer may have finished while the consumer was busy (a part read after another).
      if (state.done) return resolve(undefined);
      handOver = resolve;
      wanted?.();
      wanted = undefined;
    });
  const emit = async (batch: T[]) => {
    if (!handOver) await new Promise<void>((resolve) => (wanted = resolve));
    if (state.stopped) throw new Stopped();
    const give = handOver!;
    handOver = undefined;
    give(batch);
  };
  const work = store
    .transaction((tx) => produce(tx, emit))
    .catch((error: unknown) => {
      if (!(error instanceof Stopped))
        state.failure = error instanceof Error ? error : new Error(String(error));
    })
    .finally(() => {
      state.done = true;
      const give = handOver;
      handOver = undefined;
      give?.(undefined);
    });
  try {
    for (;;) {
      const batch = await request();
      rethrow(state);
      if (batch === undefined) break;
      yield batch;
    }
  } finally {
    state.stopped = true;
    wanted?.();
    await work;
  }
  rethrow(state);
}

function rethrow(state: { failure?: Error }): void {
  if (state.failure) throw state.failure;
}
