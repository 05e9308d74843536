import { P } from '../engine/parameters.ts';
import { CAT, FLAG_SERIOUS_ILLNESS } from '../engine/population.ts';
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
  { code: 'GRAIN_OIL_NOT_COVERED', text: '非低保家庭成员、特困人员、重残无业人员或传统民政对象' },
  { code: 'GRAIN_OIL_DIBAO_MEMBER_NOT_COVERED', text: '低保家庭成员，但不属于发卡或发券的年龄、病情范围' },
  { code: 'GRAIN_OIL_CARD_TRADITIONAL', text: '传统民政对象（特殊救助对象），发放粮油帮困卡' },
] as const;

// Reason bits, in REASONS order.
const TEKUN = 1;
const SDU = 2;
const DIBAO_CHILD = 4;
const DIBAO_ELDERLY = 8;
const DIBAO_ILLNESS = 16;
const VOUCHER = 32;
const NOT_COVERED = 64;
const DIBAO_NOT_COVERED = 128;
const TRADITIONAL = 256;

/** The one benefit of a member (one per person at most): the first rule that applies decides. */
function memberReason(
  tekun: boolean,
  sdu: boolean,
  traditional: boolean,
  inDibao: boolean,
  age: number,
  seriouslyIll: boolean,
  limits: { childLimit: number; cardAge: number; voucherAge: number },
): number {
  if (tekun) return TEKUN;
  if (sdu) return SDU;
  // SPEC v1.1: seed 000's 特殊救助对象 hold the card whether or not their household is dibao-eligible.
  if (traditional) return TRADITIONAL;
  if (!inDibao) return NOT_COVERED;
  if (age < limits.childLimit) return DIBAO_CHILD;
  if (age >= limits.cardAge) return DIBAO_ELDERLY;
  if (seriouslyIll) return DIBAO_ILLNESS;
  if (age >= limits.voucherAge) return VOUCHER;
  return DIBAO_NOT_COVERED;
}

function run(ctx: KernelContext): ProgramColumns {
  const { pop } = ctx;
  const v = ctx.params;
  const card = v.get(P.grain_oil.card);
  const voucher = v.get(P.grain_oil.voucher);
  const limits = {
    childLimit: v.get(P.grain_oil.card_child_age_limit),
    cardAge: v.get(P.grain_oil.card_min_age),
    voucherAge: v.get(P.grain_oil.voucher_min_age),
  };
  const dibao = ctx.dep('dibao');
  const tekun = ctx.dep('tekun').member;
  const sdu = ctx.dep('severe_disability_unemployed').member;
  if (!tekun || !sdu) throw new Error('tekun / severe_disability_unemployed 应为个人层面项目');
  const lastDay = ctx.month.lastDayKey;
  const { memberStart: ms, birth, flags, categories } = pop;
  return personProgram(pop, (m) => {
    for (let h = 0; h < pop.householdCount; h++) {
      const inDibao = dibao.eligible[h] === 1;
      for (let p = ms[h] as number, end = ms[h + 1] as number; p < end; p++) {
        const r = memberReason(
          tekun.eligible[p] === 1,
          sdu.eligible[p] === 1,
          ((categories[p] as number) & CAT.traditional) !== 0,
          inDibao,
          Math.floor((lastDay - (birth[p] as number)) / 10000),
          ((flags[p] as number) & FLAG_SERIOUS_ILLNESS) !== 0,
          limits,
        );
        m.reasons[p] = r;
        if (r === NOT_COVERED || r === DIBAO_NOT_COVERED) continue;
        m.eligible[p] = 1;
        m.amount[p] = r === VOUCHER ? voucher : card;
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
