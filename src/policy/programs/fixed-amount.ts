import type { ParamHandle } from '../engine/parameters.ts';
import { CAT } from '../engine/population.ts';
import { personProgram, type KernelContext, type ProgramColumns, type ReasonDef } from '../engine/program.ts';
import type { Category } from '../household.ts';

/**
 * The kernel shared by the flat per-person programs: members with `category` (and, with an age limit,
 * younger than it) get `amount`. Reasons: [eligible, not determined, age over limit].
 */
export function fixedAmountKernel(
  category: Category,
  amountHandle: ParamHandle,
  ageLimitHandle: ParamHandle | null,
): (ctx: KernelContext) => ProgramColumns {
  const bit = CAT[category];
  return (ctx) => {
    const { pop } = ctx;
    const amount = ctx.params.get(amountHandle);
    const limit = ageLimitHandle ? ctx.params.get(ageLimitHandle) : Infinity;
    const lastDay = ctx.month.lastDayKey;
    const { categories, birth } = pop;
    return personProgram(pop, (m) => {
      for (let p = 0; p < pop.personCount; p++) {
        if (((categories[p] as number) & bit) === 0) m.reasons[p] = 2;
        else if (!(Math.floor((lastDay - (birth[p] as number)) / 10000) < limit)) m.reasons[p] = 4;
        else {
          m.eligible[p] = 1;
          m.amount[p] = amount;
          m.reasons[p] = 1;
        }
      }
    });
  };
}

export function fixedAmountReasons(prefix: string, who: string, withAge: boolean): ReasonDef[] {
  const reasons: ReasonDef[] = [
    { code: `${prefix}_ELIGIBLE`, text: `经认定的${who}，按规定金额发放` },
    { code: `${prefix}_NOT_DETERMINED`, text: `未经认定为${who}` },
  ];
  if (withAge) reasons.push({ code: `${prefix}_AGE_OVER_LIMIT`, text: '已达到或超过年龄上限' });
  return reasons;
}
