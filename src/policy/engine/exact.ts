/**
 * Exact integer helpers for products that may pass 2^53 (money fields go up to 2^53 − 1): the fast
 * path uses doubles when both products are safe integers, otherwise BigInt.
 */
const MAX = Number.MAX_SAFE_INTEGER;

/** a × b ≥ c × d, exactly, for non-negative whole numbers. */
export function productAtLeast(a: number, b: number, c: number, d: number): boolean {
  const left = a * b;
  const right = c * d;
  if (left <= MAX && right <= MAX) return left >= right;
  return BigInt(a) * BigInt(b) >= BigInt(c) * BigInt(d);
}

/** a × b < c × d, exactly. */
export function productBelow(a: number, b: number, c: number, d: number): boolean {
  return !productAtLeast(a, b, c, d);
}

/** floor(a × num / den), exactly, for non-negative whole numbers and den > 0. */
export function floorMulDiv(a: number, num: number, den: number): number {
  const p = a * num;
  if (p <= MAX) return Math.floor(p / den);
  return Number((BigInt(a) * BigInt(num)) / BigInt(den));
}

/** Fen as yuan with two decimals, by integer arithmetic only (12345 → "123.45"). */
export function formatYuan(fen: number): string {
  const neg = fen < 0;
  const abs = BigInt(Math.abs(fen));
  const yuan = abs / 100n;
  const cents = abs % 100n;
  return `${neg ? '-' : ''}${yuan.toString()}.${cents.toString().padStart(2, '0')}`;
}
