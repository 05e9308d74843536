/**
 * Periods of a payable (src/payroll/schema.ts): a month `YYYY-MM`, or a quarter `YYYY-Qn` (老年综合津贴, paid
 * in January, April, July and October for the quarter that month opens).
 */

export function addMonths(month: string, n: number): string {
  const total = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export function quarterOf(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
}

/** The first and last month of a quarter period. */
export function quarterMonths(period: string): { first: string; last: string } {
  const q = Number(period.slice(6));
  const first = `${period.slice(0, 4)}-${String((q - 1) * 3 + 1).padStart(2, '0')}`;
  return { first, last: addMonths(first, 2) };
}

/** Whether `month` opens a quarter (January, April, July, October), and that quarter's months. */
export function quarterOpenedBy(month: string): { opens: boolean; first: string; last: string } {
  const { first, last } = quarterMonths(quarterOf(month));
  return { opens: first === month, first, last };
}

/** Months from `from` to `to`, both included (empty when from > to). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** How many months of [first, last] lie within an entitlement's [fromMonth, toMonth ?? open]. */
export function monthsCovered(
  first: string,
  last: string,
  fromMonth: string,
  toMonth: string | null,
): number {
  const lo = first > fromMonth ? first : fromMonth;
  const hi = toMonth !== null && toMonth < last ? toMonth : last;
  return lo > hi ? 0 : monthsBetween(lo, hi).length;
}
