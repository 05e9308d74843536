import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import type { CalendarDay, DayKind } from './provisional.ts';
import { calendarDays, calendarYears } from './schema.ts';
import type { OfficialYear } from './working-calendar.ts';

/** SQL access to the calendar tables (the only SQL of the calendar module). */

/** Every official year with its days: a few hundred rows, read whole. */
export async function readOfficialYears(db: Db): Promise<OfficialYear[]> {
  const years = await db.select().from(calendarYears).orderBy(asc(calendarYears.year));
  const days = await db
    .select()
    .from(calendarDays)
    .orderBy(asc(calendarDays.year), asc(calendarDays.date), asc(calendarDays.kind));
  const byYear = new Map<number, CalendarDay[]>();
  for (const d of days) {
    const list = byYear.get(d.year) ?? [];
    list.push({ date: d.date, kind: d.kind as DayKind, name: d.name });
    byYear.set(d.year, list);
  }
  return years.map((y) => ({
    year: y.year,
    source: y.source,
    version: y.version,
    updatedAt: y.updatedAt.toISOString(),
    days: byYear.get(y.year) ?? [],
  }));
}

/** One official year's days (in the caller's transaction). */
export async function readOfficialYearDays(db: Db, year: number): Promise<CalendarDay[]> {
  const rows = await db
    .select({ date: calendarDays.date, kind: calendarDays.kind, name: calendarDays.name })
    .from(calendarDays)
    .where(eq(calendarDays.year, year))
    .orderBy(asc(calendarDays.date));
  return rows.map((d) => ({ date: d.date, kind: d.kind as DayKind, name: d.name }));
}

/**
 * What identifies the tables' contents: the number of official years and the sum of their versions. Every
 * replacement bumps a version and years are never deleted, so any write changes it. One index-only scan of
 * a hundred rows at most.
 */
export async function calendarVersion(db: Db): Promise<string> {
  const [row] = await selectRows<{ years: number; versions: number }>(
    db,
    sql`select count(*)::int as years, coalesce(sum(version), 0)::int as versions from calendar_years`,
  );
  return `${row?.years ?? 0}:${row?.versions ?? 0}`;
}

/** Advisory lock class of calendar writes (the second key is the year). */
const CALENDAR_LOCK = 90_901;

/**
 * The year's row, with the year locked for the rest of the transaction: a concurrent import of the same
 * year, even a first one (no row to lock yet), waits and then sees the new version.
 */
export async function lockOfficialYear(
  db: Db,
  year: number,
): Promise<{ year: number; source: string; version: number } | undefined> {
  await db.execute(sql`select pg_advisory_xact_lock(${CALENDAR_LOCK}::int, ${year}::int)`);
  const [row] = await db
    .select({ year: calendarYears.year, source: calendarYears.source, version: calendarYears.version })
    .from(calendarYears)
    .where(eq(calendarYears.year, year));
  return row;
}

/** Replaces a year's days and citation; returns the new version. */
export async function writeOfficialYear(
  db: Db,
  input: { year: number; source: string; days: readonly CalendarDay[]; at: Date },
): Promise<number> {
  const [row] = await db
    .insert(calendarYears)
    .values({ year: input.year, source: input.source, version: 1, updatedAt: input.at })
    .onConflictDoUpdate({
      target: calendarYears.year,
      set: { source: input.source, version: sql`${calendarYears.version} + 1`, updatedAt: input.at },
    })
    .returning({ version: calendarYears.version });
  await db.delete(calendarDays).where(eq(calendarDays.year, input.year));
  if (input.days.length > 0) {
    await db
      .insert(calendarDays)
      .values(input.days.map((d) => ({ year: input.year, date: d.date, kind: d.kind, name: d.name })));
  }
  return row?.version ?? 1;
}
