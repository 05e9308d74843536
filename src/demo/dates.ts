/** Day arithmetic for the generator: days since 1970-01-01 (UTC), formatted from a table. */
const MS_PER_DAY = 86_400_000;

/**
 * Days since 1970-01-01 of an ISO date, by integer arithmetic on its digits (H. Hinnant's days_from_civil):
 * the generator reads millions of dates, and splitting each into strings cost more than the rest of it.
 */
export function dayOf(iso: string): number {
  const digits = (from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) n = n * 10 + iso.charCodeAt(i) - 48;
    return n;
  };
  const month = digits(5, 7);
  const y = digits(0, 4) - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + digits(8, 10) - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function isoOf(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

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
