import { sql } from 'drizzle-orm';
import { P } from '../../policy/engine/parameters.ts';
import { parseMonth } from '../../policy/index.ts';
import { defineRule, membersInMonth, runLines, yuan } from './rule.ts';

/**
 * 财产超标: a 低保 line whose household's verified monetary assets exceed the limit (SPEC.md: assets ≤
 * limit × n, the per-capita limit of src/parameters/dibao/asset_limit for the household's size). The
 * verified figure is the latest re-verification change (`verification_changes`, kind monetary_assets, as of
 * the month's end at the latest), else the household's figure in the registry (the last verified or
 * declared one). n: the members in the household during the month.
 */
export const assetsOverLimit = defineRule({
  code: 'assets_over_limit',
  severity: 'warning',
  name: '财产超标',
  description: '低保家庭经核对的货币财产超过人均限额',
  select: (check) => {
    const value = (path: string): number => {
      const r = check.parameters.resolve(path, parseMonth(check.month));
      if (!r.entry) throw new Error(`参数 ${path} 在 ${check.month} 尚无取值`);
      return r.entry.value;
    };
    const limit = value(P.dibao.asset_limit.monetary_per_capita.path);
    const small = value(P.dibao.asset_limit.monetary_per_capita_small_household.path);
    const smallSize = value(P.dibao.asset_limit.small_household_max_size.path);
    return sql`
    with hh as (
      select distinct on (l.household_id) l.household_id, l.line_no, l.payable_id, l.amount_fen
      from payroll_lines l
      where ${runLines(check, 'l')} and l.program = 'dibao' and l.household_id is not null
      order by l.household_id, l.line_no
    ), facts as (
      select hh.*, h.household_no,
        coalesce((select v.new_value from verification_changes v
            where v.district_code = ${check.districtCode} and v.household_id = hh.household_id
              and v.kind = 'monetary_assets' and v.person_id is null and v.as_of <= ${check.monthEnd}::date
            order by v.as_of desc, v.created_at desc limit 1), h.monetary_assets_fen) as assets_fen,
        (select count(*) from household_members m
          where m.district_code = ${check.districtCode} and m.household_id = hh.household_id
            and ${membersInMonth(check, 'm')})::int as n
      from hh join households h on h.district_code = ${check.districtCode} and h.id = hh.household_id
    )
    select 'household' as subject_kind, (${check.month}::text || '|' || f.household_id::text) as subject_key,
      f.line_no, f.payable_id, null::uuid as person_id, f.household_id, null::uuid as case_id,
      format('户 %s 经核对货币财产 %s 元，%s 口之家限额 %s 元（人均 %s 元），本月仍发放低保 %s 元（第 %s 行）',
        f.household_no, ${yuan(sql`f.assets_fen`)}, f.n,
        ${yuan(sql`(f.n * (case when f.n <= ${smallSize}::int then ${small}::bigint else ${limit}::bigint end))`)},
        ${yuan(sql`(case when f.n <= ${smallSize}::int then ${small}::bigint else ${limit}::bigint end)`)},
        ${yuan(sql`f.amount_fen`)}, f.line_no) as description
    from facts f
    where f.n > 0
      and f.assets_fen > f.n * (case when f.n <= ${smallSize}::int then ${small}::bigint else ${limit}::bigint end)`;
  },
});
