import type { ParameterUnit } from '../policy/engine/parameter.schema.ts';

/** Units in Chinese (what a value counts), for messages and the console. */
export const UNIT_NAMES: Readonly<Record<ParameterUnit, string>> = {
  fen: '分（金额）',
  fen_per_year: '分/年（年度金额）',
  years: '周岁',
  bp: '万分比（基点）',
  persons: '人',
  homes: '套',
  vehicles: '辆',
  months: '个月',
  days: '天',
  working_days: '个工作日',
  grade: '级',
  count: '个',
};

/**
 * The plausible range of an integer value in each unit: a value outside it is the wrong unit (元 typed for
 * 分 stays inside, but a rate in per cent typed for basis points, an age in months, a 残疾等级 of 5 do not).
 */
const RANGES: Readonly<Record<ParameterUnit, readonly [number, number]>> = {
  fen: [0, Number.MAX_SAFE_INTEGER],
  fen_per_year: [0, Number.MAX_SAFE_INTEGER],
  years: [0, 150],
  bp: [0, 10_000],
  persons: [0, 100],
  homes: [0, 100],
  vehicles: [0, 100],
  months: [0, 1_200],
  days: [0, 36_600],
  working_days: [0, 3_660],
  grade: [1, 4],
  count: [0, 1_000_000_000],
};

/** Problems of `value` as a value in `unit` (Chinese sentences); empty when it fits. */
export function unitProblems(unit: ParameterUnit, value: unknown): string[] {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return [`取值应为数字（单位：${UNIT_NAMES[unit]}）`];
  if (!Number.isSafeInteger(value))
    return [
      `取值应为整数，单位为${UNIT_NAMES[unit]}${unit === 'fen' || unit === 'fen_per_year' ? '（1 元 = 100 分）' : ''}`,
    ];
  const [min, max] = RANGES[unit];
  if (value < min || value > max)
    return [`取值 ${value} 超出${UNIT_NAMES[unit]}的合理范围（${min}–${max}），请检查单位`];
  return [];
}
