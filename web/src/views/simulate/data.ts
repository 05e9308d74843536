import type { SimulationResponse, SimulationRow, SimulationTotals } from '../../api/policy.ts';
import type { ParameterInfo } from '../../api/types.ts';
import type { ChartOption } from '../../utils/echarts.ts';
import { formatFen, parseYuan } from '../../utils/money.ts';
import { formatValue } from '../parameters/data.ts';

/** One line of the reform form: a parameter and the text typed for it (元, % or a whole number). */
export interface ReformLine {
  parameter: string;
  text: string;
}

/** How a parameter's value is typed: money in 元, rates in %, everything else as a whole number. */
export function inputUnit(unit: string): { suffix: string; kind: 'money' | 'percent' | 'integer' } {
  if (unit === 'fen') return { suffix: '元', kind: 'money' };
  if (unit === 'fen_per_year') return { suffix: '元/年', kind: 'money' };
  if (unit === 'bp') return { suffix: '%', kind: 'percent' };
  const suffix: Record<string, string> = {
    years: '周岁',
    persons: '人',
    homes: '套',
    vehicles: '辆',
    months: '个月',
    grade: '级',
  };
  return { suffix: suffix[unit] ?? '', kind: 'integer' };
}

/** "40" or "40.5" (%) → 4000 or 4050 basis points, by string arithmetic; null when not a percentage. */
export function parsePercent(text: string): number | null {
  const match = /^\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*$/.exec(text);
  if (!match) return null;
  const bp = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return bp <= 10000 ? bp : null;
}

/** The typed text as the API's integer (fen, basis points or a count); null when it is not valid. */
export function parseLineValue(unit: string, text: string): number | null {
  const { kind } = inputUnit(unit);
  if (kind === 'money') return parseYuan(text);
  if (kind === 'percent') return parsePercent(text);
  return /^\s*\d{1,6}\s*$/.test(text) ? Number(text) : null;
}

/** A value as it is typed back into the form (the current value as a starting point). */
export function inputText(unit: string, value: number): string {
  const { kind } = inputUnit(unit);
  if (kind === 'money') return formatFen(value).replace(/,/g, '');
  if (kind === 'percent')
    return formatValue({ name: '', description: '', unit, values: [] }, value).replace('%', '');
  return String(value);
}

/** The reform of the form, or the problems of its lines (index → Chinese message). */
export function buildReform(
  lines: readonly ReformLine[],
  parameters: readonly ParameterInfo[],
): { reform: { parameter: string; value: number }[]; errors: Record<number, string> } {
  const reform: { parameter: string; value: number }[] = [];
  const errors: Record<number, string> = {};
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (line.parameter === '' && line.text.trim() === '') return;
    const parameter = parameters.find((p) => p.name === line.parameter);
    if (!parameter) {
      errors[index] = '请选择要调整的参数';
      return;
    }
    if (seen.has(parameter.name)) {
      errors[index] = '同一参数只能调整一次';
      return;
    }
    const value = parseLineValue(parameter.unit, line.text);
    if (value === null) {
      const { kind, suffix } = inputUnit(parameter.unit);
      errors[index] =
        kind === 'money'
          ? `请输入金额（${suffix}），最多两位小数`
          : kind === 'percent'
            ? '请输入 0–100 之间的百分比，最多两位小数'
            : `请输入整数（${suffix || '个'}）`;
      return;
    }
    seen.add(parameter.name);
    reform.push({ parameter: parameter.name, value });
  });
  return { reform, errors };
}

const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Counts with thousands separators; differences with their sign. */
export function formatCount(n: number): string {
  return n < 0 ? `-${grouped(-n)}` : grouped(n);
}

export function formatDeltaCount(n: number): string {
  return n > 0 ? `+${grouped(n)}` : formatCount(n);
}

export function formatDeltaFen(fen: number): string {
  return fen > 0 ? `+${formatFen(fen)}` : formatFen(fen);
}

/** The monthly cost of every program together (households and persons overlap between programs). */
export function totalCost(rows: readonly SimulationRow[], side: 'baseline' | 'reform'): number {
  return rows.reduce((sum, row) => {
    const totals: SimulationTotals | undefined = side === 'baseline' ? row.baseline : row.reform;
    return sum + (totals && totals.error === undefined ? totals.costFen : 0);
  }, 0);
}

/** "2026-11" → "2026年11月". */
export function monthLabel(month: string): string {
  return month.replace(/^(\d{4})-(\d{2})$/, '$1年$2月');
}

/** "1.2 秒" from milliseconds (integers only). */
export function secondsLabel(ms: number): string {
  const tenths = Math.round(ms / 100);
  return `${Math.trunc(tenths / 10)}.${tenths % 10} 秒`;
}

// ---- by area ----------------------------------------------------------------------------------------

export const AREA_LABEL: Readonly<Record<SimulationResponse['areaLevel'], string>> = {
  district: '区',
  street: '街道（镇）',
  committee: '居委会',
};

/**
 * The program the by-area view opens on: the first the reform moves (its cost or households change),
 * otherwise 低保, otherwise the first that can be computed; null when none has areas.
 */
export function defaultAreaProgram(rows: readonly SimulationRow[]): string | null {
  const withAreas = rows.filter((r) => r.areas.length > 0);
  const moved = withAreas.find((r) => r.delta && (r.delta.costFen !== 0 || r.delta.households !== 0));
  if (moved) return moved.program;
  return (withAreas.find((r) => r.program === 'dibao') ?? withAreas[0])?.program ?? null;
}

/** One line of the by-area table, formatted for display (names, 元 with separators, signed differences). */
export interface AreaTableRow {
  code: string;
  name: string;
  baselineHouseholds: string;
  baselineCost: string;
  reformHouseholds: string;
  reformCost: string;
  deltaHouseholds: string;
  deltaCost: string;
  /** The sign of the cost difference, for colouring. */
  trend: 'up' | 'down' | 'same';
}

/** The chosen program's areas as table lines, and a 合计 line that adds them up (the program's total). */
export function areaTable(row: SimulationRow | undefined): {
  rows: AreaTableRow[];
  total: AreaTableRow | null;
} {
  if (!row || row.areas.length === 0) return { rows: [], total: null };
  const line = (code: string, name: string, b: Figures, r: Figures): AreaTableRow => {
    const dCost = r.costFen - b.costFen;
    return {
      code,
      name,
      baselineHouseholds: formatCount(b.households),
      baselineCost: formatFen(b.costFen),
      reformHouseholds: formatCount(r.households),
      reformCost: formatFen(r.costFen),
      deltaHouseholds: formatDeltaCount(r.households - b.households),
      deltaCost: formatDeltaFen(dCost),
      trend: dCost > 0 ? 'up' : dCost < 0 ? 'down' : 'same',
    };
  };
  const sum = { baseline: { ...NONE }, reform: { ...NONE } };
  const rows = row.areas.map((a) => {
    const after = a.reform ?? a.baseline;
    add(sum.baseline, a.baseline);
    add(sum.reform, after);
    return line(a.code, a.name, a.baseline, after);
  });
  return { rows, total: line('', '合计', sum.baseline, sum.reform) };
}

interface Figures {
  households: number;
  persons: number;
  costFen: number;
}
const NONE: Figures = { households: 0, persons: 0, costFen: 0 };
function add(into: Figures, from: Figures): void {
  into.households += from.households;
  into.persons += from.persons;
  into.costFen += from.costFen;
}

/** 元 for a chart's axis (a plot, not a ledger: the table holds the exact figures). */
const chartYuan = (fen: number) => Math.round(fen) / 100;

/** Bars of the cost difference (调整后 − 现行, 元/月) by area, named. */
export function areaDeltaOption(level: SimulationResponse['areaLevel'], row: SimulationRow): ChartOption {
  const many = row.areas.length > 8;
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, data: ['金额差（元/月）'] },
    grid: { left: 90, right: 30, top: 40, bottom: many ? 90 : 40 },
    xAxis: {
      type: 'category',
      name: AREA_LABEL[level],
      data: row.areas.map((a) => a.name),
      axisLabel: { interval: 0, rotate: many ? 35 : 0 },
    },
    yAxis: { type: 'value', name: '元/月' },
    series: [
      {
        name: '金额差（元/月）',
        type: 'bar',
        data: row.areas.map((a) => chartYuan(a.delta?.costFen ?? 0)),
      },
    ],
  };
}
