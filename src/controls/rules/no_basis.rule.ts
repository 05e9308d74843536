import { sql } from 'drizzle-orm';
import { defineRule, programName, runLines, yuan } from './rule.ts';

/**
 * 无审批依据: a line pays an entitlement that has neither a decided, granted decision line of its case
 * (`case_decisions.decided_at` set) nor an automatic-enrolment rule (`entitlements.rule`, 免申即享 and
 * 先行救助) as its basis — or no entitlement at all. One finding per payable and month.
 */
export const noBasis = defineRule({
  code: 'no_basis',
  severity: 'warning',
  name: '无审批依据',
  description: '待遇既没有已审批的决定，也没有自动纳入规则作为依据',
  select: (check) => sql`
    select 'payable' as subject_kind, (${check.month}::text || '|' || l.payable_id::text) as subject_key,
      l.line_no, l.payable_id, l.person_id, l.household_id, e.case_id,
      case when e.id is null
        then format('%s 发放 %s 元（第 %s 行）找不到对应的待遇记录', ${programName(sql`l.program`)},
          ${yuan(sql`l.amount_fen`)}, l.line_no)
        else format('%s 待遇（%s 元/期）既无已审批的决定明细，也无自动纳入规则，本月仍发放 %s 元（第 %s 行）',
          ${programName(sql`l.program`)}, ${yuan(sql`e.amount_fen`)}, ${yuan(sql`l.amount_fen`)}, l.line_no)
      end as description
    from payroll_lines l
    left join entitlements e on e.district_code = l.district_code and e.id = l.payable_id
    where ${runLines(check, 'l')} and l.payable_kind = 'entitlement' and l.kind <> 'offset'
      and (e.id is null or (e.rule is null and not exists (
        select 1 from case_decisions d
        where d.district_code = e.district_code and d.case_id = e.case_id
          and d.program = coalesce(e.decision_program, e.program)
          and d.outcome = 'granted' and d.decided_at is not null)))`,
});
