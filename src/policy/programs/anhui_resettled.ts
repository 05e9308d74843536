import { P } from '../engine/parameters.ts';
import { CAT } from '../engine/population.ts';
import {
  personProgram,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  { code: 'ANHUI_CLASS1', text: '赴安徽农村务农居民（第一类），按第一类标准发放' },
  { code: 'ANHUI_CLASS2', text: '赴安徽农村务农居民（第二类），按第二类标准发放' },
  { code: 'ANHUI_NOT_DETERMINED', text: '未经认定为赴安徽农村务农居民' },
] as const;

/** A member determined in both classes is paid once, at class 1 (one benefit per person). */
function run(ctx: KernelContext): ProgramColumns {
  const { pop } = ctx;
  const class1 = ctx.params.get(P.anhui_resettled.amount.class1);
  const class2 = ctx.params.get(P.anhui_resettled.amount.class2);
  const { categories } = pop;
  return personProgram(pop, (m) => {
    for (let p = 0; p < pop.personCount; p++) {
      const c = categories[p] as number;
      if ((c & CAT.anhui_resettled_1) !== 0) {
        m.eligible[p] = 1;
        m.amount[p] = class1;
        m.reasons[p] = 1;
      } else if ((c & CAT.anhui_resettled_2) !== 0) {
        m.eligible[p] = 1;
        m.amount[p] = class2;
        m.reasons[p] = 2;
      } else m.reasons[p] = 4;
    }
  });
}

export const anhui_resettled: ProgramDef = {
  code: 'anhui_resettled',
  name: '赴安徽农村务农居民定期生活困难补助',
  level: 'person',
  dependsOn: [],
  reads: [P.anhui_resettled.amount.class1, P.anhui_resettled.amount.class2],
  reasons: REASONS,
  run,
};
