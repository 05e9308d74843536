import type { PopulationStatistics } from '../../api/types.ts';
import type { ChartOption } from '../../utils/echarts.ts';
import { categoryName } from '../persons/data.ts';

/**
 * The dashboard's charts, described as data: each has a title that says whom it counts, an ECharts option,
 * and — when nothing in the user's scope falls into it — the sentence shown instead of an empty plot.
 */
export interface ChartCard {
  key: string;
  title: string;
  option: ChartOption;
  /** Set when the chart would be empty: what to say instead. */
  empty: string | null;
  height?: string;
  /** Takes the whole row (a long list of areas). */
  wide?: boolean;
}

const GRADE_NAMES: Record<string, string> = { '1': '一级', '2': '二级', '3': '三级', '4': '四级' };
const DISABILITY_NAMES: Record<string, string> = {
  '1': '视力残疾',
  '2': '听力残疾',
  '3': '言语残疾',
  '4': '肢体残疾',
  '5': '智力残疾',
  '6': '精神残疾',
  '7': '多重残疾',
};

const allZero = (values: readonly number[]) => values.every((value) => value === 0);

/** Counts are whole people: an axis never shows 0.5 of a person. */
const countAxis = { type: 'value', minInterval: 1 } as const;

/** Pie slices with a count only: a zero slice has no area, and its label would sit on its neighbour's. */
function pieData(rows: readonly { name: string; value: number }[]) {
  return rows.filter((row) => row.value > 0);
}

/** 人口金字塔: males to the left (drawn as negative bars, labelled as positive counts), females to the right. */
export function pyramidOption(stats: PopulationStatistics): ChartOption {
  const bands = stats.pyramid.map((row) => `${row.band}岁`);
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value: unknown) => `${Math.abs(Number(value))}人`,
    },
    legend: { top: 0, data: ['男', '女'] },
    grid: { left: 70, right: 30, top: 40, bottom: 30 },
    xAxis: { ...countAxis, axisLabel: { formatter: (value: number) => String(Math.abs(value)) } },
    yAxis: { type: 'category', data: bands, axisTick: { show: false } },
    series: [
      {
        name: '男',
        type: 'bar',
        stack: 'total',
        data: stats.pyramid.map((row) => -row.male),
        itemStyle: { color: '#409eff' },
      },
      {
        name: '女',
        type: 'bar',
        stack: 'total',
        data: stats.pyramid.map((row) => row.female),
        itemStyle: { color: '#f56c9c' },
      },
    ],
  };
}

function pieOption(
  name: string,
  rows: readonly { name: string; value: number }[],
  radius: unknown,
): ChartOption {
  return {
    tooltip: { trigger: 'item', formatter: '{b}：{c}人（{d}%）' },
    legend: { bottom: 0 },
    series: [{ name, type: 'pie', radius, data: pieData(rows) }],
  };
}

function barOption(names: string[], values: number[], name: string, horizontal = false): ChartOption {
  const rotate = !horizontal && names.length > 6 ? 30 : 0;
  // Horizontal bars list the first name at the top, as one reads a list.
  const category = horizontal
    ? { type: 'category', data: [...names].reverse(), axisLabel: { interval: 0 } }
    : { type: 'category', data: names, axisLabel: { interval: 0, rotate } };
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 16, right: 24, top: 20, bottom: 16, containLabel: true },
    xAxis: horizontal ? countAxis : category,
    yAxis: horizontal ? category : countAxis,
    series: [
      {
        name,
        type: 'bar',
        data: horizontal ? [...values].reverse() : values,
        itemStyle: { color: '#5b8ff9' },
        label: { show: true, position: horizontal ? 'right' : 'top' },
      },
    ],
  };
}

/** Enough height for one readable bar per area when a street has thirty committees. */
function listHeight(rows: number): string {
  return `${Math.max(320, rows * 24 + 60)}px`;
}

function elderlyCard(stats: PopulationStatistics): ChartCard {
  const rows = stats.elderly.bands.map((row) => ({ name: `${row.band}岁`, value: row.count }));
  return {
    key: 'elderly',
    title: '老年人口年龄段（常住人口，60岁及以上）',
    option: pieOption('老年人口', rows, ['40%', '70%']),
    empty: allZero(rows.map((row) => row.value)) ? '本范围内没有60岁及以上的常住人口' : null,
    height: '420px',
  };
}

function disabilityCards(stats: PopulationStatistics): ChartCard[] {
  const categories = stats.disability.byCategory;
  const grades = stats.disability.byGrade;
  const none = allZero(categories.map((row) => row.count)) ? '本范围内没有持证残疾人' : null;
  return [
    {
      key: 'disability-category',
      title: '持证残疾人（按类别）',
      option: barOption(
        categories.map((row) => row.name ?? DISABILITY_NAMES[String(row.code)] ?? '其他'),
        categories.map((row) => row.count),
        '残疾人数',
      ),
      empty: none,
    },
    {
      key: 'disability-grade',
      title: '持证残疾人（按等级）',
      option: pieOption(
        '残疾等级',
        grades.map((row) => ({
          name: row.name ?? GRADE_NAMES[String(row.grade)] ?? '其他',
          value: row.count,
        })),
        '65%',
      ),
      empty: none,
    },
  ];
}

function categoriesCard(stats: PopulationStatistics): ChartCard {
  const rows = stats.categories;
  return {
    key: 'categories',
    title: '特殊对象（经认定）',
    option: barOption(
      rows.map((row) => row.name || categoryName(row.code)),
      rows.map((row) => row.count),
      '人数',
      true,
    ),
    empty: allZero(rows.map((row) => row.count)) ? '本范围内没有经认定的特殊对象' : null,
  };
}

/**
 * The scope one level down, so that the chart has more than one bar: a district's streets, a street's
 * committees; a committee (a single area) is shown by household size instead.
 */
function areaCard(stats: PopulationStatistics): ChartCard {
  if (stats.householdSizes) {
    const sizes = stats.householdSizes;
    return {
      key: 'area',
      title: '家庭户规模（按户内人数）',
      option: barOption(
        sizes.map((row) => row.label),
        sizes.map((row) => row.households),
        '户数',
      ),
      empty: allZero(sizes.map((row) => row.households)) ? '本居委会没有在册家庭户' : null,
    };
  }
  const level = stats.areas.level === 'street' ? '街道' : '居委会';
  const rows = [...stats.areas.items].sort((a, b) => b.persons - a.persons);
  return {
    key: 'area',
    title: `各${level}常住人口`,
    option: barOption(
      rows.map((row) => row.name ?? `未知${level}`),
      rows.map((row) => row.persons),
      '常住人口',
      true,
    ),
    empty: rows.length === 0 ? `本范围内没有登记人口` : null,
    height: listHeight(rows.length),
    wide: rows.length > 8,
  };
}

/** The dashboard's charts, in display order, two to a row. */
export function chartCards(stats: PopulationStatistics): ChartCard[] {
  const people = stats.totals.persons;
  return [
    {
      key: 'pyramid',
      title: '人口年龄结构（常住人口）',
      option: pyramidOption(stats),
      empty: people === 0 ? '本范围内没有登记人口' : null,
      height: '420px',
    },
    elderlyCard(stats),
    ...disabilityCards(stats),
    categoriesCard(stats),
    areaCard(stats),
  ];
}

/** "86.5%": a share in tenths of a percent, rounded half up in integers. */
export function percentText(part: number, whole: number): string {
  if (whole <= 0) return '—';
  const tenths = Math.floor((part * 2000 + whole) / (whole * 2));
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}
