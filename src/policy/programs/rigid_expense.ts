import { productAtLeast } from '../engine/exact.ts';
import { P } from '../engine/parameters.ts';
import {
  householdColumns,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  { code: 'RIGID_ELIGIBLE', text: '刚性支出（医疗、教育）使家庭陷入困难，符合支出型贫困家庭生活救助条件' },
  { code: 'RIGID_IS_DIBAO', text: '家庭已符合低保条件' },
  { code: 'RIGID_NO_SHANGHAI_HUKOU', text: '家庭成员中没有本市户籍人员' },
  { code: 'RIGID_PROPERTY_OVER_LIMIT', text: '家庭财产（货币财产、机动车或住房）超过规定' },
  {
    code: 'RIGID_INCOME_NOT_BELOW_CITY_AVERAGE',
    text: '家庭年收入不低于上年全市居民人均可支配收入×家庭人数',
  },
  {
    code: 'RIGID_EXPENSE_TEST_NOT_MET',
    text: '扣除刚性支出后的收入不低于低保标准合计，且年医疗支出未达到年收入的规定比例',
  },
] as const;

const BP = 10000;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  const std = ctx.params.get(P.dibao.standard);
  const share = ctx.params.get(P.rigid_expense.medical_share);
  const city = ctx.params.get(P.city.per_capita_disposable_income);
  const d = ctx.dep('dibao');
  const income = d.extra.income as Float64Array;
  const hukou = d.extra.hukou as Uint8Array;
  const property = d.extra.property as Uint8Array;
  const H = pop.householdCount;
  const out = householdColumns(H);
  const { memberStart: ms, medical, education } = pop;
  for (let h = 0; h < H; h++) {
    const n = (ms[h + 1] as number) - (ms[h] as number);
    const I = income[h] as number;
    const med = medical[h] as number;
    const em = Math.floor((med + (education[h] as number)) / 12);
    const line = std * n;
    let r = 0;
    if (d.eligible[h] === 1) r |= 2;
    if (hukou[h] === 0) r |= 4;
    if (property[h] === 0) r |= 8;
    // 12 × I < city × n (annual income against the city's per-capita figure, without division)
    const belowCity = !productAtLeast(12, I, city, n);
    if (!belowCity) r |= 16;
    // Only reached with I bounded by the city figure, so these products stay exact.
    const afterExpense = I - em;
    const expenseTest = belowCity && (afterExpense < line || productAtLeast(med, BP, share * 12, I));
    if (!expenseTest) r |= 32;
    if (r === 0) {
      out.eligible[h] = 1;
      const gap = line - afterExpense;
      out.amount[h] = gap < 0 ? 0 : gap > line ? line : gap;
      r = 1;
    }
    out.reasons[h] = r;
    if (tr) {
      tr.fig('monthlyExpenseFen', em);
      tr.fig('incomeAfterExpenseFen', afterExpense);
      tr.fig('annualIncomeFen', 12 * I);
      tr.fig('cityIncomeTimesMembersFen', city * n);
      tr.fig('amountFen', out.amount[h] as number);
    }
  }
  return out;
}

export const rigid_expense: ProgramDef = {
  code: 'rigid_expense',
  name: '支出型贫困家庭生活救助（刚性支出困难家庭）',
  level: 'household',
  dependsOn: ['dibao'],
  reads: [P.rigid_expense.medical_share, P.city.per_capita_disposable_income],
  reasons: REASONS,
  run,
};
