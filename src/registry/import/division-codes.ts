/**
 * Division codes in a roster, checked against the Shanghai list (src/registry/divisions.ts) without a
 * query per row. Codes outside Shanghai are checked only for shape and province.
 */
import { divisionIndex } from '../divisions.ts';

/** GB/T 2260 province-level codes (the first two digits of every division code). */
const PROVINCES = new Set(
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(
    ' ',
  ),
);

/** 户籍地: a Shanghai district, street or committee, or a 6-digit county code elsewhere. */
export function checkHukouDivision(code: string): string | undefined {
  if (!/^(\d{6}|\d{9}|\d{12})$/.test(code)) return '户籍地区划代码应为6、9或12位数字';
  if (code.startsWith('31')) {
    const level = divisionIndex().get(code)?.level;
    if (level === 'district' || level === 'street' || level === 'committee') return undefined;
    return '未知的上海市区划代码';
  }
  if (code.length !== 6) return '外省市户籍地只填6位区县代码';
  if (!PROVINCES.has(code.slice(0, 2)) || code.endsWith('00')) return '未知的区划代码';
  return undefined;
}

export function checkCommittee(code: string): string | undefined {
  if (!/^\d{12}$/.test(code)) return '居住地居委会代码应为12位数字';
  if (divisionIndex().get(code)?.level !== 'committee') return '未知的居（村）委会代码';
  return undefined;
}
