import { sql } from 'drizzle-orm';
import { defineRule, lineKey, programName, runLines, yuan } from './rule.ts';

/**
 * 收款人或受益人已死亡: a line pays for a month that begins after the payee's or the beneficiary's death
 * (registry `persons.death_date` before the first day of the line's month). Blocking: money to the dead is
 * 冒领 unless stopped.
 */
export const payeeDead = defineRule({
  code: 'payee_dead',
  severity: 'blocking',
  name: '收款人已死亡',
  description: '收款人或受益人在发放月份之前已死亡，仍列入发放',
  // The district's dead first (a few thousand), then the run's lines joined to them by payee and by
  // beneficiary apart: one join on "payee or beneficiary" is served by no index or hash (167 s over 300,000
  // lines). The payee is named when both died.
  select: (check) => sql`
    with dead as materialized (
      select p.id, p.name, p.death_date from persons p
      where p.district_code = ${check.districtCode} and p.death_date is not null
        and p.death_date < ${check.monthStart}::date
    ), hit as (
      select l.line_no, l.payable_id, l.household_id, l.program, l.amount_fen, l.period, l.kind, d.id, d.name,
        d.death_date, true as payee
      from payroll_lines l join dead d on d.id = l.payee_person_id
      where ${runLines(check, 'l')}
      union all
      select l.line_no, l.payable_id, l.household_id, l.program, l.amount_fen, l.period, l.kind, d.id, d.name,
        d.death_date, false
      from payroll_lines l join dead d on d.id = l.person_id
      where ${runLines(check, 'l')} and l.person_id <> l.payee_person_id
    )
    select distinct on (h.line_no) 'line' as subject_kind, ${lineKey(check, 'h')} as subject_key, h.line_no,
      h.payable_id, h.id as person_id, h.household_id, null::uuid as case_id,
      format('%s%s于%s死亡，%s仍列入%s发放 %s 元（第 %s 行）',
        case when h.payee then '收款人' else '受益人' end, h.name, h.death_date,
        ${check.month}::text, ${programName(sql`h.program`)}, ${yuan(sql`h.amount_fen`)}, h.line_no) as description
    from hit h
    order by h.line_no, h.payee desc`,
});
