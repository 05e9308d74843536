import { shanghaiToday } from '../core/clock.ts';
import type { DataScope } from '../auth/scope.ts';
import { inScope } from '../auth/scope.ts';
import type { Category } from '../policy/household.ts';
import {
  CATEGORY_LIST,
  DISABILITY_CATEGORIES,
  DISABILITY_GRADES,
  isCategory,
  isDisabilityCategory,
  isDisabilityGrade,
  isRelationCode,
  isSexCode,
  MARITAL_STATUS_CODES,
} from './codes.ts';
import {
  divisionIndex,
  divisionLevel,
  DIVISION_LEVEL_NAMES,
  type Division,
  type DivisionLevel,
} from './divisions.ts';
import { isValidIsoDate, validateIdNumber } from './id-number.ts';
import { nameInitials } from './pinyin.ts';
import { RegistryError } from './registry.errors.ts';
import type { NewPersonInput, PersonRecord } from './registry.types.ts';

/**
 * Input rules of the registry, pure (no database): each check returns Chinese problems naming the
 * field, so that the service, the importer and the API report every problem of a record at once.
 */
export interface Problem {
  field: string;
  message: string;
}

const MAX_FEN = Number.MAX_SAFE_INTEGER;

/** Today in Shanghai (a birth or move dated today must not be refused before 08:00). */
export function todayIso(): string {
  return shanghaiToday();
}

export function checkDate(problems: Problem[], field: string, value: string, label: string): boolean {
  if (!isValidIsoDate(value)) {
    problems.push({ field, message: `${label}「${value}」不是有效日期，应为 YYYY-MM-DD` });
    return false;
  }
  return true;
}

/** Throws when `code` is not a known Shanghai division of `level`, or lies outside `scope`. */
export function assertDivision(
  code: string,
  level: DivisionLevel,
  scope?: DataScope,
  field = 'divisionCode',
): Division {
  const division = divisionIndex().get(code);
  if (!division) throw new RegistryError('validation', `区划代码「${code}」不存在`, field);
  if (division.level !== level) {
    throw new RegistryError(
      'validation',
      `区划代码「${code}」（${division.name}）是${DIVISION_LEVEL_NAMES[division.level]}，此处需要${DIVISION_LEVEL_NAMES[level]}`,
      field,
    );
  }
  if (scope && !inScope(scope, code)) {
    throw new RegistryError('out_of_scope', `区划「${division.name}」（${code}）不在您的数据范围内`, field);
  }
  return division;
}

/**
 * 户籍地: a Shanghai street or committee in the division table, or the 6-digit code of a place outside
 * Shanghai (GB/T 2260; not checked against a national list, which the project does not carry).
 */
function checkHukou(problems: Problem[], field: string, code: string): void {
  const level = divisionLevel(code);
  if (code.startsWith('31')) {
    if (!divisionIndex().get(code) || (level !== 'district' && level !== 'street' && level !== 'committee')) {
      problems.push({ field, message: `户籍地区划代码「${code}」不是有效的上海市区、街道或居委会代码` });
    }
  } else if (!/^[1-8]\d{5}$/.test(code)) {
    problems.push({ field, message: `户籍地区划代码「${code}」无效：外省市应为6位区划代码` });
  }
}

function checkFen(problems: Problem[], field: string, value: number | undefined, label: string): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_FEN) {
    problems.push({ field, message: `${label}应为不小于0的整数（单位：分）` });
  }
}

/**
 * Validates a new person and builds its record (without district, id and residence, which the
 * household decides). `prefix` names the field path in messages ("members[1].person").
 */
export function validateNewPerson(
  input: NewPersonInput,
  options: { today: string; prefix?: string },
):
  | { ok: true; record: Omit<PersonRecord, 'districtCode' | 'id' | 'residenceDivisionCode'> }
  | { ok: false; problems: Problem[] } {
  const p = options.prefix ? `${options.prefix}.` : '';
  const problems: Problem[] = [];
  const name = input.name.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > 50)
    problems.push({ field: `${p}name`, message: '姓名不能为空，且不超过50个字' });
  if (!isSexCode(input.sex))
    problems.push({ field: `${p}sex`, message: `性别代码「${input.sex}」无效（GB/T 2261.1：0、1、2、9）` });
  const birthOk = checkDate(problems, `${p}birthDate`, input.birthDate, '出生日期');
  if (birthOk && input.birthDate > options.today)
    problems.push({ field: `${p}birthDate`, message: '出生日期不能晚于今天' });
  let idNumber = input.idNumber;
  if (birthOk) {
    const id = validateIdNumber(input.idNumber, {
      birthDate: input.birthDate,
      sex: input.sex,
      today: options.today,
    });
    if (id.ok) idNumber = id.value;
    else problems.push({ field: `${p}idNumber`, message: id.message });
  }
  const deathDate = input.deathDate ?? null;
  if (deathDate !== null && checkDate(problems, `${p}deathDate`, deathDate, '死亡日期')) {
    if (birthOk && deathDate < input.birthDate)
      problems.push({ field: `${p}deathDate`, message: '死亡日期不能早于出生日期' });
    if (deathDate > options.today) problems.push({ field: `${p}deathDate`, message: '死亡日期不能晚于今天' });
  }
  if (input.maritalStatus != null && !Object.hasOwn(MARITAL_STATUS_CODES, input.maritalStatus)) {
    problems.push({
      field: `${p}maritalStatus`,
      message: `婚姻状况代码「${input.maritalStatus}」无效（GB/T 2261.2）`,
    });
  }
  if (input.ethnicity != null && !/^\d{2}$/.test(input.ethnicity)) {
    problems.push({
      field: `${p}ethnicity`,
      message: `民族代码「${input.ethnicity}」无效（GB/T 3304 两位数字）`,
    });
  }
  if (input.phone != null && !/^[0-9+\-() ]{5,20}$/.test(input.phone)) {
    problems.push({ field: `${p}phone`, message: '联系电话格式无效' });
  }
  checkHukou(problems, `${p}hukouDivisionCode`, input.hukouDivisionCode);
  const category = input.disabilityCategory ?? null;
  const grade = input.disabilityGrade ?? null;
  if (category !== null && !isDisabilityCategory(category)) {
    problems.push({
      field: `${p}disabilityCategory`,
      message: `残疾类别应为1–7（${Object.values(DISABILITY_CATEGORIES).join('、')}）`,
    });
  }
  if (grade !== null && !isDisabilityGrade(grade)) {
    problems.push({
      field: `${p}disabilityGrade`,
      message: `残疾等级应为1–4（${Object.values(DISABILITY_GRADES).join('、')}）`,
    });
  }
  if ((category === null) !== (grade === null)) {
    problems.push({ field: `${p}disabilityGrade`, message: '残疾类别与残疾等级须同时填写或同时为空' });
  }
  const categories: Category[] = [];
  for (const [i, c] of (input.categories ?? []).entries()) {
    if (!isCategory(c)) {
      problems.push({
        field: `${p}categories[${i}]`,
        message: `特殊类别「${c}」无效，应为：${CATEGORY_LIST.join('、')}`,
      });
    } else if (!categories.includes(c)) categories.push(c);
  }
  checkFen(problems, `${p}wageFen`, input.wageFen, '工资收入');
  checkFen(problems, `${p}pensionFen`, input.pensionFen, '养老金');
  checkFen(problems, `${p}otherIncomeFen`, input.otherIncomeFen, '其他收入');
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    record: {
      idNumber,
      name,
      nameInitials: nameInitials(name),
      sex: input.sex,
      birthDate: input.birthDate,
      deathDate,
      ethnicity: input.ethnicity ?? null,
      maritalStatus: input.maritalStatus ?? null,
      phone: input.phone ?? null,
      hukouDivisionCode: input.hukouDivisionCode,
      disabilityCategory: category,
      disabilityGrade: grade,
      employed: input.employed ?? false,
      seriousIllness: input.seriousIllness ?? false,
      hasSupporter: input.hasSupporter ?? true,
      categories,
      wageFen: input.wageFen ?? 0,
      pensionFen: input.pensionFen ?? 0,
      otherIncomeFen: input.otherIncomeFen ?? 0,
    },
  };
}

export function checkRelation(problems: Problem[], field: string, code: string): void {
  if (!isRelationCode(code)) problems.push({ field, message: `与户主关系代码「${code}」无效（GB/T 4761）` });
}

export { checkFen };
