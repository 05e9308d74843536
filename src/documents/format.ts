import { formatYuan } from '../policy/engine/exact.ts';

/** How documents write values: money in 元 from integer fen, dates in Chinese, a dash for nothing. */

/** 123456 → "1234.56元" (integer arithmetic; never a float). */
export function yuan(fen: number): string {
  return `${formatYuan(fen)}元`;
}

/** "2026-05-06" → "2026年5月6日". */
export function chineseDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso;
}

/** "2026-05" → "2026年5月". */
export function chineseMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return m ? `${m[1]}年${Number(m[2])}月` : month;
}

export const DASH = '—';
/** The ideographic space (U+3000) between parts of a line, once or twice. */
export const SPACE = '\u3000';
export const GAP = SPACE + SPACE;

export function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? DASH : value;
}

export const yesNo = (value: boolean): string => (value ? '是' : '否');

/** A file name part from free text: path separators and control characters out, at most 60 characters. */
export function fileNamePart(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a file name must lose
  return [...value.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '-')].slice(0, 60).join('');
}
