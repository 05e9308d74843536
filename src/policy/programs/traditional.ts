import { P } from '../engine/parameters.ts';
import { CAT } from '../engine/population.ts';
import {
  memberId,
  personProgram,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  { code: 'TRADITIONAL_ELIGIBLE', text: '经认定的传统民政对象，按标准减本人收入发放定期定量生活补助' },
  { code: 'TRADITIONAL_NOT_DETERMINED', text: '未经认定为传统民政对象' },
] as const;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  const std = ctx.params.get(P.traditional.standard);
  const { categories, wage, pension, other } = pop;
  return personProgram(pop, (m) => {
    for (let p = 0; p < pop.personCount; p++) {
      if (((categories[p] as number) & CAT.traditional) === 0) {
        m.reasons[p] = 2;
        continue;
      }
      const own = (wage[p] as number) + (pension[p] as number) + (other[p] as number);
      m.eligible[p] = 1;
      m.amount[p] = std > own ? std - own : 0;
      m.reasons[p] = 1;
      if (tr) tr.fig('ownIncomeFen', own, memberId(pop, p));
    }
  });
}

export const traditional: ProgramDef = {
  code: 'traditional',
  name: '传统民政对象定期定量生活补助',
  level: 'person',
  dependsOn: [],
  reads: [P.traditional.standard],
  reasons: REASONS,
  run,
};
