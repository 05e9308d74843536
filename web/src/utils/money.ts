/**
 * Money in the console is integer fen, as in the API. Formatting and parsing go through BigInt and string
 * arithmetic so that no amount ever passes through a floating-point division.
 */

/** 123456 → "1,234.56" (fen → 元 with two decimals and thousands separators). */
export function formatFen(fen: number | bigint): string {
  const value = BigInt(fen);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const yuan = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${yuan}.${cents}`;
}

/** "1,234.5" → 123450; null when the text is not an amount of 元 with at most two decimals. */
export function parseYuan(text: string): number | null {
  const match = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(text.replace(/,/g, ''));
  if (!match) return null;
  const cents = (match[2] ?? '').padEnd(2, '0');
  return Number(BigInt(match[1] ?? '0') * 100n + BigInt(cents));
}
