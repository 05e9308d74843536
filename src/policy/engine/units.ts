import { formatYuan } from './exact.ts';
import type { ParameterStatus, ParameterUnit } from './parameter.schema.ts';

/** What each status means to a caseworker (SPEC.md's status table). */
export const STATUS_NAMES: Readonly<Record<ParameterStatus, string>> = {
  given: '已核实（本市文件）',
  found: '已核实（公开来源）',
  secondary: '二手来源',
  inferred: '推算',
  unverified: '待核实',
  assumption: '假设',
};

/** 4000 → "40%", 125 → "1.25%": basis points as a percentage, by integer arithmetic. */
function percent(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const rest = bp % 100;
  if (rest === 0) return `${whole}%`;
  return `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

/** A parameter value in its unit, as a caseworker reads it ("1650.00元", "40%", "16周岁"). */
export function formatParameterValue(unit: ParameterUnit, value: number): string {
  switch (unit) {
    case 'fen':
      return `${formatYuan(value)}元`;
    case 'fen_per_year':
      return `${formatYuan(value)}元/年`;
    case 'bp':
      return percent(value);
    case 'years':
      return `${value}周岁`;
    case 'persons':
      return `${value}人`;
    case 'homes':
      return `${value}套`;
    case 'vehicles':
      return `${value}辆`;
    case 'months':
      return `${value}个月`;
    case 'days':
      return `${value}天`;
    case 'working_days':
      return `${value}个工作日`;
    case 'grade':
      return `${value}级`;
    case 'count':
      return String(value);
  }
}
