/** A benefit month `YYYY-MM` and the day keys the engine compares against (yyyymmdd integers). */
export interface BenefitMonth {
  readonly month: string;
  readonly year: number;
  /** `YYYY-MM-01`: the parameter value in force on this day applies to the whole month. */
  readonly firstDay: string;
  /** The month's last day as yyyymmdd; ages are completed years on this day. */
  readonly lastDayKey: number;
  readonly lastDay: string;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(text: string): boolean {
  return MONTH_RE.test(text);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS[month - 1] ?? 0);
}

export function parseMonth(text: string): BenefitMonth {
  const m = MONTH_RE.exec(text);
  if (!m) throw new Error(`月份格式应为 YYYY-MM (month must be YYYY-MM)：${text}`);
  const year = Number(m[1]);
  const mm = Number(m[2]);
  const last = daysInMonth(year, mm);
  return {
    month: text,
    year,
    firstDay: `${text}-01`,
    lastDayKey: year * 10000 + mm * 100 + last,
    lastDay: `${text}-${String(last).padStart(2, '0')}`,
  };
}

function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

/** `YYYY-MM-DD` → yyyymmdd, or null when the text is not a real calendar date (hand-parsed: batch hot path). */
export function dateKey(text: string): number | null {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  const y = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3);
  const mo = digit(text, 5) * 10 + digit(text, 6);
  const d = digit(text, 8) * 10 + digit(text, 9);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return y * 10000 + mo * 100 + d;
}

/**
 * Completed years on the day `onKey` for a birth on `birthKey` (both yyyymmdd). The yyyymmdd difference
 * divided by 10000 counts a year only once month-and-day are reached, so a 29 February birthday is
 * reached on 1 March in a year without 29 February (0228 < 0229).
 */
export function ageOn(birthKey: number, onKey: number): number {
  return Math.floor((onKey - birthKey) / 10000);
}
