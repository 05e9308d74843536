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
  select: (check) => sql`
    select 'line' as subject_kind, ${lineKey(check, 'l')} as subject_key, l.line_no, l.payable_id,
      d.id as person_id, l.household_id, null::uuid as case_id,
      format('%s%s于%s死亡，%s仍列入%s发放 %s 元（第 %s 行）',
        case when d.id = l.payee_person_id then '收款人' else '受益人' end, d.name, d.death_date,
        ${check.month}::text, ${programName(sql`l.program`)}, ${yuan(sql`l.amount_fen`)}, l.line_no) as description
    from payroll_lines l
    join persons d on d.district_code = l.district_code
      and (d.id = l.payee_person_id or d.id = l.person_id)
    where ${runLines(check, 'l')} and d.death_date is not null and d.death_date < ${check.monthStart}::date`,
});
