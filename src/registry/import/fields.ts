/**
 * Parsers for single roster cells (already reduced to trimmed text). Each returns the value or a reason
 * in Chinese; none of them uses floating point: money goes from text straight to integer fen.
 */
import { isValidIsoDate } from '../id-number.ts';
import type { Category } from '../../policy/household.ts';
import {
  CATEGORY_BY_NAME,
  CATEGORY_NAMES,
  DISABILITY_CATEGORY_NAMES,
  DISABILITY_GRADE_NAMES,
  RELATION_BY_NAME,
  RELATION_NAMES,
} from './code-names.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

/** Largest money amount accepted: 999,999,999,999.99 yuan stays far inside integer precision in fen. */
const MAX_YUAN_DIGITS = 12;

/** '1234.5' → 123450 fen, by string arithmetic only. */
export function parseYuanToFen(text: string): Parsed<number> {
  const value = text.replaceAll(',', '');
  if (/^-/.test(value)) return fail('金额不能为负数');
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return fail('金额格式错误：应为以元为单位的数字，如 1234.50');
  const [, whole = '', decimals = ''] = m;
  if (decimals.length > 2) return fail('金额最多两位小数（精确到分）');
  const digits = whole.replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_YUAN_DIGITS) return fail('金额过大');
  return ok(Number(digits + decimals.padEnd(2, '0')));
}

/** Renders fen as yuan text with two decimals ('123450' → '1234.50'), again without floating point. */
export function formatFen(fen: number | string): string {
  const text = String(fen).padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

export function parseCount(text: string, max: number): Parsed<number> {
  if (/^-/.test(text)) return fail('不能为负数');
  if (!/^\d+$/.test(text)) return fail('应为非负整数');
  const n = Number(text);
  if (n > max) return fail(`不能大于 ${max}`);
  return ok(n);
}

/** YYYY-MM-DD (YYYY/MM/DD and YYYY.MM.DD are accepted and normalized). */
export function parseDate(text: string): Parsed<string> {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (!m) return fail('日期格式错误：应为 YYYY-MM-DD');
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  if (!isValidIsoDate(iso)) return fail('日期不存在');
  if (iso < '1880-01-01') return fail('日期过早');
  return ok(iso);
}

export function parseSex(text: string): Parsed<1 | 2> {
  switch (text) {
    case '男':
    case '男性':
    case '1':
      return ok(1);
    case '女':
    case '女性':
    case '2':
      return ok(2);
    default:
      return fail('性别应为 男/女 或 1/2');
  }
}

export function parseYesNo(text: string): Parsed<boolean> {
  if (text === '是' || text === 'Y' || text === 'y' || text === '1') return ok(true);
  if (text === '否' || text === 'N' || text === 'n' || text === '0') return ok(false);
  return fail('应为 是/否');
}

export function parseRelation(text: string): Parsed<string> {
  const code = /^\d$/.test(text) ? `0${text}` : text;
  if (RELATION_NAMES[code] !== undefined) return ok(code);
  const byName = RELATION_BY_NAME.get(text);
  if (byName !== undefined) return ok(byName);
  return fail('与户主关系应为 GB/T 4761 家庭关系代码（如 02 户主、10 配偶、20 子、30 女）或其名称');
}

function parseCoded(text: string, names: Readonly<Record<number, string>>, what: string): Parsed<number> {
  const asNumber = Number(text);
  if (/^\d$/.test(text) && names[asNumber] !== undefined) return ok(asNumber);
  for (const [code, name] of Object.entries(names)) if (name === text) return ok(Number(code));
  const list = Object.entries(names)
    .map(([code, name]) => `${code} ${name}`)
    .join('、');
  return fail(`${what}应为：${list}`);
}

export const parseDisabilityCategory = (text: string) =>
  parseCoded(text, DISABILITY_CATEGORY_NAMES, '残疾类别');
export const parseDisabilityGrade = (text: string) => parseCoded(text, DISABILITY_GRADE_NAMES, '残疾等级');

export function parseCategories(text: string): Parsed<Category[]> {
  const result: Category[] = [];
  for (const part of text.split(/[、,，;；\s]+/)) {
    if (part === '') continue;
    const category = part in CATEGORY_NAMES ? (part as Category) : CATEGORY_BY_NAME.get(part);
    if (category === undefined)
      return fail(`未知的特殊类别“${part}”；可选：${Object.values(CATEGORY_NAMES).join('、')}`);
    if (!result.includes(category)) result.push(category);
  }
  return ok(result);
}

export function parseHouseholdNo(text: string): Parsed<string> {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(text)) return fail('户编号只能包含字母、数字、短横线或下划线，至多32位');
  return ok(text);
}

export function parsePhone(text: string): Parsed<string> {
  if (!/^[0-9+\-() ]{5,20}$/.test(text)) return fail('联系电话格式错误');
  return ok(text);
}
