import { P } from '../engine/parameters.ts';
import {
  householdColumns,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  {
    code: 'EDGE_ELIGIBLE',
    text: '家庭可计算收入低于低收入标准合计，财产符合规定，属低收入困难家庭（最低生活保障边缘家庭）',
  },
  { code: 'EDGE_IS_DIBAO', text: '家庭已符合低保条件，不另认定为低收入困难家庭' },
  { code: 'EDGE_NO_SHANGHAI_HUKOU', text: '家庭成员中没有本市户籍人员' },
  { code: 'EDGE_INCOME_NOT_BELOW_THRESHOLD', text: '家庭可计算收入不低于低收入标准×家庭人数' },
  { code: 'EDGE_PROPERTY_OVER_LIMIT', text: '家庭财产（货币财产、机动车或住房）超过规定' },
] as const;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  const threshold = ctx.params.get(P.dibao_edge.income_threshold);
  const d = ctx.dep('dibao');
  const income = d.extra.income as Float64Array;
  const hukou = d.extra.hukou as Uint8Array;
  const property = d.extra.property as Uint8Array;
  const H = pop.householdCount;
  const out = householdColumns(H);
  const ms = pop.memberStart;
  for (let h = 0; h < H; h++) {
    const n = (ms[h + 1] as number) - (ms[h] as number);
    let r = 0;
    if (d.eligible[h] === 1) r |= 2;
    if (hukou[h] === 0) r |= 4;
    if (!((income[h] as number) < threshold * n)) r |= 8;
    if (property[h] === 0) r |= 16;
    if (r === 0) {
      out.eligible[h] = 1;
      r = 1;
    }
    out.reasons[h] = r;
    if (tr) tr.fig('edgeThresholdFen', threshold * n);
  }
  return out;
}

export const dibao_edge: ProgramDef = {
  code: 'dibao_edge',
  name: '低收入困难家庭（最低生活保障边缘家庭）',
  level: 'household',
  dependsOn: ['dibao'],
  reads: [P.dibao_edge.income_threshold],
  reasons: REASONS,
  run,
};
