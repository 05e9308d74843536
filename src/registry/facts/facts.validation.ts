import { addDays } from '../../calendar/days.ts';
import { visibleLength } from '../../core/text.ts';
import { CATEGORY_NAMES, DISABILITY_CATEGORIES, DISABILITY_GRADES, isCategory } from '../codes.ts';
import { isValidIsoDate } from '../id-number.ts';
import type { Problem } from '../registry.validation.ts';
import {
  FACT_KINDS,
  isFactKind,
  isSourceKind,
  SOURCE_KINDS,
  sourcesFor,
  type FactKind,
  type FactValue,
  type SourceKind,
  type SubjectType,
} from './facts.types.ts';

/**
 * Input rules of the facts, pure: every problem of an input reported at once, in Chinese, with its field.
 */

/** A new fact as a route, the CLI or a test gives it (unknown types are checked here, not trusted). */
export interface NewFactInput {
  kind: string;
  amountFen?: number | null | undefined;
  quantity?: number | null | undefined;
  flag?: boolean | null | undefined;
  disabilityCategory?: number | null | undefined;
  disabilityGrade?: number | null | undefined;
  category?: string | null | undefined;
  validFrom: string;
  validTo?: string | null | undefined;
  sourceKind: string;
  sourceRef?: string | undefined;
}

/** A checked new fact: typed kind, source and value. */
export interface CheckedFact extends FactValue {
  kind: FactKind;
  validFrom: string;
  validTo: string | null;
  sourceKind: SourceKind;
  sourceRef: string;
}

export const MAX_SOURCE_REF = 200;
const MAX_FEN = Number.MAX_SAFE_INTEGER;
const EARLIEST = '1900-01-01';

const SUBJECT_NAMES: Record<SubjectType, string> = { person: '人员', household: '家庭户' };

function checkDay(problems: Problem[], field: string, value: unknown, label: string): value is string {
  if (typeof value !== 'string' || !isValidIsoDate(value)) {
    problems.push({ field, message: `${label}「${String(value)}」不是有效日期，应为 YYYY-MM-DD` });
    return false;
  }
  if (value < EARLIEST) {
    problems.push({ field, message: `${label}「${value}」早于 ${EARLIEST}` });
    return false;
  }
  return true;
}

/** Checks an end date given to "end a fact": a valid date, not before the fact's start. */
export function checkEndDate(validTo: unknown, validFrom: string, field = 'validTo'): Problem[] {
  const problems: Problem[] = [];
  if (checkDay(problems, field, validTo, '结束日期') && validTo < validFrom) {
    problems.push({ field, message: `结束日期 ${validTo} 早于该事实的起始日期 ${validFrom}` });
  }
  return problems;
}

/** Checks a reason for a correction: required, visible, not too long. */
export function checkReason(reason: unknown, field = 'reason'): Problem[] {
  if (typeof reason !== 'string' || visibleLength(reason) === 0) {
    return [{ field, message: '请填写更正原因' }];
  }
  if (reason.length > 500) return [{ field, message: '原因不能超过 500 个字符' }];
  return [];
}

/**
 * Checks a new fact for a subject of `subjectType`. `today` (Shanghai) bounds the dates: spending cannot be
 * dated in the future, and no fact may start more than a year ahead (a mistyped year, most likely).
 */
export function checkNewFact(
  input: NewFactInput,
  subjectType: SubjectType,
  today: string,
  prefix = '',
): { fact?: CheckedFact; problems: Problem[] } {
  const problems: Problem[] = [];
  const f = (name: string) => `${prefix}${name}`;
  if (typeof input.kind !== 'string' || !isFactKind(input.kind)) {
    problems.push({ field: f('kind'), message: `未知的事实类型「${String(input.kind)}」` });
    return { problems };
  }
  const kind = input.kind;
  const info = FACT_KINDS[kind];
  if (info.subject !== subjectType) {
    problems.push({
      field: f('kind'),
      message: `「${info.name}」是${SUBJECT_NAMES[info.subject]}的事实，不能记在${SUBJECT_NAMES[subjectType]}上`,
    });
    return { problems };
  }
  const value = checkValue(problems, kind, input, f);

  let sourceKind: SourceKind | undefined;
  if (typeof input.sourceKind !== 'string' || !isSourceKind(input.sourceKind)) {
    problems.push({ field: f('sourceKind'), message: `未知的来源「${String(input.sourceKind)}」` });
  } else if (!sourcesFor(kind).includes(input.sourceKind)) {
    problems.push({
      field: f('sourceKind'),
      message:
        kind === 'category'
          ? `特殊对象类别只能来自认定（来源「${SOURCE_KINDS[input.sourceKind]}」不可）`
          : `认定只用于特殊对象类别；「${info.name}」的来源应为申报、部门数据或核对`,
    });
  } else sourceKind = input.sourceKind;

  const sourceRef = typeof input.sourceRef === 'string' ? input.sourceRef.trim() : '';
  if (sourceRef.length > MAX_SOURCE_REF) {
    problems.push({ field: f('sourceRef'), message: `来源依据不能超过 ${MAX_SOURCE_REF} 个字符` });
  }

  const validFrom = input.validFrom;
  const fromOk = checkDay(problems, f('validFrom'), validFrom, info.spending ? '支出日期' : '起始日期');
  if (fromOk && info.spending && validFrom > today) {
    problems.push({ field: f('validFrom'), message: `支出日期 ${validFrom} 晚于今天（${today}）` });
  } else if (fromOk && validFrom > addDays(today, 366)) {
    problems.push({ field: f('validFrom'), message: `起始日期 ${validFrom} 晚于一年以后，请检查年份` });
  }
  let validTo: string | null = null;
  if (input.validTo !== undefined && input.validTo !== null) {
    if (info.spending) {
      problems.push({ field: f('validTo'), message: '支出按日期计入，不设结束日期' });
    } else if (checkDay(problems, f('validTo'), input.validTo, '结束日期')) {
      validTo = input.validTo;
      if (fromOk && validTo < validFrom) {
        problems.push({ field: f('validTo'), message: `结束日期 ${validTo} 早于起始日期 ${validFrom}` });
      }
    }
  }
  if (problems.length > 0 || !value || !sourceKind) return { problems };
  return { fact: { kind, ...value, validFrom, validTo, sourceKind, sourceRef }, problems };
}

const EMPTY: FactValue = {
  amountFen: null,
  quantity: null,
  flag: null,
  disabilityCategory: null,
  disabilityGrade: null,
  category: null,
};

/** The value columns of `kind` from the input; the other value fields must be left out. */
function checkValue(
  problems: Problem[],
  kind: FactKind,
  input: NewFactInput,
  f: (name: string) => string,
): FactValue | undefined {
  const info = FACT_KINDS[kind];
  const before = problems.length;
  const given = (name: keyof FactValue) => input[name] !== undefined && input[name] !== null;
  const used: Record<typeof info.shape, (keyof FactValue)[]> = {
    money: ['amountFen'],
    count: ['quantity'],
    flag: ['flag'],
    disability: ['disabilityCategory', 'disabilityGrade'],
    category: ['category'],
  };
  for (const name of Object.keys(EMPTY) as (keyof FactValue)[]) {
    if (given(name) && !used[info.shape].includes(name)) {
      problems.push({ field: f(name), message: `「${info.name}」不使用此字段` });
    }
  }
  const value: FactValue = { ...EMPTY };
  switch (info.shape) {
    case 'money': {
      const v = input.amountFen;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_FEN) {
        problems.push({ field: f('amountFen'), message: '金额应为不小于 0 的整数（单位：分）' });
      } else value.amountFen = v;
      break;
    }
    case 'count': {
      const v = input.quantity;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1000) {
        problems.push({ field: f('quantity'), message: '数量应为 0–1000 的整数' });
      } else value.quantity = v;
      break;
    }
    case 'flag': {
      if (typeof input.flag !== 'boolean') {
        problems.push({ field: f('flag'), message: '请选择“是”或“否”' });
      } else value.flag = input.flag;
      break;
    }
    case 'disability': {
      const c = input.disabilityCategory ?? null;
      const g = input.disabilityGrade ?? null;
      if ((c === null) !== (g === null)) {
        problems.push({
          field: f(c === null ? 'disabilityCategory' : 'disabilityGrade'),
          message: '残疾类别与等级须同时填写（或同时不填，表示无残疾）',
        });
      } else if (c !== null && g !== null) {
        if (!Object.hasOwn(DISABILITY_CATEGORIES, c)) {
          problems.push({
            field: f('disabilityCategory'),
            message: `残疾类别「${c}」不在 GB/T 26341 的 1–7 中`,
          });
        } else value.disabilityCategory = c;
        if (!Object.hasOwn(DISABILITY_GRADES, g)) {
          problems.push({ field: f('disabilityGrade'), message: `残疾等级「${g}」不在 1–4（一级最重）中` });
        } else value.disabilityGrade = g;
      }
      break;
    }
    case 'category': {
      const c = input.category;
      if (typeof c !== 'string' || !isCategory(c)) {
        problems.push({
          field: f('category'),
          message: `特殊对象类别应为：${Object.values(CATEGORY_NAMES).join('、')}`,
        });
      } else value.category = c;
      break;
    }
  }
  return problems.length === before ? value : undefined;
}
