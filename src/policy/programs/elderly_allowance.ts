import { P } from '../engine/parameters.ts';
import {
  memberId,
  personProgram,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const A = P.elderly_allowance.amount;
const E = P.elderly_allowance.band_min_age;

const REASONS = [
  { code: 'ELDERLY_BAND_1', text: '本市户籍老年人，按第1档发放老年综合津贴' },
  { code: 'ELDERLY_BAND_2', text: '本市户籍老年人，按第2档发放老年综合津贴' },
  { code: 'ELDERLY_BAND_3', text: '本市户籍老年人，按第3档发放老年综合津贴' },
  { code: 'ELDERLY_BAND_4', text: '本市户籍老年人，按第4档发放老年综合津贴' },
  { code: 'ELDERLY_BAND_5', text: '本市户籍老年人，按第5档发放老年综合津贴' },
  { code: 'ELDERLY_NO_SHANGHAI_HUKOU', text: '非本市户籍' },
  { code: 'ELDERLY_UNDER_MIN_AGE', text: '未达到老年综合津贴起始年龄' },
] as const;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  const v = ctx.params;
  const edges = [v.get(E.band_1), v.get(E.band_2), v.get(E.band_3), v.get(E.band_4), v.get(E.band_5)];
  const amounts = [v.get(A.band_1), v.get(A.band_2), v.get(A.band_3), v.get(A.band_4), v.get(A.band_5)];
  const lastDay = ctx.month.lastDayKey;
  const { shanghai, birth } = pop;
  const first = edges[0] as number;
  return personProgram(pop, (m) => {
    for (let p = 0; p < pop.personCount; p++) {
      const age = Math.floor((lastDay - (birth[p] as number)) / 10000);
      if (shanghai[p] === 0) m.reasons[p] = 32;
      else if (age < first) m.reasons[p] = 64;
      else {
        let band = 0;
        while (band + 1 < edges.length && age >= (edges[band + 1] as number)) band++;
        m.eligible[p] = 1;
        m.amount[p] = amounts[band] as number;
        m.reasons[p] = 1 << band;
        if (tr) tr.fig('band', band + 1, memberId(pop, p));
      }
    }
  });
}

export const elderly_allowance: ProgramDef = {
  code: 'elderly_allowance',
  name: '老年综合津贴',
  level: 'person',
  dependsOn: [],
  reads: [A.band_1, A.band_2, A.band_3, A.band_4, A.band_5, E.band_1, E.band_2, E.band_3, E.band_4, E.band_5],
  reasons: REASONS,
  run,
};
