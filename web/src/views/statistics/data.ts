import type {
  AreaLevel,
  EntitledFigures,
  Figures,
  MonthPoint,
  Named,
  ProgramTable,
} from '../../api/statistics.ts';
import type { ChartOption } from '../../utils/echarts.ts';

/**
 * 统计报表 as data: the table's rows (each program's areas, its subtotal, the total), the columns' Chinese
 * headers, money in 元 from integer fen by integer arithmetic, and the two charts' options.
 */

export const AREA_LABEL: Record<AreaLevel, string> = {
  district: '区',
  street: '街道（镇）',
  committee: '居委会（村委会）',
};

/** Fen as 元 with two decimals and thousands separators, without floating point (12345 → "123.45"). */
export function yuanText(fen: number): string {
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fen < 0 ? '-' : ''}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

export type RowKind = 'area' | 'subtotal' | 'total';

export interface TableRow<F> {
  key: string;
  kind: RowKind;
  program: string;
  /** The area's name, 小计 or empty for the total. */
  area: string;
  /** The area's code, for the drill-down (area rows only). */
  areaCode: string | null;
  figures: F;
}

/** Each program's rows then its 小计, and a 合计 row last. */
export function tableRows<F>(programs: readonly ProgramTable<F>[], total: F): TableRow<F>[] {
  const rows: TableRow<F>[] = [];
  for (const p of programs) {
    for (const r of p.rows)
      rows.push({
        key: `${p.program.code}:${r.code}`,
        kind: 'area',
        program: p.program.name,
        area: r.name,
        areaCode: r.code,
        figures: r,
      });
    rows.push({
      key: `${p.program.code}:total`,
      kind: 'subtotal',
      program: p.program.name,
      area: '小计',
      areaCode: null,
      figures: p.total,
    });
  }
  if (programs.length > 0)
    rows.push({ key: 'total', kind: 'total', program: '合计', area: '', areaCode: null, figures: total });
  return rows;
}

export interface Column<F> {
  key: string;
  label: string;
  value: (f: F) => string;
}

export function paidColumns(annual: boolean): Column<Figures>[] {
  return [
    {
      key: 'households',
      label: annual ? '户次' : '户数',
      value: (f) => f.households.toLocaleString('zh-CN'),
    },
    { key: 'persons', label: annual ? '人次' : '人数', value: (f) => f.persons.toLocaleString('zh-CN') },
    { key: 'amount', label: '发放金额（元）', value: (f) => yuanText(f.amountFen) },
    { key: 'arrears', label: '其中补发（元）', value: (f) => yuanText(f.arrearsFen) },
    { key: 'carried', label: '其中重发（元）', value: (f) => yuanText(f.carriedFen) },
    { key: 'offset', label: '其中抵扣追缴（元）', value: (f) => yuanText(f.offsetFen) },
    { key: 'unconfirmed', label: '其中待银行回盘（元）', value: (f) => yuanText(f.unconfirmedFen) },
  ];
}

export const ENTITLED_COLUMNS: Column<EntitledFigures>[] = [
  { key: 'households', label: '户数', value: (f) => f.households.toLocaleString('zh-CN') },
  { key: 'persons', label: '人数', value: (f) => f.persons.toLocaleString('zh-CN') },
  { key: 'entitlements', label: '待遇数', value: (f) => f.entitlements.toLocaleString('zh-CN') },
  { key: 'amount', label: '月待遇金额（元）', value: (f) => yuanText(f.amountFen) },
];

/** 元 for a chart's axis (a plot, not a ledger: the table holds the exact figures). */
const chartYuan = (fen: number) => Math.round(fen) / 100;

/** Bars by area: the amount (元, left axis) and the persons (right axis). */
export function areaBarOption(level: AreaLevel, rows: readonly (Named & Figures)[]): ChartOption {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, data: ['发放金额（元）', '人数'] },
    grid: { left: 90, right: 60, top: 40, bottom: rows.length > 8 ? 90 : 40 },
    xAxis: {
      type: 'category',
      name: AREA_LABEL[level],
      data: rows.map((r) => r.name),
      axisLabel: { interval: 0, rotate: rows.length > 8 ? 35 : 0 },
    },
    yAxis: [
      { type: 'value', name: '元' },
      { type: 'value', name: '人', minInterval: 1 },
    ],
    series: [
      { name: '发放金额（元）', type: 'bar', data: rows.map((r) => chartYuan(r.amountFen)) },
      { name: '人数', type: 'bar', yAxisIndex: 1, data: rows.map((r) => r.persons) },
    ],
  };
}

/** Lines by month: the amount (元) and the person-times. */
export function monthLineOption(months: readonly MonthPoint[]): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: ['发放金额（元）', '人次', '户次'] },
    grid: { left: 90, right: 60, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: months.map((m) => `${Number(m.month.slice(5))}月`) },
    yAxis: [
      { type: 'value', name: '元' },
      { type: 'value', name: '人次/户次', minInterval: 1 },
    ],
    series: [
      { name: '发放金额（元）', type: 'line', data: months.map((m) => chartYuan(m.amountFen)) },
      { name: '人次', type: 'line', yAxisIndex: 1, data: months.map((m) => m.persons) },
      { name: '户次', type: 'line', yAxisIndex: 1, data: months.map((m) => m.households) },
    ],
  };
}

/** The sentence an empty table shows instead. */
export function emptyText(period: string, divisionName: string): string {
  return `${divisionName} ${period} 没有计入统计的发放（没有已审批的发放批次）`;
}
