import { sql } from 'drizzle-orm';
import { defineRule, membersInMonth, programName, runLines } from './rule.ts';

/**
 * 工作人员近亲属未经两级审批: a recipient of a line — its payee, its beneficiary, or (household programs) a
 * member of the household during the month — is the declared close relative (近亲属备案,
 * `relative_declarations` in force during the month, matched by person or ID number, of a staff link not
 * ended) of a staff member, and the entitlement does not rest on a case approved by two approvers
 * (`cases.second_approver_required` with a first approval by someone other than the final decider).
 * Automatic enrolments (no case) have no second approval either. One finding per payable and relative.
 */
export const staffRelative = defineRule({
  code: 'staff_relative',
  severity: 'blocking',
  name: '近亲属未经两级审批',
  description: '收款人或受益人是工作人员备案的近亲属，其待遇未经两名审批人审批',
  select: (check) => sql`
    with recipients as (
      select l.line_no, l.payable_id, l.program, l.household_id, l.payee_person_id as person_id, '收款人' as role
      from payroll_lines l where ${runLines(check, 'l')}
      union
      select l.line_no, l.payable_id, l.program, l.household_id, l.person_id, '受益人'
      from payroll_lines l where ${runLines(check, 'l')} and l.person_id is not null
      union
      select l.line_no, l.payable_id, l.program, l.household_id, m.person_id, '家庭成员'
      from payroll_lines l
      join household_members m on m.district_code = l.district_code and m.household_id = l.household_id
        and ${membersInMonth(check, 'm')}
      where ${runLines(check, 'l')} and l.person_id is null
    ), related as (
      select r.*, p.name as person_name, s.name as staff_name, s.division_code
      from recipients r
      join persons p on p.district_code = ${check.districtCode} and p.id = r.person_id
      join relative_declarations rd on (rd.relative_id_number = p.id_number or rd.relative_person_id = p.id)
        and rd.declared_on <= ${check.monthEnd}::date
        and (rd.ended_on is null or rd.ended_on >= ${check.monthStart}::date)
      join staff_links s on s.district_code = rd.district_code and s.id = rd.staff_id
        and (s.ended_on is null or s.ended_on >= ${check.monthStart}::date)
    )
    select 'payable' as subject_kind,
      ('rel|' || r.payable_id::text || '|' || r.person_id::text) as subject_key,
      r.line_no, r.payable_id, r.person_id, r.household_id, e.case_id,
      format('%s%s是工作人员%s（%s）备案的近亲属，其%s待遇%s，本月仍列入发放（第 %s 行）', r.role, r.person_name,
        r.staff_name, coalesce(dv.name, r.division_code), ${programName(sql`r.program`)},
        case when c.id is null then '未经申请审批（自动纳入）' else format('（申请编号 %s）未经两名审批人审批', c.case_no) end,
        r.line_no) as description
    from related r
    left join entitlements e on e.district_code = ${check.districtCode} and e.id = r.payable_id
    left join cases c on c.district_code = e.district_code and c.id = e.case_id
    left join divisions dv on dv.code = r.division_code
    where not (c.id is not null and c.second_approver_required and c.first_approved_by is not null
      and c.decided_by is not null and c.decided_by <> c.first_approved_by)`,
});
