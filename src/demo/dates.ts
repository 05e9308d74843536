import { isoOfDay, parseIsoDay } from '../calendar/days.ts';

/** Day arithmetic for the generator: days since 1970-01-01 (UTC), formatted from a table. */

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of an ISO date (the calendar's integer day arithmetic, no Date or string split). */
export const dayOf = (iso: string): number => parseIsoDay(iso);

export const isoOf = (day: number): string => isoOfDay(day);

/** The last day on which someone turns `years` old by `asOf` (29 Feb maps to 28 Feb in other years). */
export function yearsBefore(asOf: string, years: number): number {
  const [y, m, d] = asOf.split('-').map(Number);
  const date = new Date(Date.UTC(y! - years, m! - 1, d));
  if (date.getUTCMonth() !== m! - 1) date.setUTCDate(0);
  return Math.round(date.getTime() / MS_PER_DAY);
}

/** Completed years on `asOf` of someone born on `birth` (both ISO dates). */
export function ageOn(birth: string, asOf: string): number {
  const by = Number(birth.slice(0, 4));
  const ay = Number(asOf.slice(0, 4));
  return ay - by - (asOf.slice(5) < birth.slice(5) ? 1 : 0);
}

/** ISO strings for a contiguous range of days, so formatting a date is an array lookup. */
export class DayFormatter {
  private readonly table: string[];

  constructor(
    private readonly first: number,
    last: number,
  ) {
    this.table = [];
    for (let day = first; day <= last; day++) this.table.push(isoOf(day));
  }

  format(day: number): string {
    return this.table[day - this.first] ?? isoOf(day);
  }
}
