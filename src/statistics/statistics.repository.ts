import { sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import { selectRows } from '../db/sql.ts';
import type { Db } from '../db/store.ts';

/**
 * 统计报表的集合查询 (docs/statistics.md). Only aggregates leave the database: one statement per table,
 * grouped by month, program and area, whatever the size of the district. The payroll and entitlement tables
 * are read here with raw SQL and never written: a report is a read model over them, kept in one place
 * rather than spread as "totals" functions through the modules it reads.
 */

/** The length of the area code a table breaks down by: district (6), street (9) or committee (12). */
export type AreaLength = 6 | 9 | 12;

/** Runs whose lines count: approved by the district and later (not computing, not awaiting checks). */
export const COUNTED_RUN_STATES = ['approved', 'exported', 'closed'] as const;
/** Lines that count as paid: confirmed by the bank, or in the bank file of an approved run. */
export const COUNTED_LINE_STATES = ['paid', 'pending', 'released'] as const;

/**
 * The part of a district a scope sees, on a table aliased `alias` with district_code and committee_code. A
 * district is its key alone: an expression on the committee would only mislead the planner's estimate
 * (0.5 % of the rows, for all of them) into sorting where it should hash.
 */
export function areaScope(scope: DataScope, alias: string): SQL {
  if (scope.kind === 'all') return sql`true`;
  const t = sql.raw(alias);
  const district = sql`${t}.district_code = ${scope.code.slice(0, 6)}`;
  if (scope.code.length === 6) return district;
  return sql`${district} and left(${t}.committee_code, ${scope.code.length}) = ${scope.code}`;
}

/**
 * Grouping keys compared byte by byte: program codes, division codes and months are ASCII, where the
 * database's collation orders them the same, only slower (a third of a sort of the district's lines).
 */
export const C = sql.raw('collate "C"');

/**
 * A report's statement in a transaction of its own with room to sort in memory: a district's month of lines
 * or entitlements (a quarter of a million rows, 30 MB to sort) spills to disk at the default 4 MB and takes
 * twice as long. No JIT: compiling the expressions costs more than it saves at this size.
 */
export async function reportRows<T>(db: Db, query: SQL): Promise<T[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '64MB'`);
    await tx.execute(sql`set local jit = off`);
    return selectRows<T>(tx, query);
  });
}

export function list(values: readonly string[]): SQL {
  return sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
}

/**
 * Persons of a household in a month: its members whose membership overlaps the month, each once — the
 * members the engine reads for the month (policy-input.repository.ts). `month` is an SQL text 'YYYY-MM'.
 */
export function membersInMonth(district: SQL, household: SQL, month: SQL): SQL {
  return sql`(select count(distinct m.person_id)::int from household_members m
    where m.district_code = ${district} and m.household_id = ${household}
      and m.valid_from < (to_date(${month}, 'YYYY-MM') + interval '1 month')::date
      and (m.valid_to is null or m.valid_to > to_date(${month}, 'YYYY-MM')))`;
}

/** 发放统计: one row per month, program and area. Amounts in fen; `lines` counts payments, offsets included. */
export interface PaidRow {
  month: string;
  program: string;
  area: string;
  /** 户次: distinct households that received a payment (an offset alone is no payment). */
  households: number;
  /** 人次: the beneficiary of a person program; a household program's members in the month. */
  persons: number;
  lines: number;
  amountFen: number;
  arrearsFen: number;
  carriedFen: number;
  offsetFen: number;
  /** Of the amount, what is still in the bank's hands (pending, released): not yet confirmed. */
  unconfirmedFen: number;
}

/**
 * The counted payroll lines of the months' runs in the scope, by month, program and area (`areaLength`
 * characters of the household's committee code as the line carries it). A household is first summed over
 * its lines of the program and month — a regular payment and an arrears line are one 户次, a person with two
 * lines one 人次 — then counted; a household program's persons are its members in the month, once.
 */
export async function paidFigures(
  db: Db,
  scope: DataScope,
  months: readonly string[],
  areaLength: AreaLength,
): Promise<PaidRow[]> {
  if (months.length === 0) return [];
  const rows = await reportRows<Record<string, string | number>>(
    db,
    sql`with households as (
        select r.month ${C} as month, l.district_code, l.program ${C} as program,
          left(l.committee_code, ${areaLength}) ${C} as area, l.household_id,
          bool_or(l.kind <> 'offset') as received,
          count(distinct l.person_id) filter (where l.kind <> 'offset') as people,
          bool_or(l.kind <> 'offset' and l.person_id is null) as whole,
          count(*) as lines, sum(l.amount_fen) as amount,
          coalesce(sum(l.amount_fen) filter (where l.kind = 'arrears'), 0) as arrears,
          coalesce(sum(l.amount_fen) filter (where l.kind = 'carried'), 0) as carried,
          coalesce(sum(l.amount_fen) filter (where l.kind = 'offset'), 0) as offsets,
          coalesce(sum(l.amount_fen) filter (where l.state <> 'paid'), 0) as unconfirmed
        from payroll_runs r
        join payroll_lines l on l.district_code = r.district_code and l.run_id = r.id
        where ${scope.kind === 'all' ? sql`true` : sql`r.district_code = ${scope.code.slice(0, 6)}`}
          and r.month in (${list(months)}) and r.state in (${list(COUNTED_RUN_STATES)})
          and l.payable_kind = 'entitlement' and l.state in (${list(COUNTED_LINE_STATES)})
          and ${areaScope(scope, 'l')}
        -- The household first: the sort's abbreviated keys then tell rows apart (every month and program
        -- code is alike in its first bytes), half the sort of the same groups in the other order.
        group by 5, 1, 2, 3, 4
      )
      select month, program, area, count(*) filter (where received)::int as households,
        sum(people + case when whole
          then coalesce(${membersInMonth(sql`h.district_code`, sql`h.household_id`, sql`h.month`)}, 0)
          else 0 end)::int as persons,
        sum(lines)::int as lines, sum(amount)::bigint as amount, sum(arrears)::bigint as arrears,
        sum(carried)::bigint as carried, sum(offsets)::bigint as offsets, sum(unconfirmed)::bigint as unconfirmed
      from households h
      group by 1, 2, 3
      order by 1, 2, 3`,
  );
  return rows.map((r) => ({
    month: String(r.month),
    program: String(r.program),
    area: String(r.area),
    households: Number(r.households),
    persons: Number(r.persons),
    lines: Number(r.lines),
    amountFen: Number(r.amount),
    arrearsFen: Number(r.arrears),
    carriedFen: Number(r.carried),
    offsetFen: Number(r.offsets),
    unconfirmedFen: Number(r.unconfirmed),
  }));
}

/** 在册待遇: one row per program and area. */
export interface EntitledRow {
  program: string;
  area: string;
  households: number;
  persons: number;
  /** Entitlements (a household's or a person's). */
  entitlements: number;
  /** The month's amount of each: the monthly amount (a quarterly one's too), a one-off's amount. */
  amountFen: number;
}

/**
 * Entitlements in force in `month` in the scope: their months cover it (a one-off only in its month), and
 * they are not suspended now (a suspension keeps no months, so the current state is all there is to read).
 */
export async function entitledFigures(
  db: Db,
  scope: DataScope,
  month: string,
  areaLength: AreaLength,
): Promise<EntitledRow[]> {
  const rows = await reportRows<Record<string, string | number>>(
    db,
    sql`with e as (
        select e.district_code, e.program ${C} as program, left(e.committee_code, ${areaLength}) ${C} as area,
          e.household_id, e.person_id, e.amount_fen
        from entitlements e
        where ${areaScope(scope, 'e')} and e.state <> 'suspended'
          and e.from_month ${C} <= ${month} and (e.to_month is null or e.to_month ${C} >= ${month})
          and (e.schedule <> 'once' or e.from_month = ${month})
      ), households as (
        select district_code, program, area, household_id, count(*) filter (where person_id is not null) as people,
          bool_or(person_id is null) as whole, count(*) as entitlements, sum(amount_fen) as amount
        from e group by 4, 1, 2, 3
      )
      select program, area, count(*)::int as households,
        sum(people + case when whole
          then coalesce(${membersInMonth(sql`h.district_code`, sql`h.household_id`, sql`${month}::text`)}, 0)
          else 0 end)::int as persons,
        sum(entitlements)::int as entitlements, sum(amount)::bigint as amount
      from households h
      group by program, area
      order by program, area`,
  );
  return rows.map((r) => ({
    program: String(r.program),
    area: String(r.area),
    households: Number(r.households),
    persons: Number(r.persons),
    entitlements: Number(r.entitlements),
    amountFen: Number(r.amount),
  }));
}

/** The runs of the months in the scope's districts (not cancelled), for the notes of a table. */
export interface RunStateRow {
  districtCode: string;
  month: string;
  state: string;
}

export async function runStates(db: Db, scope: DataScope, months: readonly string[]): Promise<RunStateRow[]> {
  if (months.length === 0) return [];
  const rows = await selectRows<{ district_code: string; month: string; state: string }>(
    db,
    sql`select district_code, month, state from payroll_runs
      where ${scope.kind === 'all' ? sql`true` : sql`district_code = ${scope.code.slice(0, 6)}`}
        and month in (${list(months)}) and state <> 'cancelled'
      order by month, district_code`,
  );
  return rows.map((r) => ({ districtCode: r.district_code, month: r.month, state: r.state }));
}
