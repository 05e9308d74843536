import { floorMulDiv } from '../engine/exact.ts';
import { P } from '../engine/parameters.ts';
import {
  householdColumns,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  { code: 'RENOVATION_RATE_DIBAO', text: '低保家庭或有特困人员，按低保档比例补贴适老化改造费用' },
  { code: 'RENOVATION_RATE_EDGE', text: '低收入困难家庭，按低收入档比例补贴适老化改造费用' },
  { code: 'RENOVATION_RATE_OTHER', text: '其他有本市户籍老年人的家庭，按一般档比例补贴适老化改造费用' },
  { code: 'RENOVATION_NO_COST', text: '没有适老化改造费用' },
  { code: 'RENOVATION_NO_SHANGHAI_ELDERLY', text: '家庭中没有达到规定年龄的本市户籍老年人' },
] as const;

const BP = 10000;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  const v = ctx.params;
  const cap = v.get(P.renovation.cap);
  const minAge = v.get(P.renovation.min_age);
  const rates = [
    v.get(P.renovation.rate.dibao),
    v.get(P.renovation.rate.edge),
    v.get(P.renovation.rate.other),
  ];
  const dibao = ctx.dep('dibao');
  const edge = ctx.dep('dibao_edge');
  const tekun = ctx.dep('tekun').member;
  if (!tekun) throw new Error('tekun 应为个人层面项目');
  const lastDay = ctx.month.lastDayKey;
  const H = pop.householdCount;
  const out = householdColumns(H);
  const { memberStart: ms, birth, shanghai, renovation } = pop;
  for (let h = 0; h < H; h++) {
    let elder = false;
    let anyTekun = false;
    for (let p = ms[h] as number, end = ms[h + 1] as number; p < end; p++) {
      if (shanghai[p] === 1 && Math.floor((lastDay - (birth[p] as number)) / 10000) >= minAge) elder = true;
      if (tekun.eligible[p] === 1) anyTekun = true;
    }
    const cost = renovation[h] as number;
    let r = 0;
    if (!(cost > 0)) r |= 8;
    if (!elder) r |= 16;
    if (r === 0) {
      const cls = dibao.eligible[h] === 1 || anyTekun ? 0 : edge.eligible[h] === 1 ? 1 : 2;
      const subsidy = floorMulDiv(cost, rates[cls] as number, BP);
      out.eligible[h] = 1;
      out.amount[h] = subsidy < cap ? subsidy : cap;
      r = 1 << cls;
      if (tr) {
        tr.fig('rateBp', rates[cls] as number);
        tr.fig('subsidyBeforeCapFen', subsidy);
      }
    }
    out.reasons[h] = r;
    if (tr) tr.fig('amountFen', out.amount[h] as number);
  }
  return out;
}

export const renovation: ProgramDef = {
  code: 'renovation',
  name: '居家环境适老化改造补贴',
  level: 'household',
  dependsOn: ['dibao', 'dibao_edge', 'tekun'],
  reads: [
    P.renovation.min_age,
    P.renovation.cap,
    P.renovation.rate.dibao,
    P.renovation.rate.edge,
    P.renovation.rate.other,
  ],
  reasons: REASONS,
  run,
};
