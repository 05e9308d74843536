import { sql } from 'drizzle-orm';
import { defineRule, tail4 } from './rule.ts';

/**
 * 一卡多人: one bank account receives, in the month, payments to payees who are not related by the
 * registry — never members of one household (any time in the membership history). The run's lines are
 * compared with every line of the month's runs not cancelled (any district: payees in two districts are two
 * registry persons, never in one household). One finding per account and month; the key holds a digest of
 * the account, never the number.
 */
export const sharedAccount = defineRule({
  code: 'shared_account',
  severity: 'warning',
  name: '一卡多人',
  description: '同一银行账户收取多名无户籍关系的收款人的款项',
  select: (check) => sql`
    with month_lines as materialized (
      select o.district_code, o.run_id, o.line_no, o.payable_id, o.household_id, o.payee_person_id, o.account_no
      from payroll_runs r
      join payroll_lines o on o.district_code = r.district_code and o.run_id = r.id
      where r.month = ${check.month} and r.state <> 'cancelled' and o.account_no is not null
        and o.state <> 'excluded'
    ), shared as materialized (
      -- Accounts with two payees or more in the month: a grouping, so the pairs below are few.
      select account_no from month_lines group by account_no having count(distinct (district_code, payee_person_id)) > 1
    ), on_shared as materialized (
      select m.* from month_lines m where m.account_no in (select account_no from shared)
    ), pairs as (
      select l.account_no, l.line_no, l.payable_id, l.household_id, l.payee_person_id as a, o.district_code as o_district,
        o.payee_person_id as b
      from on_shared l
      join on_shared o on o.account_no = l.account_no
        and not (o.district_code = l.district_code and o.payee_person_id = l.payee_person_id)
      where l.district_code = ${check.districtCode} and l.run_id = ${check.runId}::uuid
        and not exists (
          select 1 from household_members ma
          join household_members mb on mb.district_code = ma.district_code and mb.household_id = ma.household_id
          where o.district_code = l.district_code and ma.district_code = l.district_code
            and ma.person_id = l.payee_person_id and mb.person_id = o.payee_person_id)
    ), people as (
      select p.account_no, ${check.districtCode}::text as district_code, p.a as person_id from pairs p
      union
      select p.account_no, p.o_district, p.b from pairs p
    ), named as (
      select pe.account_no, count(*)::int as payees, string_agg(x.name, '、' order by x.name) as names
      from people pe join persons x on x.district_code = pe.district_code and x.id = pe.person_id
      group by pe.account_no
    ), first_line as (
      select distinct on (p.account_no) p.account_no, p.line_no, p.payable_id, p.household_id
      from pairs p order by p.account_no, p.line_no
    )
    select 'line' as subject_kind, (${check.month}::text || '|acct|' || md5(n.account_no)) as subject_key,
      f.line_no, f.payable_id, null::uuid as person_id, f.household_id, null::uuid as case_id,
      format('账号尾号 %s 本月收取 %s 名无户籍关系的收款人的款项：%s（第 %s 行起）', ${tail4(sql`n.account_no`)},
        n.payees, n.names, f.line_no) as description
    from named n join first_line f on f.account_no = n.account_no`,
});
