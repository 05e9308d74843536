/**
 * The one clock: now, today and this month are Shanghai's (UTC+8 all year, no daylight saving), whatever the
 * machine's time zone. Nothing else in the code base asks the machine for the date.
 *
 * The clock is one module-level seam rather than an argument threaded through every call: "today" is read
 * deep inside validation, presenters and defaults, and passing a clock to each would touch every signature
 * for the sake of tests. Production code calls `shanghaiToday()`, `shanghaiMonth()` or `now()`; a test sets
 * the clock with `setClock(fixedClock('2026-12-01T07:59:00+08:00'))` and restores it with the function
 * `setClock` returns (vitest isolates modules per test file, so a clock set in one file never reaches
 * another). Pure functions that must stay pure take the instant as an argument (`shanghaiToday(instant)`).
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The machine's clock (the default). */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock standing still at `at`: an instant (`2026-12-01T07:59:00+08:00`, `2026-11-30T23:59:00Z`) or a
 * Shanghai date (`2026-12-01`, taken as noon in Shanghai). For tests.
 */
export function fixedClock(at: string | Date): Clock {
  const instant =
    at instanceof Date
      ? at
      : /^\d{4}-\d{2}-\d{2}$/.test(at)
        ? new Date(`${at}T12:00:00+08:00`)
        : new Date(at);
  if (Number.isNaN(instant.getTime())) throw new Error(`fixedClock: not a date or instant: ${String(at)}`);
  const ms = instant.getTime();
  return { now: () => new Date(ms) };
}

let current: Clock = systemClock;

/** Sets the clock (tests only); returns the function that puts the previous clock back. */
export function setClock(clock: Clock): () => void {
  const previous = current;
  current = clock;
  return () => {
    current = previous;
  };
}

/** The current instant, from the one clock. */
export function now(): Date {
  return current.now();
}

/** The Shanghai date of an instant (default: now) as YYYY-MM-DD. */
export function shanghaiToday(instant: Date = current.now()): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Shanghai month of an instant (default: now) as YYYY-MM. */
export function shanghaiMonth(instant: Date = current.now()): string {
  return shanghaiToday(instant).slice(0, 7);
}

/** The Shanghai calendar year of an instant (default: now). */
export function shanghaiYear(instant: Date = current.now()): number {
  return Number(shanghaiToday(instant).slice(0, 4));
}

/** The Shanghai wall time of an instant as a file-name stamp, 20260314-020000. */
export function shanghaiStamp(instant: Date): string {
  const local = new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${local.slice(0, 10).replaceAll('-', '')}-${local.slice(11, 19).replaceAll(':', '')}`;
}
