/**
 * Working days: the calendar as the later modules use it. Built from the official years (the calendar
 * table) and, for every other year, the provisional calendar derived from the rules; pure and synchronous,
 * so that a module computing deadlines for thousands of cases pays a few array reads per deadline.
 *
 * Counting (《民法典》第二百零一条: the day a period starts from is not counted): `addWorkingDays(d, n)` is
 * the n-th working day after d (the n-th before d when n < 0; d itself when n = 0); `workingDaysBetween(a,
 * b)` counts the working days in (a, b], negated when b < a (so it is antisymmetric), and
 * `workingDaysBetween(d, addWorkingDays(d, n)) = n` for n ≥ 0, and for n < 0 when d is a working day.
 */
import { CalendarError } from './calendar.errors.ts';
import { daysFromCivil, daysInYear, isoOfDay, isWeekendDay, parseIsoDay, yearOfDay } from './days.ts';
import {
  NEW_YEAR_REACH_DAYS,
  provisionalYear,
  type CalendarDay,
  type ProvisionalYear,
} from './provisional.ts';

/** The years the calendar answers for: official data starts in 2004; the lunar table ends in 2100. */
export const CALENDAR_FIRST_YEAR = 2004;
export const CALENDAR_LAST_YEAR = 2099;

export type YearStatus = 'official' | 'provisional';

export const YEAR_STATUS_NAMES: Record<YearStatus, string> = { official: '官方', provisional: '暂定' };

/** An official year as the calendar table holds it. */
export interface OfficialYear {
  year: number;
  source: string;
  version: number;
  updatedAt: string | null;
  days: CalendarDay[];
}

/**
 * A deadline as modules store it with their record: the due date, the count and start it was computed
 * from, the calendar it was computed with (`工作日历 2026 官方、2027 暂定`), and whether any provisional
 * year was involved — such a deadline is recomputed (`recompute`) once the year is confirmed.
 */
export interface Deadline {
  due: string;
  workingDays: number;
  from: string;
  rule: string;
  provisional: boolean;
}

/** What one year looks like: its status, citation and the days that are not ordinary. */
export interface CalendarYearView {
  year: number;
  status: YearStatus;
  source: string;
  version: number | null;
  updatedAt: string | null;
  /** Holidays (days off) and make-up working days of this year's arrangement, by date. */
  days: CalendarDay[];
  /** Working days from 1 January to 31 December (the next year's notice included for late December). */
  workingDays: number;
  /** For a provisional year: the rules it was derived from. */
  basis: ProvisionalYear['basis'] | null;
}

interface YearTable {
  year: number;
  firstDay: number;
  /** 1 for a working day, by day of the year. */
  working: Uint8Array;
  /** cum[i] = working days among the first i days of the year. */
  cum: Int32Array;
  total: number;
  /** Day of the year from which the days are provisional (the year's length when none is). */
  provisionalFrom: number;
}

const FIRST_DAY = daysFromCivil(CALENDAR_FIRST_YEAR, 1, 1);
const LAST_DAY = daysFromCivil(CALENDAR_LAST_YEAR, 12, 31);

function outOfRange(what: string): CalendarError {
  return new CalendarError(
    'out_of_range',
    `${what}超出工作日历的范围（${CALENDAR_FIRST_YEAR}—${CALENDAR_LAST_YEAR} 年）`,
  );
}

export function checkCalendarYear(year: number): void {
  if (!Number.isInteger(year) || year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR)
    throw outOfRange(`年份 ${String(year)} `);
}

export class WorkingCalendar {
  private readonly official: ReadonlyMap<number, OfficialYear>;
  private readonly tables: (YearTable | undefined)[] = [];

  /** `version` identifies the table contents it was built from (the cache compares it). */
  constructor(
    official: Iterable<OfficialYear>,
    readonly version = '',
  ) {
    this.official = new Map([...official].map((y) => [y.year, y]));
  }

  status(year: number): YearStatus {
    return this.official.has(year) ? 'official' : 'provisional';
  }

  /** The official years held, ascending. */
  officialYears(): OfficialYear[] {
    return [...this.official.values()].sort((a, b) => a.year - b.year);
  }

  /** A year's own arrangement: the official days, or those derived from the rules. */
  arrangement(year: number): CalendarDay[] {
    return this.official.get(year)?.days ?? provisionalYear(year).days;
  }

  view(year: number): CalendarYearView {
    checkCalendarYear(year);
    const official = this.official.get(year);
    const table = this.table(year);
    if (official) {
      return {
        year,
        status: 'official',
        source: official.source,
        version: official.version,
        updatedAt: official.updatedAt,
        days: official.days,
        workingDays: table.total,
        basis: null,
      };
    }
    const derived = provisionalYear(year);
    return {
      year,
      status: 'provisional',
      source: `暂定：据${derived.basis.statutory.source.split('（')[0] ?? ''}及放假调休原则推算，待国务院办公厅公布后由管理员导入`,
      version: null,
      updatedAt: null,
      days: derived.days,
      workingDays: table.total,
      basis: derived.basis,
    };
  }

  private table(year: number): YearTable {
    const slot = year - CALENDAR_FIRST_YEAR;
    const hit = this.tables[slot];
    if (hit) return hit;
    const firstDay = daysFromCivil(year, 1, 1);
    const length = daysInYear(year);
    const working = new Uint8Array(length);
    for (let i = 0; i < length; i++) working[i] = isWeekendDay(firstDay + i) ? 0 : 1;
    const apply = (days: readonly CalendarDay[]) => {
      for (const d of days) {
        const i = parseIsoDay(d.date) - firstDay;
        if (i >= 0 && i < length) working[i] = d.kind === 'workday' ? 1 : 0;
      }
    };
    apply(this.arrangement(year));
    // The next year's notice decides late December when it reaches back (元旦 on a Tuesday, say).
    const nextKnown = year < CALENDAR_LAST_YEAR;
    if (nextKnown) apply(this.arrangement(year + 1));
    const cum = new Int32Array(length + 1);
    for (let i = 0; i < length; i++) cum[i + 1] = (cum[i] ?? 0) + (working[i] ?? 0);
    const provisionalFrom =
      this.status(year) === 'provisional'
        ? 0
        : !nextKnown || this.status(year + 1) === 'provisional'
          ? length - NEW_YEAR_REACH_DAYS
          : length;
    const table: YearTable = { year, firstDay, working, cum, total: cum[length] ?? 0, provisionalFrom };
    this.tables[slot] = table;
    return table;
  }

  private tableOfDay(day: number, what: string): YearTable {
    if (day < FIRST_DAY || day > LAST_DAY) throw outOfRange(what);
    return this.table(yearOfDay(day));
  }

  isWorkingDay(iso: string): boolean {
    const day = parseIsoDay(iso);
    const t = this.tableOfDay(day, `日期 ${iso} `);
    return t.working[day - t.firstDay] === 1;
  }

  /** The n-th working day after `startIso` (before it when n < 0; `startIso` itself when n = 0). */
  addWorkingDays(startIso: string, n: number): string {
    return isoOfDay(this.addDays(parseIsoDay(startIso, '起算日期'), n, startIso));
  }

  private addDays(start: number, n: number, startIso: string): number {
    if (!Number.isSafeInteger(n)) throw new CalendarError('validation', `工作日数应为整数：${String(n)}`);
    let t = this.tableOfDay(start, `起算日期 ${startIso} `);
    if (n === 0) return start;
    const beyond = () => outOfRange(`自 ${startIso} 起 ${n} 个工作日`);
    let idx = start - t.firstDay;
    // The target as an ordinal among the working days of year t (1 = the year's first working day).
    let ordinal = n > 0 ? (t.cum[idx + 1] ?? 0) + n : (t.cum[idx] ?? 0) + n + 1;
    while (ordinal > t.total) {
      ordinal -= t.total;
      if (t.year === CALENDAR_LAST_YEAR) throw beyond();
      t = this.table(t.year + 1);
    }
    while (ordinal < 1) {
      if (t.year === CALENDAR_FIRST_YEAR) throw beyond();
      t = this.table(t.year - 1);
      ordinal += t.total;
    }
    // The first day of the year whose running count reaches the ordinal: a working day.
    let lo = 0;
    let hi = t.working.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((t.cum[mid + 1] ?? 0) >= ordinal) hi = mid;
      else lo = mid + 1;
    }
    idx = lo;
    return t.firstDay + idx;
  }

  /** Working days in (a, b]; negative when b is before a. */
  workingDaysBetween(aIso: string, bIso: string): number {
    const a = parseIsoDay(aIso, '开始日期');
    const b = parseIsoDay(bIso, '结束日期');
    if (b < a) return 0 - this.countBetween(b, a, bIso, aIso);
    return this.countBetween(a, b, aIso, bIso);
  }

  private countBetween(a: number, b: number, aIso: string, bIso: string): number {
    const ta = this.tableOfDay(a, `日期 ${aIso} `);
    const tb = this.tableOfDay(b, `日期 ${bIso} `);
    const through = (t: YearTable, day: number) => t.cum[day - t.firstDay + 1] ?? 0;
    if (ta.year === tb.year) return through(tb, b) - through(ta, a);
    let count = ta.total - through(ta, a);
    for (let y = ta.year + 1; y < tb.year; y++) count += this.table(y).total;
    return count + through(tb, b);
  }

  /** The deadline `workingDays` working days after `fromIso`, with the calendar it was computed with. */
  deadline(fromIso: string, workingDays: number): Deadline {
    const from = parseIsoDay(fromIso, '起算日期');
    const due = this.addDays(from, workingDays, fromIso);
    return {
      due: isoOfDay(due),
      workingDays,
      from: fromIso,
      ...this.ruleFor(Math.min(from, due), Math.max(from, due)),
    };
  }

  /** A stored deadline computed again with the calendar as it is now (after a year was confirmed). */
  recompute(deadline: Pick<Deadline, 'from' | 'workingDays'>): Deadline {
    return this.deadline(deadline.from, deadline.workingDays);
  }

  /**
   * The calendar behind the days first…last: each year touched with its status, and the next year too when
   * the span reaches late December of a year whose successor is provisional (its notice may reach back).
   */
  ruleFor(first: number, last: number): { rule: string; provisional: boolean } {
    const parts: string[] = [];
    let provisional = false;
    const lastTable = this.tableOfDay(last, '日期 ');
    const firstYear = this.tableOfDay(first, '日期 ').year;
    const years: number[] = [];
    for (let y = firstYear; y <= lastTable.year; y++) years.push(y);
    if (last - lastTable.firstDay >= lastTable.provisionalFrom && this.status(lastTable.year) === 'official')
      years.push(lastTable.year + 1);
    for (const y of years) {
      const status = y > CALENDAR_LAST_YEAR ? 'provisional' : this.status(y);
      if (status === 'provisional') provisional = true;
      parts.push(`${y} ${YEAR_STATUS_NAMES[status]}`);
    }
    return { rule: `工作日历 ${parts.join('、')}`, provisional };
  }
}

/**
 * Whether a stored provisional deadline may change when `year` is confirmed: its span (from … due, either
 * order) touches the year, or late December before it (the year's notice may reach back for 元旦).
 */
export function deadlineTouchesYear(
  deadline: Pick<Deadline, 'from' | 'due' | 'provisional'>,
  year: number,
): boolean {
  if (!deadline.provisional) return false;
  const [first, last] =
    deadline.from <= deadline.due ? [deadline.from, deadline.due] : [deadline.due, deadline.from];
  const windowStart = isoOfDay(daysFromCivil(year - 1, 12, 31) - NEW_YEAR_REACH_DAYS + 1);
  return last >= windowStart && first <= `${year}-12-31`;
}
