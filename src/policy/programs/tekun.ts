import { P } from '../engine/parameters.ts';
import { CAT, FLAG_HAS_SUPPORTER } from '../engine/population.ts';
import {
  memberId,
  personProgram,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  {
    code: 'TEKUN_ELIGIBLE',
    text: '经认定的特困人员，本市户籍、无赡养（抚养、扶养）人，且年龄或残疾等级及本人收入符合规定',
  },
  { code: 'TEKUN_NOT_DETERMINED', text: '未经认定为特困人员' },
  { code: 'TEKUN_NO_SHANGHAI_HUKOU', text: '非本市户籍' },
  { code: 'TEKUN_HAS_SUPPORTER', text: '有赡养（抚养、扶养）人' },
  { code: 'TEKUN_AGE_OR_DISABILITY_NOT_MET', text: '年龄不在规定范围内，且不属于规定等级以内的重度残疾' },
  { code: 'TEKUN_INCOME_NOT_BELOW_STANDARD', text: '本人收入不低于低保标准' },
] as const;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  const v = ctx.params;
  const dibaoStd = v.get(P.dibao.standard);
  const std = v.get(P.tekun.standard);
  const elderly = v.get(P.tekun.elderly_min_age);
  const child = v.get(P.tekun.child_age_limit);
  const maxGrade = v.get(P.tekun.max_disability_grade);
  const lastDay = ctx.month.lastDayKey;
  const { categories, shanghai, flags, birth, grade, wage, pension, other } = pop;
  return personProgram(pop, (m) => {
    for (let p = 0; p < pop.personCount; p++) {
      // Without the case decision nothing else matters (and almost nobody has it): one reason, next.
      if (((categories[p] as number) & CAT.tekun) === 0) {
        m.reasons[p] = 2;
        continue;
      }
      const age = Math.floor((lastDay - (birth[p] as number)) / 10000);
      const g = grade[p] as number;
      const own = (wage[p] as number) + (pension[p] as number) + (other[p] as number);
      let r = 0;
      if (shanghai[p] === 0) r |= 4;
      if (((flags[p] as number) & FLAG_HAS_SUPPORTER) !== 0) r |= 8;
      if (!(age >= elderly || age < child || (g >= 1 && g <= maxGrade))) r |= 16;
      if (!(own < dibaoStd)) r |= 32;
      if (r === 0) {
        m.eligible[p] = 1;
        m.amount[p] = std > own ? std - own : 0;
        r = 1;
      }
      m.reasons[p] = r;
      if (tr) tr.fig('ownIncomeFen', own, memberId(pop, p));
    }
  });
}

export const tekun: ProgramDef = {
  code: 'tekun',
  name: '特困人员救助供养（基本生活）',
  level: 'person',
  dependsOn: [],
  reads: [
    P.dibao.standard,
    P.tekun.standard,
    P.tekun.elderly_min_age,
    P.tekun.child_age_limit,
    P.tekun.max_disability_grade,
  ],
  reasons: REASONS,
  run,
};
