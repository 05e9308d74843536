/**
 * The periods an imported entitlement was paid before going live, each with its amount: one ledger
 * `opening` entry each. A monthly program: every month from the start to the last paid. A quarterly one
 * (老年综合津贴): each quarter `YYYY-Qn` with the months of it in that range (the first quarter may be
 * partial: the entitlement started in its middle).
 */
import { addMonths, type RecipientRow } from './rows.ts';

export interface OpeningPeriod {
  period: string;
  amountFen: number;
}

export const quarterOf = (month: string): string =>
  `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;

export function openingPeriods(
  r: Pick<RecipientRow, 'schedule' | 'startMonth' | 'lastPaidMonth' | 'amountFen'>,
): OpeningPeriod[] {
  const out: OpeningPeriod[] = [];
  for (let m = r.startMonth; m <= r.lastPaidMonth; m = addMonths(m, 1)) {
    const period = r.schedule === 'quarterly' ? quarterOf(m) : m;
    const last = out.at(-1);
    if (last && last.period === period) last.amountFen += r.amountFen;
    else out.push({ period, amountFen: r.amountFen });
  }
  return out;
}
