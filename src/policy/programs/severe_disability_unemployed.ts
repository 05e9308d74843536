import { P } from '../engine/parameters.ts';
import { FLAG_EMPLOYED } from '../engine/population.ts';
import {
  memberId,
  personProgram,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  {
    code: 'SDU_ELIGIBLE',
    text: '本市户籍、规定等级以内的重度残疾、劳动年龄内且无业，符合重残无业人员生活救助条件',
  },
  { code: 'SDU_NO_SHANGHAI_HUKOU', text: '非本市户籍' },
  { code: 'SDU_NOT_SEVERELY_DISABLED', text: '不属于规定等级以内的重度残疾' },
  { code: 'SDU_EMPLOYED', text: '已就业' },
  { code: 'SDU_AGE_OUT_OF_RANGE', text: '不在劳动年龄范围内' },
  { code: 'SDU_IS_TEKUN', text: '已按特困人员救助供养，不重复救助' },
] as const;

function run(ctx: KernelContext): ProgramColumns {
  const { pop, trace: tr } = ctx;
  const v = ctx.params;
  const std = v.get(P.tekun.standard);
  const minAge = v.get(P.severe_disability_unemployed.min_age);
  const maxAge = v.get(P.severe_disability_unemployed.max_age);
  const maxGrade = v.get(P.severe_disability_unemployed.max_disability_grade);
  const tekun = ctx.dep('tekun').member;
  if (!tekun) throw new Error('tekun 应为个人层面项目');
  const lastDay = ctx.month.lastDayKey;
  const { shanghai, flags, birth, grade, wage, pension, other } = pop;
  return personProgram(pop, (m) => {
    for (let p = 0; p < pop.personCount; p++) {
      const g = grade[p] as number;
      // Without a grade 1–2 disability nothing else matters (most people): one reason, next.
      if (!(g >= 1 && g <= maxGrade)) {
        m.reasons[p] = 4;
        continue;
      }
      const age = Math.floor((lastDay - (birth[p] as number)) / 10000);
      const own = (wage[p] as number) + (pension[p] as number) + (other[p] as number);
      let r = 0;
      if (shanghai[p] === 0) r |= 2;
      if (((flags[p] as number) & FLAG_EMPLOYED) !== 0) r |= 8;
      if (!(age >= minAge && age <= maxAge)) r |= 16;
      if (tekun.eligible[p] === 1) r |= 32;
      if (r === 0) {
        m.eligible[p] = 1;
        m.amount[p] = std > own ? std - own : 0;
        r = 1;
        if (tr) tr.fig('ownIncomeFen', own, memberId(pop, p));
      }
      m.reasons[p] = r;
    }
  });
}

export const severe_disability_unemployed: ProgramDef = {
  code: 'severe_disability_unemployed',
  name: '重残无业人员生活救助',
  level: 'person',
  dependsOn: ['tekun'],
  reads: [
    P.severe_disability_unemployed.min_age,
    P.severe_disability_unemployed.max_age,
    P.severe_disability_unemployed.max_disability_grade,
  ],
  reasons: REASONS,
  run,
};
