import { sql } from 'drizzle-orm';
import { FIGURE_KINDS } from '../../verification/report/report.types.ts';
import { caseOf, defineRule, programName, runLines, yuan } from './rule.ts';

const KIND_NAMES = Object.fromEntries(Object.entries(FIGURE_KINDS).map(([k, v]) => [k, v.label]));

/**
 * 应退未退: re-verification (定期复核, `verification_changes`) found, as of a day up to the month's end, a
 * change that makes the household no longer qualify for the line's program (`affects_eligibility`), and the
 * entitlement has not been changed since (no `entitlement_changes` row on or after that day) — yet the run
 * pays it. One finding per payable and month, naming the latest such change.
 */
export const recheckIneligible = defineRule({
  code: 'recheck_ineligible',
  severity: 'warning',
  name: '应退未退',
  description: '定期复核发现家庭已不符合条件，待遇未作调整仍在发放',
  select: (check) => sql`
    select distinct on (l.payable_id) 'payable' as subject_kind,
      (${check.month}::text || '|' || l.payable_id::text) as subject_key, l.line_no, l.payable_id,
      coalesce(v.person_id, l.person_id) as person_id, l.household_id, null::uuid as case_id,
      format('%s 复核（%s）发现%s由 %s 变为 %s，家庭已不符合%s条件，待遇未调整，本月仍发放 %s 元（第 %s 行）',
        coalesce(p.name || ' ', ''), v.as_of, ${caseOf(sql`v.kind`, KIND_NAMES)},
        case when v.kind in ('homes','vehicles','employment') then coalesce(v.old_value::text, '无')
          else coalesce(${yuan(sql`v.old_value`)} || ' 元', '无') end,
        case when v.kind in ('homes','vehicles','employment') then coalesce(v.new_value::text, '无')
          else coalesce(${yuan(sql`v.new_value`)} || ' 元', '无') end,
        ${programName(sql`l.program`)}, ${yuan(sql`l.amount_fen`)}, l.line_no) as description
    from payroll_lines l
    join verification_changes v on v.district_code = l.district_code and v.household_id = l.household_id
      and v.program = l.program and v.affects_eligibility and v.as_of <= ${check.monthEnd}::date
    left join persons p on p.district_code = v.district_code and p.id = v.person_id
    where ${runLines(check, 'l')} and l.payable_kind = 'entitlement' and l.kind <> 'offset'
      and not exists (select 1 from entitlement_changes c
        where c.district_code = l.district_code and c.entitlement_id = l.payable_id and c.changed_on >= v.as_of)
    order by l.payable_id, v.as_of desc, v.created_at desc, l.line_no`,
});
