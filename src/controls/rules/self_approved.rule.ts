import { sql } from 'drizzle-orm';
import { defineRule, programName, runLines } from './rule.ts';

/**
 * 自审自批: the decision a paid entitlement rests on was decided by the person who prepared it
 * (`case_decisions.prepared_by = decided_by`). One finding per case and program, whatever the month: a
 * dismissal stands, an open finding follows the runs until it is dealt with.
 */
export const selfApproved = defineRule({
  code: 'self_approved',
  severity: 'blocking',
  name: '自审自批',
  description: '待遇所依据的决定由拟定人本人审批',
  select: (check) => sql`
    select 'case' as subject_kind, ('case|' || d.case_id::text || '|' || d.program) as subject_key,
      l.line_no, l.payable_id, l.person_id, l.household_id, d.case_id,
      format('%s 决定（申请编号 %s）由同一人拟定并审批（%s），本月发放 %s 期（第 %s 行）',
        ${programName(sql`d.program`)}, c.case_no, coalesce(u.display_name, d.decided_by), l.period, l.line_no)
        as description
    from payroll_lines l
    join entitlements e on e.district_code = l.district_code and e.id = l.payable_id
    join case_decisions d on d.district_code = e.district_code and d.case_id = e.case_id
      and d.program = coalesce(e.decision_program, e.program)
    join cases c on c.district_code = d.district_code and c.id = d.case_id
    left join users u on u.id::text = d.decided_by
    where ${runLines(check, 'l')} and l.payable_kind = 'entitlement'
      and d.decided_at is not null and d.prepared_by is not null and d.prepared_by = d.decided_by`,
});
