import type { ParameterInfo, ParameterValue } from '../../api/types.ts';
import type { ChartOption } from '../../utils/echarts.ts';
import { formatFen } from '../../utils/money.ts';

export const STATUS_TAGS: Record<
  string,
  { label: string; type: 'success' | 'primary' | 'warning' | 'danger' | 'info' }
> = {
  given: { label: '文件明确', type: 'success' },
  found: { label: '公开来源', type: 'primary' },
  secondary: { label: '二手来源', type: 'warning' },
  inferred: { label: '推算', type: 'danger' },
  unverified: { label: '未核实', type: 'danger' },
  assumption: { label: '建模假设', type: 'info' },
};

export function statusTag(status: string): {
  label: string;
  type: 'success' | 'primary' | 'warning' | 'danger' | 'info';
} {
  return STATUS_TAGS[status] ?? { label: status, type: 'info' };
}

/** 4000 basis points → "40%", 125 → "1.25%" (integers only). */
function formatBasisPoints(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const rest = Math.abs(bp % 100);
  return rest === 0 ? `${whole}%` : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

/** A parameter value in its unit (src/parameters: fen, fen_per_year, bp, years, count). */
export function formatValue(parameter: ParameterInfo, value: ParameterValue['value']): string {
  if (typeof value !== 'number') return typeof value === 'string' ? value : JSON.stringify(value);
  switch (parameter.unit) {
    case 'fen':
      return `${formatFen(value)} 元`;
    case 'fen_per_year':
      return `${formatFen(value)} 元/年`;
    case 'bp':
      return formatBasisPoints(value);
    case 'years':
      return `${value} 岁`;
    case 'months':
      return `${value} 个月`;
    default:
      return String(value);
  }
}

/** The value in force today: the last value whose effective date is not in the future. */
export function currentValue(parameter: ParameterInfo, today: string): ParameterValue | undefined {
  return [...parameter.values]
    .filter((value) => value.from <= today)
    .sort((a, b) => (a.from < b.from ? -1 : 1))
    .at(-1);
}

/** 元 as a chart coordinate (display only: the exact amount is the fen integer; the text goes through formatFen). */
function yuanCoordinate(fen: number): number {
  return Number(formatFen(fen).replace(/,/g, ''));
}

export const CHARTED = ['dibao.standard', 'dibao.standard_minor'];
const CHART_NAMES: Record<string, string> = {
  'dibao.standard': '低保标准',
  'dibao.standard_minor': '未成年人低保标准',
};

export function standardsChart(parameters: ParameterInfo[], today: string): ChartOption {
  const series = CHARTED.flatMap((name) => {
    const parameter = parameters.find((p) => p.name === name);
    if (!parameter) return [];
    const points = parameter.values
      .filter((value) => typeof value.value === 'number')
      .map((value) => ({
        value: [value.from, yuanCoordinate(value.value as number)],
        label: { show: true },
      }));
    // The step line runs on to today (unlabelled), so that the value in force reads as such.
    const last = points.at(-1);
    if (last && String(last.value[0]) < today)
      points.push({ value: [today, last.value[1] as number], label: { show: false } });
    return [{ name: CHART_NAMES[name] ?? name, type: 'line', step: 'end', data: points }];
  });
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 60, right: 40, top: 50, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: '元/人·月', min: 'dataMin' },
    series,
  };
}
