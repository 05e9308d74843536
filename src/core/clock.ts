/**
 * Shanghai's calendar: today and this month as the bureau counts them (UTC+8, no daylight saving),
 * whatever the machine's time zone. Callers pass `now` in tests instead of reading the machine clock.
 */
const SHANGHAI_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** `YYYY-MM-DD` in Shanghai. */
export function shanghaiToday(now: Date = new Date()): string {
  return SHANGHAI_DAY.format(now);
}

/** `YYYY-MM` in Shanghai: the benefit month in progress. */
export function shanghaiMonth(now: Date = new Date()): string {
  return shanghaiToday(now).slice(0, 7);
}
