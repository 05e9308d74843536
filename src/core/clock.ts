/**
 * The one clock: today and this month are Shanghai's (UTC+8 all year, no daylight saving), whatever the
 * machine's time zone. Callers take `now` as an argument where a test must set it.
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Today's date in Shanghai as YYYY-MM-DD. */
export function shanghaiToday(now: Date = new Date()): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}
