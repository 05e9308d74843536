import { sql } from 'drizzle-orm';
import { defineRule, membersInMonth, programName, runLines, tail4 } from './rule.ts';

/**
 * 重复发放: the same 身份证号 is paid twice for one program and period in the month — as the beneficiary
 * of two lines, or a member of two households paid a household program — in this run or in another run of
 * the month not cancelled, of this or another district (registry persons are per district: the ID number
 * joins them). Beneficiaries: the line's person (person programs) or the household's members during the
 * month (household programs). One finding per person, program and period; the description shows the ID
 * number's last four characters only.
 */
export const duplicateId = defineRule({
  code: 'duplicate_id',
  severity: 'blocking',
  name: '重复发放',
  description: '同一身份证号在同一月份、同一项目被重复发放',
  select: (check) => sql`
    with mine as materialized (
      select l.line_no, l.program, l.period, l.payable_id, l.household_id, p.id as person_id, p.id_number, p.name
      from payroll_lines l
      join persons p on p.district_code = l.district_code and p.id = l.person_id
      where ${runLines(check, 'l')} and l.kind <> 'offset'
      union all
      select l.line_no, l.program, l.period, l.payable_id, l.household_id, p.id, p.id_number, p.name
      from payroll_lines l
      join household_members m on m.district_code = l.district_code and m.household_id = l.household_id
        and ${membersInMonth(check, 'm')}
      join persons p on p.district_code = m.district_code and p.id = m.person_id
      where ${runLines(check, 'l')} and l.kind <> 'offset' and l.person_id is null
    ), month_runs as materialized (
      select r.district_code, r.id from payroll_runs r where r.month = ${check.month} and r.state <> 'cancelled'
    ), paid as materialized (
      select o.district_code as o_district, o.run_id as o_run, o.line_no as o_line, o.program, o.period, p.id_number
      from month_runs r
      join payroll_lines o on o.district_code = r.district_code and o.run_id = r.id
      join persons p on p.district_code = o.district_code and p.id = o.person_id
      where o.person_id is not null and o.state <> 'excluded' and o.kind <> 'offset'
      union all
      select o.district_code, o.run_id, o.line_no, o.program, o.period, p.id_number
      from month_runs r
      join payroll_lines o on o.district_code = r.district_code and o.run_id = r.id
      join household_members m on m.district_code = o.district_code and m.household_id = o.household_id
        and ${membersInMonth(check, 'm')}
      join persons p on p.district_code = m.district_code and p.id = m.person_id
      where o.person_id is null and o.state <> 'excluded' and o.kind <> 'offset'
    ), twice as materialized (
      select id_number, program, period from paid group by id_number, program, period having count(*) > 1
    ), other_lines as (
      select mi.*, pd.o_district, pd.o_run, pd.o_line
      from mine mi
      join twice t on t.id_number = mi.id_number and t.program = mi.program and t.period = mi.period
      join paid pd on pd.id_number = t.id_number and pd.program = t.program and pd.period = t.period
    )
    select 'person' as subject_kind,
      (${check.month}::text || '|' || d.person_id::text || '|' || d.program || '|' || d.period) as subject_key,
      d.line_no, d.payable_id, d.person_id, d.household_id, null::uuid as case_id,
      format('%s（身份证号尾号 %s）%s %s 期重复发放：本批次第 %s 行，另见%s', d.name, ${tail4(sql`d.id_number`)},
        ${programName(sql`d.program`)}, d.period, d.line_no,
        case when d.o_district = ${check.districtCode} and d.o_run = ${check.runId}::uuid
          then format('本批次第 %s 行', d.o_line)
          else format('%s %s 月发放批次第 %s 行', coalesce(dv.name, d.o_district), ${check.month}::text, d.o_line) end)
        as description
    from other_lines d
    left join divisions dv on dv.code = d.o_district
    where not (d.o_district = ${check.districtCode} and d.o_run = ${check.runId}::uuid and d.o_line = d.line_no)`,
});
