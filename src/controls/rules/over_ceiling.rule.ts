import { sql } from 'drizzle-orm';
import { PROGRAM_CODES } from '../../policy/index.ts';
import { ceilingFen } from '../controls.parameters.ts';
import { defineRule, lineKey, programName, runLines, yuan } from './rule.ts';

/**
 * 超过发放上限: a line (not an offset) pays more than its program's ceiling for one payment in the run's
 * month (src/parameters/controls/ceiling/<program>.yaml, dated). Programs without a value yet are not checked.
 */
export const overCeiling = defineRule({
  code: 'over_ceiling',
  severity: 'warning',
  name: '超过发放上限',
  description: '单笔发放金额超过该项目的发放上限',
  select: (check) => {
    const ceilings = PROGRAM_CODES.flatMap((p) => {
      const fen = ceilingFen(p, check.month, check.parameters);
      return fen === null ? [] : [sql`(${p}::text, ${fen}::bigint)`];
    });
    return sql`
    select 'line' as subject_kind, ${lineKey(check, 'l')} as subject_key, l.line_no, l.payable_id,
      l.person_id, l.household_id, null::uuid as case_id,
      format('%s %s 期发放 %s 元，超过单笔上限 %s 元（第 %s 行）', ${programName(sql`l.program`)}, l.period,
        ${yuan(sql`l.amount_fen`)}, ${yuan(sql`c.ceiling_fen`)}, l.line_no) as description
    from payroll_lines l
    join (values ${sql.join(ceilings, sql`, `)}) as c (program, ceiling_fen) on c.program = l.program
    where ${runLines(check, 'l')} and l.kind <> 'offset' and l.amount_fen > c.ceiling_fen`;
  },
});
