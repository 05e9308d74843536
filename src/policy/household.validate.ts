import { textProblem } from '../core/text.ts';
import { dateKey, isMonth, parseMonth } from './engine/month.ts';
import {
  CATEGORIES,
  DISABILITY_KINDS,
  withDefaults,
  type PolicyHousehold,
  type PolicyHouseholdInput,
} from './household.ts';

/**
 * Hand-written validation of the interchange JSON (SPEC.md): it is on the 1,000,000-line batch path,
 * so it allocates little for valid input (no parsed copy, paths built only on failure), and it names
 * the exact field path.
 */
export class HouseholdValidationError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}：${detail}`);
    this.name = 'HouseholdValidationError';
  }
}

type Obj = Record<string, unknown>;

function fail(path: string, detail: string): never {
  throw new HouseholdValidationError(path, detail);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A whole number of fen (or a count) as the checks below accept it: the fast test before any path is built. */
function isWhole(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
}

// Paths are built only when a check fails: this runs for every field of every line of a batch.
function checkWhole(v: unknown, path: string, key: string, money: boolean): void {
  if (typeof v !== 'number' || !Number.isInteger(v))
    fail(`${path}.${key}`, money ? '金额应为整数分 (integer fen)' : '应为整数 (integer)');
  if (v < 0)
    fail(`${path}.${key}`, money ? '金额不能为负数 (negative money)' : '不能为负数 (negative count)');
  if (v > Number.MAX_SAFE_INTEGER) fail(`${path}.${key}`, '超出 2^53−1 (too large)');
}

function checkBoolean(v: unknown, path: string, key: string): void {
  if (v !== null && typeof v !== 'boolean') fail(`${path}.${key}`, '应为 true/false (boolean)');
}

function checkCategories(v: unknown, path: string): void {
  if (!Array.isArray(v)) fail(path, '应为数组 (array)');
  for (let i = 0; i < v.length; i++) {
    const c: unknown = v[i];
    if (!CATEGORIES.includes(c as never)) fail(`${path}[${i}]`, `未知类别 (unknown category)：${String(c)}`);
    if (v.indexOf(c) !== i) fail(`${path}[${i}]`, `类别重复 (duplicate category)：${String(c)}`);
  }
}

/** A member's display name: at most this many characters (a long name is a mistake, not a person). */
export const MAX_MEMBER_NAME = 50;

function checkName(v: unknown, path: string): void {
  if (v === null) return;
  if (typeof v !== 'string' || v.trim().length === 0) fail(path, '姓名应为非空文本 (non-empty string)');
  if (v.length > MAX_MEMBER_NAME) fail(path, `姓名不能超过${MAX_MEMBER_NAME}个字符 (too long)`);
  if (textProblem(v)) fail(path, '姓名含有控制字符或无效字符 (control or invalid characters)');
}

function at(membersPath: string, index: number): string {
  return `${membersPath}[${index}]`;
}

function checkMember(
  m: unknown,
  membersPath: string,
  index: number,
  lastDayKey: number,
  ids: Set<string>,
): void {
  if (!isObj(m)) fail(`${membersPath}[${index}]`, '应为对象 (object expected)');
  if (m.id === undefined || m.id === null) fail(`${at(membersPath, index)}.id`, '缺少成员编号 (required)');
  if (m.birthDate === undefined || m.birthDate === null)
    fail(`${at(membersPath, index)}.birthDate`, '缺少出生日期 (required)');
  for (const key in m) {
    const v = m[key];
    switch (key) {
      case 'id':
        if (typeof v !== 'string' || v.length === 0)
          fail(`${at(membersPath, index)}.id`, '应为非空字符串 (non-empty string)');
        if (ids.has(v)) fail(`${at(membersPath, index)}.id`, `成员编号重复 (duplicate member id)：${v}`);
        ids.add(v);
        break;
      case 'name':
        checkName(v, `${at(membersPath, index)}.name`);
        break;
      case 'birthDate': {
        if (typeof v !== 'string')
          fail(`${at(membersPath, index)}.birthDate`, '应为 YYYY-MM-DD 日期 (date string)');
        const k = dateKey(v);
        if (k === null) fail(`${at(membersPath, index)}.birthDate`, `不是有效日期 (impossible date)：${v}`);
        if (k > lastDayKey)
          fail(
            `${at(membersPath, index)}.birthDate`,
            `出生日期晚于计算月份的最后一天 (birth after the month)：${v}`,
          );
        break;
      }
      case 'wageFen':
      case 'pensionFen':
      case 'otherIncomeFen':
        // a member's path is built only for a bad value (three money fields per member of a batch)
        if (v !== null && !isWhole(v)) checkWhole(v, at(membersPath, index), key, true);
        break;
      case 'seriousIllness':
      case 'employed':
      case 'hasSupporter':
        if (v !== null && typeof v !== 'boolean') checkBoolean(v, at(membersPath, index), key);
        break;
      case 'hukou':
        if (v !== null && v !== 'shanghai' && v !== 'other')
          fail(`${at(membersPath, index)}.hukou`, '户籍应为 shanghai 或 other');
        break;
      case 'disabilityGrade':
        if (v !== null && v !== 1 && v !== 2 && v !== 3 && v !== 4)
          fail(`${at(membersPath, index)}.disabilityGrade`, '残疾等级应为 1–4 或 null');
        break;
      case 'disabilityKind':
        if (v !== null && !DISABILITY_KINDS.includes(v as never))
          fail(`${at(membersPath, index)}.disabilityKind`, `残疾类别应为 ${DISABILITY_KINDS.join('/')} 之一`);
        break;
      case 'categories':
        if (v !== null) checkCategories(v, `${at(membersPath, index)}.categories`);
        break;
      default:
        fail(`${at(membersPath, index)}.${key}`, '未知字段 (unknown field)');
    }
  }
}

/**
 * Checks a household object for month `month` and returns it typed (defaults not yet applied).
 * Throws HouseholdValidationError naming the field path, e.g. `household.members[1].birthDate`.
 */
export function checkHousehold(raw: unknown, lastDayKey: number, path = 'household'): PolicyHouseholdInput {
  if (!isObj(raw)) fail(path, '应为对象 (object expected)');
  if (!('members' in raw)) fail(`${path}.members`, '缺少成员列表 (required)');
  for (const key in raw) {
    const v = raw[key];
    switch (key) {
      case 'members': {
        if (!Array.isArray(v)) fail(`${path}.members`, '应为数组 (array)');
        if (v.length === 0) fail(`${path}.members`, '成员列表不能为空 (empty member list)');
        const ids = new Set<string>();
        const membersPath = `${path}.members`;
        for (let i = 0; i < v.length; i++) checkMember(v[i], membersPath, i, lastDayKey, ids);
        break;
      }
      case 'monetaryAssetsFen':
      case 'medicalExpenseAnnualFen':
      case 'educationExpenseAnnualFen':
      case 'renovationCostFen':
        if (v !== null) checkWhole(v, path, key, true);
        break;
      case 'vehicles':
      case 'homes':
      case 'temporaryAssistanceMonths':
        if (v !== null) checkWhole(v, path, key, false);
        break;
      case 'perCapitaFloorAreaBelowAverage':
        checkBoolean(v, path, key);
        break;
      default:
        fail(`${path}.${key}`, '未知字段 (unknown field)');
    }
  }
  return raw as PolicyHouseholdInput;
}

let cachedMonth = '';
let cachedLastDay = 0;

/** The month's last day, cached: a batch validates a million lines against the same month. */
function lastDayKeyOf(month: string): number {
  if (month !== cachedMonth) {
    cachedLastDay = parseMonth(month).lastDayKey;
    cachedMonth = month;
  }
  return cachedLastDay;
}

/** A request line/file `{"month"?, "household"}`; `monthOverride` (the CLI's --month) wins over the file. */
export function checkHouseholdRequest(
  raw: unknown,
  monthOverride?: string,
): { month: string; household: PolicyHouseholdInput } {
  if (!isObj(raw)) fail('(根)', '应为 JSON 对象 (object expected)');
  for (const key in raw) if (key !== 'month' && key !== 'household') fail(key, '未知字段 (unknown field)');
  const fileMonth = raw.month;
  if (fileMonth !== undefined && fileMonth !== null && (typeof fileMonth !== 'string' || !isMonth(fileMonth)))
    fail('month', '月份格式应为 YYYY-MM');
  const month = monthOverride ?? (typeof fileMonth === 'string' ? fileMonth : undefined);
  if (month === undefined) fail('month', '缺少计算月份：请在文件中给出 month 或使用 --month');
  if (!isMonth(month)) fail('month', `月份格式应为 YYYY-MM：${month}`);
  if (!('household' in raw)) fail('household', '缺少 household (required)');
  return { month, household: checkHousehold(raw.household, lastDayKeyOf(month)) };
}

/** The API's entry point: validates a request and returns it with SPEC.md's defaults applied. */
export function validateHousehold(
  raw: unknown,
  monthOverride?: string,
): { month: string; household: PolicyHousehold } {
  const { month, household } = checkHouseholdRequest(raw, monthOverride);
  return { month, household: withDefaults(household) };
}
