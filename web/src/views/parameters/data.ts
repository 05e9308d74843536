import type { ParameterInfo, ParameterValue } from '../../api/types.ts';
import type { ChartOption } from '../../utils/echarts.ts';
import { formatFen } from '../../utils/money.ts';

type TagType = 'success' | 'primary' | 'warning' | 'danger' | 'info';

/**
 * The statuses of a parameter value (docs/parameters.md) as a caseworker reads them: whether the number
 * was read in a source, and what a result that uses it says.
 */
export const STATUS_TAGS: Record<string, { label: string; type: TagType; meaning: string }> = {
  given: { label: '已核实（本市文件）', type: 'success', meaning: '数值见于本局或本市文件' },
  found: { label: '已核实（公开来源）', type: 'primary', meaning: '数值见于注明的官方或新闻来源' },
  secondary: { label: '二手来源', type: 'warning', meaning: '仅见于转载或第三方资料，待核对原文' },
  inferred: { label: '推算', type: 'danger', meaning: '按已知数值推算，未见于任何来源' },
  unverified: {
    label: '待核实',
    type: 'danger',
    meaning: '未找到出处，或已知调整但金额未查到（暂沿用原值）',
  },
  assumption: { label: '假设', type: 'info', meaning: '建模时的约定（如未查到的起始日期）' },
};

export function statusTag(status: string): { label: string; type: TagType; meaning: string } {
  return STATUS_TAGS[status] ?? { label: status, type: 'info', meaning: '' };
}

/** Statuses a result does not warn about. */
export const TRUSTED = new Set(['given', 'found']);

/** 4000 basis points → "40%", 125 → "1.25%" (integers only). */
function formatBasisPoints(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const rest = Math.abs(bp % 100);
  return rest === 0 ? `${whole}%` : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

const COUNT_UNITS: Record<string, string> = {
  years: '周岁',
  persons: '人',
  homes: '套',
  vehicles: '辆',
  months: '个月',
  days: '天',
  working_days: '个工作日',
  grade: '级',
};

/** A value in a parameter unit (src/parameters: fen, fen_per_year, bp, years, persons, homes…). */
export function formatUnitValue(unit: string, value: ParameterValue['value']): string {
  if (typeof value !== 'number') return typeof value === 'string' ? value : JSON.stringify(value);
  if (unit === 'fen') return `${formatFen(value)} 元`;
  if (unit === 'fen_per_year') return `${formatFen(value)} 元/年`;
  if (unit === 'bp') return formatBasisPoints(value);
  const suffix = COUNT_UNITS[unit];
  return suffix ? `${value} ${suffix}` : String(value);
}

export function formatValue(parameter: ParameterInfo, value: ParameterValue['value']): string {
  return formatUnitValue(parameter.unit, value);
}

/** "2025-07-01 起" for dated values, "2024 年" for yearly statistics. */
export function fromLabel(parameter: ParameterInfo, from: string): string {
  return parameter.keyedBy === 'year' ? `${from} 年` : `${from} 起`;
}

/**
 * Parameters grouped by the program (or statistic) they belong to, in the order a caseworker looks for
 * them: the folder of the parameter file is its group.
 */
export const GROUPS: readonly { prefix: string; name: string }[] = [
  { prefix: 'dibao', name: '最低生活保障' },
  { prefix: 'dibao_edge', name: '低收入困难家庭' },
  { prefix: 'rigid_expense', name: '支出型贫困家庭' },
  { prefix: 'city', name: '统计数据' },
  { prefix: 'temporary', name: '临时救助' },
  { prefix: 'tekun', name: '特困人员' },
  { prefix: 'severe_disability_unemployed', name: '重残无业人员' },
  { prefix: 'traditional', name: '传统民政对象' },
  { prefix: 'rural_youth', name: '农婚知青' },
  { prefix: 'anhui_resettled', name: '赴安徽农村务农居民' },
  { prefix: 'kunjing_child', name: '困境儿童' },
  { prefix: 'orphan', name: '散居孤儿' },
  { prefix: 'elderly_allowance', name: '老年综合津贴' },
  { prefix: 'grain_oil', name: '粮油帮困' },
  { prefix: 'price_subsidy', name: '价格临时补贴' },
  { prefix: 'renovation', name: '适老化改造' },
];

export function groupOf(parameter: ParameterInfo): { index: number; name: string } {
  const prefix = parameter.name.split('.')[0] ?? '';
  const index = GROUPS.findIndex((group) => group.prefix === prefix);
  return index < 0 ? { index: GROUPS.length, name: '其他' } : { index, name: GROUPS[index]?.name ?? '' };
}

/** The amounts a caseworker looks for first (standards, thresholds, allowances), before the conditions. */
const HEADLINE =
  /\.(standard|standard_minor|income_threshold|card|voucher|cap|amount_per_person)$|\.amount(\.|$)/;

const rank = (p: ParameterInfo): number => (HEADLINE.test(p.name) ? 0 : 1);

/** Group order; within a group the amounts first, then the file order. */
export function sortedParameters(parameters: readonly ParameterInfo[]): ParameterInfo[] {
  return [...parameters].sort(
    (a, b) =>
      groupOf(a).index - groupOf(b).index ||
      rank(a) - rank(b) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** Filter by group and by text in the Chinese description, the code or a source. */
export function filterParameters(
  parameters: readonly ParameterInfo[],
  group: string,
  text: string,
): ParameterInfo[] {
  const needle = text.trim().toLowerCase();
  return parameters.filter(
    (p) =>
      (group === '' || groupOf(p).name === group) &&
      (needle === '' ||
        p.name.toLowerCase().includes(needle) ||
        p.description.toLowerCase().includes(needle) ||
        p.values.some((v) => v.source.toLowerCase().includes(needle)) ||
        (p.districts ?? []).some(
          (d) => d.name.includes(needle) || d.values.some((v) => v.source.toLowerCase().includes(needle)),
        )),
  );
}

/** What the 现行值 column says when the city has no value for the month. */
export function noCityValueLabel(parameter: ParameterInfo): string {
  if (parameter.values.length === 0) return parameter.districts?.length ? '全市未设定' : '未启动';
  return '该月无取值';
}

/** One district's line beside the city value: 普陀区 1,500.00 元 · 2024-07-01 起. */
export interface DistrictLine {
  code: string;
  name: string;
  /** The value in force for the month, formatted; null when the district has none then. */
  value: string | null;
  /** Since when (its effective date); null when there is no value. */
  from: string | null;
  status: string | null;
}

/**
 * The districts that set a parameter themselves, each with the value a calculation for that district
 * reads for the month and since when: a district's own values replace the city's there, so a district
 * whose value has not started yet has none (not the city's).
 */
export function districtLines(parameter: ParameterInfo): DistrictLine[] {
  return (parameter.districts ?? []).map((district) => ({
    code: district.code,
    name: district.name,
    value: district.current ? formatValue(parameter, district.current.value) : null,
    from: district.current ? fromLabel(parameter, district.current.from) : null,
    status: district.current?.status ?? null,
  }));
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
