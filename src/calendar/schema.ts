import { sql } from 'drizzle-orm';
import { check, date, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * 工作日历. Two small reference tables (tens of rows a year; on Citus: reference tables). A year with a
 * row in `calendar_years` is official (its State Council notice, or the seed from chinese-days); a year
 * without one is provisional and derived from the holiday rules at run time, never stored (provisional.ts).
 */

/** One official year: where its days come from, and a version bumped by every replacement. */
export const calendarYears = pgTable(
  'calendar_years',
  {
    year: integer('year').primaryKey(),
    /** The citation: the notice's title and number or address. */
    source: text('source').notNull(),
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('calendar_years_year_chk', sql`${t.year} between 2004 and 2099`),
    check('calendar_years_version_chk', sql`${t.version} >= 1`),
  ],
);

/**
 * The days of an official year that are not ordinary: `holiday` (a day off, weekends inside a holiday
 * block included) or `workday` (a weekend day worked, 调休上班). Keyed by the notice's year, since a notice
 * may reach back into late December of the year before (元旦).
 */
export const calendarDays = pgTable(
  'calendar_days',
  {
    year: integer('year').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
  },
  (t) => [
    primaryKey({ name: 'calendar_days_year_date_pk', columns: [t.year, t.date] }),
    check('calendar_days_kind_chk', sql`${t.kind} in ('holiday', 'workday')`),
    check(
      'calendar_days_date_chk',
      sql`${t.date} between make_date(${t.year} - 1, 12, 25) and make_date(${t.year}, 12, 31)`,
    ),
  ],
);
