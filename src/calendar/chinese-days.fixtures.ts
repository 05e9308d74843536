/**
 * Test support (not a test file): chinese-days 1.5.7's official data (2004–2026) as the calendar table
 * holds it, read from the package the way the seed in migration 0009 was generated: names as the notices
 * write them (清明节, 端午节, 中秋节) and December days of 元旦 filed under the next year's notice.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CalendarDay } from './provisional.ts';
import type { OfficialYear } from './working-calendar.ts';

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const NOTICE_NAMES: Record<string, string> = { 清明: '清明节', 端午: '端午节', 中秋: '中秋节' };

export function chineseDaysData(): ChineseDaysData {
  const path = createRequire(import.meta.url).resolve('chinese-days/dist/chinese-days.json');
  return JSON.parse(readFileSync(path, 'utf8')) as ChineseDaysData;
}

/** Every day of the package's data, filed by notice year. */
export function chineseDaysRows(): (CalendarDay & { year: number })[] {
  const data = chineseDaysData();
  const rows: (CalendarDay & { year: number })[] = [];
  for (const [kind, table] of [
    ['holiday', data.holidays],
    ['workday', data.workdays],
  ] as const) {
    for (const [date, text] of Object.entries(table)) {
      const parts = text.split(',');
      const said = parts[parts.length - 2] ?? '';
      const name = NOTICE_NAMES[said] ?? said;
      const year = Number(date.slice(0, 4)) + (date.slice(5, 7) === '12' && name === '元旦' ? 1 : 0);
      rows.push({ year, date, kind, name });
    }
  }
  return rows.sort((a, b) => a.year - b.year || (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The package's years as official years (what a freshly migrated store holds). */
export function chineseDaysYears(): OfficialYear[] {
  const byYear = new Map<number, CalendarDay[]>();
  for (const { year, ...day } of chineseDaysRows()) byYear.set(year, [...(byYear.get(year) ?? []), day]);
  return [...byYear].map(([year, days]) => ({
    year,
    source: `chinese-days ${year}`,
    version: 1,
    updatedAt: null,
    days,
  }));
}
