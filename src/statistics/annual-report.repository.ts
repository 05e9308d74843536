import { sql } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import {
  C,
  COUNTED_LINE_STATES,
  COUNTED_RUN_STATES,
  areaScope,
  list,
  membersInMonth,
  reportRows,
} from './statistics.repository.ts';

/**
 * 年度统计报告的构成查询 (docs/statistics.md, "年度统计报告"): the persons paid by the 生活救助 programs in the
 * year's months, per program, a household's persons split by whether any member in the month is employed
 * (the 低保 composition: 失业/无业 vs 有就业成员). Counted lines as the annual table counts them (same run and
 * line states); persons as the annual table's 人次 (a household program's members in the month).
 */

export interface CompositionRow {
  program: string;
  /** Some member of the household, in the month, is employed (persons.employed). */
  employed: boolean;
  households: number;
  persons: number;
}

/**
 * Employment is the person's current flag: the registry keeps no history of it, so a year past is read with
 * today's employment (the report says so). A member is looked up in the household's district (a person's
 * managing district is that of the household's committee).
 */
function anyEmployed(month: ReturnType<typeof sql>): ReturnType<typeof sql> {
  return sql`exists (select 1 from household_members m
      join persons p on p.district_code = m.district_code and p.id = m.person_id
      where m.district_code = h.district_code and m.household_id = h.household_id and p.employed
        and m.valid_from < (to_date(${month}, 'YYYY-MM') + interval '1 month')::date
        and (m.valid_to is null or m.valid_to > to_date(${month}, 'YYYY-MM')))`;
}

export async function compositionFigures(
  db: Db,
  scope: DataScope,
  months: readonly string[],
  programs: readonly string[],
): Promise<CompositionRow[]> {
  if (months.length === 0 || programs.length === 0) return [];
  const rows = await reportRows<Record<string, string | number | boolean>>(
    db,
    sql`with households as (
        select r.month ${C} as month, l.district_code, l.program ${C} as program, l.household_id,
          bool_or(l.kind <> 'offset') as received,
          count(distinct l.person_id) filter (where l.kind <> 'offset') as people,
          bool_or(l.kind <> 'offset' and l.person_id is null) as whole
        from payroll_runs r
        join payroll_lines l on l.district_code = r.district_code and l.run_id = r.id
        where ${scope.kind === 'all' ? sql`true` : sql`r.district_code = ${scope.code.slice(0, 6)}`}
          and r.month in (${list(months)}) and r.state in (${list(COUNTED_RUN_STATES)})
          and l.payable_kind = 'entitlement' and l.state in (${list(COUNTED_LINE_STATES)})
          and l.program in (${list(programs)})
          and ${areaScope(scope, 'l')}
        group by 4, 2, 1, 3
      )
      select program, ${anyEmployed(sql`h.month`)} as employed,
        count(*)::int as households,
        sum(people + case when whole
          then coalesce(${membersInMonth(sql`h.district_code`, sql`h.household_id`, sql`h.month`)}, 0)
          else 0 end)::int as persons
      from households h
      where received
      group by 1, 2
      order by 1, 2`,
  );
  return rows.map((r) => ({
    program: String(r.program),
    employed: r.employed === true || r.employed === 't',
    households: Number(r.households),
    persons: Number(r.persons),
  }));
}
