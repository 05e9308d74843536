import { sql } from 'drizzle-orm';
import { defineRule, lineKey, programName, runLines, yuan } from './rule.ts';

/**
 * 金额与测算不符: a regular line's amount differs from the engine's result for its period
 * (`engine_amount_fen`), or the engine could not compute it. Arrears, carried and offset lines pay a
 * difference, not a month's amount, and are not compared.
 */
export const amountMismatch = defineRule({
  code: 'amount_mismatch',
  severity: 'warning',
  name: '金额与测算不符',
  description: '发放金额与系统按当月参数和事实测算的金额不一致，或无法测算',
  select: (check) => sql`
    select 'line' as subject_kind, ${lineKey(check, 'l')} as subject_key, l.line_no, l.payable_id,
      l.person_id, l.household_id, null::uuid as case_id,
      case when l.engine_amount_fen is null
        then format('%s %s 期发放 %s 元，系统无法测算应发金额（第 %s 行）', ${programName(sql`l.program`)},
          l.period, ${yuan(sql`l.amount_fen`)}, l.line_no)
        else format('%s %s 期发放 %s 元，系统测算应发 %s 元，相差 %s 元（第 %s 行）', ${programName(sql`l.program`)},
          l.period, ${yuan(sql`l.amount_fen`)}, ${yuan(sql`l.engine_amount_fen`)},
          ${yuan(sql`(l.amount_fen - l.engine_amount_fen)`)}, l.line_no)
      end as description
    from payroll_lines l
    where ${runLines(check, 'l')} and l.kind = 'regular'
      and (l.engine_amount_fen is null or l.engine_amount_fen <> l.amount_fen)`,
});
