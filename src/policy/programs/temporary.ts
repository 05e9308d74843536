import { P } from '../engine/parameters.ts';
import {
  householdColumns,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  {
    code: 'TEMPORARY_ELIGIBLE',
    text: '家庭申请临时救助且有本市户籍成员，按低保标准×人数×月数（不超过上限月数）计算救助上限',
  },
  { code: 'TEMPORARY_NOT_REQUESTED', text: '未申请临时救助（救助月数为0）' },
  { code: 'TEMPORARY_NO_SHANGHAI_HUKOU', text: '家庭成员中没有本市户籍人员' },
] as const;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  const std = ctx.params.get(P.dibao.standard);
  const maxMonths = ctx.params.get(P.temporary.max_months);
  const H = pop.householdCount;
  const out = householdColumns(H);
  const { memberStart: ms, tempMonths, shanghai } = pop;
  for (let h = 0; h < H; h++) {
    const start = ms[h] as number;
    const end = ms[h + 1] as number;
    let hk = 0;
    for (let p = start; p < end; p++) hk |= shanghai[p] as number;
    const months = tempMonths[h] as number;
    let r = 0;
    if (!(months >= 1)) r |= 2;
    if (hk === 0) r |= 4;
    if (r === 0) {
      const m = months < maxMonths ? months : maxMonths;
      out.eligible[h] = 1;
      out.amount[h] = std * (end - start) * m;
      r = 1;
      if (tr) tr.fig('monthsCounted', m);
    }
    out.reasons[h] = r;
    if (tr) tr.fig('amountFen', out.amount[h] as number);
  }
  return out;
}

export const temporary: ProgramDef = {
  code: 'temporary',
  name: '临时救助',
  level: 'household',
  dependsOn: [],
  reads: [P.dibao.standard, P.temporary.max_months],
  reasons: REASONS,
  run,
};
