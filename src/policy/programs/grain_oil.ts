import { P } from '../engine/parameters.ts';
import { FLAG_SERIOUS_ILLNESS } from '../engine/population.ts';
import {
  personProgram,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

const REASONS = [
  { code: 'GRAIN_OIL_CARD_TEKUN', text: '特困人员，发放粮油帮困卡' },
  { code: 'GRAIN_OIL_CARD_SDU', text: '重残无业人员，发放粮油帮困卡' },
  { code: 'GRAIN_OIL_CARD_DIBAO_CHILD', text: '低保家庭未成年成员，发放粮油帮困卡' },
  { code: 'GRAIN_OIL_CARD_DIBAO_ELDERLY', text: '低保家庭高龄成员，发放粮油帮困卡' },
  { code: 'GRAIN_OIL_CARD_DIBAO_ILLNESS', text: '低保家庭重病成员，发放粮油帮困卡' },
  {
    code: 'GRAIN_OIL_VOUCHER_DIBAO_ELDERLY',
    text: '低保家庭中达到发券年龄、不属于发卡范围的老年成员，发放粮油帮困券',
  },
  { code: 'GRAIN_OIL_NOT_COVERED', text: '非低保家庭成员、特困人员或重残无业人员' },
  { code: 'GRAIN_OIL_DIBAO_MEMBER_NOT_COVERED', text: '低保家庭成员，但不属于发卡或发券的年龄、病情范围' },
] as const;

function run(ctx: KernelContext): ProgramColumns {
  const { pop } = ctx;
  const v = ctx.params;
  const card = v.get(P.grain_oil.card);
  const voucher = v.get(P.grain_oil.voucher);
  const childLimit = v.get(P.grain_oil.card_child_age_limit);
  const cardAge = v.get(P.grain_oil.card_min_age);
  const voucherAge = v.get(P.grain_oil.voucher_min_age);
  const dibao = ctx.dep('dibao');
  const tekun = ctx.dep('tekun').member;
  const sdu = ctx.dep('severe_disability_unemployed').member;
  if (!tekun || !sdu) throw new Error('tekun / severe_disability_unemployed 应为个人层面项目');
  const lastDay = ctx.month.lastDayKey;
  const { memberStart: ms, birth, flags } = pop;
  return personProgram(pop, (m) => {
    for (let h = 0; h < pop.householdCount; h++) {
      const inDibao = dibao.eligible[h] === 1;
      for (let p = ms[h] as number, end = ms[h + 1] as number; p < end; p++) {
        let r: number;
        if (tekun.eligible[p] === 1) r = 1;
        else if (sdu.eligible[p] === 1) r = 2;
        else if (!inDibao) r = 64;
        else {
          const age = Math.floor((lastDay - (birth[p] as number)) / 10000);
          if (age < childLimit) r = 4;
          else if (age >= cardAge) r = 8;
          else if (((flags[p] as number) & FLAG_SERIOUS_ILLNESS) !== 0) r = 16;
          else if (age >= voucherAge) r = 32;
          else r = 128;
        }
        m.reasons[p] = r;
        if (r <= 32) {
          m.eligible[p] = 1;
          m.amount[p] = r === 32 ? voucher : card;
        }
      }
    }
  });
}

export const grain_oil: ProgramDef = {
  code: 'grain_oil',
  name: '粮油帮困',
  level: 'person',
  dependsOn: ['dibao', 'tekun', 'severe_disability_unemployed'],
  reads: [
    P.grain_oil.card,
    P.grain_oil.voucher,
    P.grain_oil.card_child_age_limit,
    P.grain_oil.card_min_age,
    P.grain_oil.voucher_min_age,
  ],
  reasons: REASONS,
  run,
};
