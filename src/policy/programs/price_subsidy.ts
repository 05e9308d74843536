import { P } from '../engine/parameters.ts';
import {
  personProgram,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  { code: 'PRICE_SUBSIDY_DIBAO', text: '价格临时补贴启动月，低保家庭成员' },
  { code: 'PRICE_SUBSIDY_RIGID_EXPENSE', text: '价格临时补贴启动月，支出型贫困生活救助家庭成员' },
  { code: 'PRICE_SUBSIDY_TEKUN', text: '价格临时补贴启动月，特困人员' },
  { code: 'PRICE_SUBSIDY_NOT_ACTIVATED', text: '本月未启动价格临时补贴' },
  { code: 'PRICE_SUBSIDY_NOT_COVERED', text: '非低保、支出型贫困家庭成员或特困人员' },
] as const;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  // Activation is declared month by month: no value means no activation, not an error.
  const amount = ctx.lookup(P.price_subsidy.amount_per_person);
  if (tr) {
    tr.fig('activated', amount !== null);
    if (amount !== null) tr.fig('amountPerPersonFen', amount);
  }
  const dibao = ctx.dep('dibao');
  const rigid = ctx.dep('rigid_expense');
  const tekun = ctx.dep('tekun').member;
  if (!tekun) throw new Error('tekun 应为个人层面项目');
  const ms = pop.memberStart;
  return personProgram(pop, (m) => {
    if (amount === null) {
      m.reasons.fill(8);
      return;
    }
    for (let h = 0; h < pop.householdCount; h++) {
      const hhReason = dibao.eligible[h] === 1 ? 1 : rigid.eligible[h] === 1 ? 2 : 0;
      for (let p = ms[h] as number, end = ms[h + 1] as number; p < end; p++) {
        const r = hhReason !== 0 ? hhReason : tekun.eligible[p] === 1 ? 4 : 16;
        m.reasons[p] = r;
        if (r !== 16) {
          m.eligible[p] = 1;
          m.amount[p] = amount;
        }
      }
    }
  });
}

export const price_subsidy: ProgramDef = {
  code: 'price_subsidy',
  name: '价格临时补贴',
  level: 'person',
  dependsOn: ['dibao', 'rigid_expense', 'tekun'],
  reads: [],
  reasons: REASONS,
  run,
};
