import { P } from '../engine/parameters.ts';
import {
  householdColumns,
  type KernelContext,
  type ProgramColumns,
  type ProgramDef,
} from '../engine/program.ts';

/** Reason bits of dibao; dibao_edge and rigid_expense reuse the hukou/asset bits' meaning. */
export const DIBAO_REASONS = [
  { code: 'DIBAO_ELIGIBLE', text: '家庭可计算收入低于低保标准合计，且财产符合规定，符合低保条件' },
  { code: 'DIBAO_NO_SHANGHAI_HUKOU', text: '家庭成员中没有本市户籍人员' },
  { code: 'DIBAO_INCOME_NOT_BELOW_STANDARD', text: '家庭可计算收入不低于低保标准×家庭人数' },
  { code: 'DIBAO_ASSETS_OVER_LIMIT', text: '家庭货币财产超过人均限额×家庭人数' },
  { code: 'DIBAO_VEHICLES_OVER_LIMIT', text: '家庭拥有机动车，超过规定' },
  { code: 'DIBAO_HOMES_OVER_LIMIT', text: '家庭住房套数超过规定' },
] as const;
const ELIGIBLE = 1;
const NO_HUKOU = 2;
const INCOME = 4;
const ASSETS = 8;
const VEHICLES = 16;
const HOMES = 32;

export const DIBAO_READS = [
  P.dibao.standard,
  P.dibao.standard_minor,
  P.dibao.minor_max_age,
  P.dibao.employment_exemption,
  P.dibao.asset_limit.monetary_per_capita,
  P.dibao.asset_limit.monetary_per_capita_small_household,
  P.dibao.asset_limit.small_household_max_size,
  P.dibao.max_vehicles,
  P.dibao.max_homes,
  P.dibao.max_homes_small_area,
];

/**
 * 最低生活保障. Also leaves per household, for the programs that reuse them: `income` (countable
 * income), `hukou` (some Shanghai member), `property` (assets, vehicles and homes all within limits).
 */
function run(ctx: KernelContext): ProgramColumns {
  const { pop, params: v, trace: tr } = ctx;
  const std = v.get(P.dibao.standard);
  const stdMinor = v.get(P.dibao.standard_minor);
  const minorMax = v.get(P.dibao.minor_max_age);
  const exemption = v.get(P.dibao.employment_exemption);
  const limitBig = v.get(P.dibao.asset_limit.monetary_per_capita);
  const limitSmall = v.get(P.dibao.asset_limit.monetary_per_capita_small_household);
  const smallMax = v.get(P.dibao.asset_limit.small_household_max_size);
  const maxVehicles = v.get(P.dibao.max_vehicles);
  const maxHomes = v.get(P.dibao.max_homes);
  const maxHomesSmall = v.get(P.dibao.max_homes_small_area);
  const lastDay = ctx.month.lastDayKey;

  const H = pop.householdCount;
  const income = new Float64Array(H);
  const hukou = new Uint8Array(H);
  const property = new Uint8Array(H);
  const out = householdColumns(H, { income, hukou, property });
  const { memberStart: ms, wage, pension, other, shanghai, birth, assets, vehicles, homes, smallArea } = pop;

  for (let h = 0; h < H; h++) {
    const start = ms[h] as number;
    const end = ms[h + 1] as number;
    const n = end - start;
    let inc = 0;
    let hk = 0;
    let stdSum = 0;
    let minors = 0;
    for (let p = start; p < end; p++) {
      const w = wage[p] as number;
      inc += w + (pension[p] as number) + (other[p] as number) - (w < exemption ? w : exemption);
      hk |= shanghai[p] as number;
      if (Math.floor((lastDay - (birth[p] as number)) / 10000) <= minorMax) {
        stdSum += stdMinor;
        minors++;
      } else stdSum += std;
    }
    const limit = n <= smallMax ? limitSmall : limitBig;
    let r = 0;
    if (hk === 0) r |= NO_HUKOU;
    if (!(inc < std * n)) r |= INCOME;
    if (!((assets[h] as number) <= limit * n)) r |= ASSETS;
    if (!((vehicles[h] as number) <= maxVehicles)) r |= VEHICLES;
    if (!((homes[h] as number) <= (smallArea[h] === 1 ? maxHomesSmall : maxHomes))) r |= HOMES;
    income[h] = inc;
    hukou[h] = hk;
    property[h] = (r & (ASSETS | VEHICLES | HOMES)) === 0 ? 1 : 0;
    if (r === 0) {
      out.eligible[h] = 1;
      out.amount[h] = stdSum > inc ? stdSum - inc : 0;
      r = ELIGIBLE;
    }
    out.reasons[h] = r;
    if (tr) {
      tr.fig('members', n);
      tr.fig('minors', minors);
      tr.fig('countableIncomeFen', inc);
      tr.fig('incomeThresholdFen', std * n);
      tr.fig('assetLimitFen', limit * n);
      tr.fig('memberStandardsFen', stdSum);
      tr.fig('amountFen', out.amount[h] as number);
    }
  }
  return out;
}

export const dibao: ProgramDef = {
  code: 'dibao',
  name: '最低生活保障',
  level: 'household',
  dependsOn: [],
  reads: DIBAO_READS,
  reasons: DIBAO_REASONS,
  run,
};
