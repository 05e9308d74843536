/**
 * The console's clock: today and this month are Shanghai's (UTC+8 all year), computed from the browser's
 * time whatever time zone the browser is set to — the server's rule (src/core/clock.ts). A browser in UTC
 * would otherwise call 07:59 on 1 December in Shanghai "30 November".
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The Shanghai date of an instant (default: now) as YYYY-MM-DD. */
export function shanghaiToday(now: Date = new Date()): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Shanghai month of an instant (default: now) as YYYY-MM. */
export function shanghaiMonth(now: Date = new Date()): string {
  return shanghaiToday(now).slice(0, 7);
}

/** The Shanghai year of an instant (default: now). */
export function shanghaiYear(now: Date = new Date()): number {
  return Number(shanghaiToday(now).slice(0, 4));
}

/** An ISO instant as Shanghai wall time, "2026-12-01 09:05", whatever the browser's time zone. */
export function shanghaiDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Date(date.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
