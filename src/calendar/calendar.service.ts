/**
 * 工作日历 service: the calendar every module counts working days with, and the one write (an administrator
 * replacing a year with the State Council's notice).
 *
 * Cache: one WorkingCalendar per store per process. A write in this process reloads it right after the
 * unit of work commits (`reloadCalendar`, called by the edge). Other processes (workers, a second server
 * on the same PostgreSQL) notice on their next use after CALENDAR_RECHECK_MS: one tiny version query
 * (count and sum of the years' versions), and a reload only when it changed. So a confirmed year reaches
 * every process within 30 seconds, and a deadline computation costs no query at all in between.
 */
import { performance } from 'node:perf_hooks';
import { CITY_DIVISION_CODE } from '../auth/scope.ts';
import type { Db, Store } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { staleVersion } from '../workflow/workflow.errors.ts';
import { checkYearInput, toYearInput, type CalendarYearInput } from './calendar-input.ts';
import {
  calendarVersion,
  lockOfficialYear,
  readOfficialYearDays,
  readOfficialYears,
  writeOfficialYear,
} from './calendar.repository.ts';
import { checkCalendarYear, WorkingCalendar, type CalendarYearView } from './working-calendar.ts';

export const CALENDAR_RECHECK_MS = 30_000;

interface Cached {
  calendar: WorkingCalendar;
  checkedAt: number;
}

const cached = new WeakMap<Store, Cached>();
const loading = new WeakMap<Store, Promise<WorkingCalendar>>();

/** Reads the calendar tables and builds a calendar (uncached; `calendarOf` is the cached way). */
export async function loadCalendar(db: Db): Promise<WorkingCalendar> {
  const version = await calendarVersion(db);
  return new WorkingCalendar(await readOfficialYears(db), version);
}

function load(store: Store): Promise<WorkingCalendar> {
  const pending = loading.get(store);
  if (pending) return pending;
  const started = performance.now();
  const promise = loadCalendar(store.db)
    .then((calendar) => {
      cached.set(store, { calendar, checkedAt: started });
      return calendar;
    })
    .finally(() => loading.delete(store));
  loading.set(store, promise);
  return promise;
}

/** The store's calendar, cached in this process and re-checked against the tables every 30 seconds. */
export async function calendarOf(store: Store): Promise<WorkingCalendar> {
  const hit = cached.get(store);
  if (!hit) return load(store);
  const at = performance.now();
  if (at - hit.checkedAt < CALENDAR_RECHECK_MS) return hit.calendar;
  if ((await calendarVersion(store.db)) === hit.calendar.version) {
    hit.checkedAt = at;
    return hit.calendar;
  }
  return load(store);
}

/** After a write has committed: this process's next calendar is read from the tables again. */
export async function reloadCalendar(store: Store): Promise<WorkingCalendar> {
  cached.delete(store);
  return load(store);
}

/** The year as the page and `calendar show` present it: its view, and its days as the input layout. */
export function presentYear(calendar: WorkingCalendar, year: number): CalendarYearView & CalendarYearInput {
  const view = calendar.view(year);
  const { holidays, workdays } = toYearInput(view.source, view.days);
  return { ...view, holidays, workdays };
}

export interface ReplacedYear {
  year: number;
  version: number;
  previousVersion: number | null;
  days: number;
  warnings: string[];
}

/**
 * Replaces a year with the official arrangement (the whole year: holidays and make-up days), checked in
 * full first. `expectedVersion` is the version the administrator saw (null: the year was provisional);
 * when given and no longer current the write is refused as stale (409). One audit record with the year
 * before and after.
 */
export async function replaceCalendarYear(
  tx: WorkTx,
  year: number,
  input: unknown,
  options: { expectedVersion?: number | null | undefined } = {},
): Promise<ReplacedYear> {
  checkCalendarYear(year);
  const checked = checkYearInput(year, input);
  const current = await lockOfficialYear(tx.db, year);
  if (options.expectedVersion !== undefined && (current?.version ?? null) !== options.expectedVersion) {
    throw staleVersion(`${year} 年工作日历`, current?.version);
  }
  const before = current
    ? { ...toYearInput(current.source, await readOfficialYearDays(tx.db, year)), version: current.version }
    : null;
  const version = await writeOfficialYear(tx.db, {
    year,
    source: checked.source,
    days: checked.days,
    at: tx.now,
  });
  tx.record({
    action: 'calendar.year_replaced',
    entityType: 'calendar_year',
    entityId: String(year),
    district: CITY_DIVISION_CODE,
    before,
    after: { ...toYearInput(checked.source, checked.days), version },
  });
  return {
    year,
    version,
    previousVersion: current?.version ?? null,
    days: checked.days.length,
    warnings: checked.warnings,
  };
}
