import type { PopulationStatistics } from '../../api/types.ts';
import type { ChartOption } from '../../utils/echarts.ts';
import { categoryName } from '../persons/data.ts';

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

/** 人口金字塔: males to the left (drawn as negative bars, labelled as positive counts), females to the right. */
export function pyramidOption(stats: PopulationStatistics): ChartOption {
  const bands = stats.pyramid.map((row) => row.band);
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value: unknown) => String(Math.abs(Number(value))),
    },
    legend: { top: 0, data: ['男', '女'] },
    grid: { left: 60, right: 30, top: 40, bottom: 30 },
    xAxis: { type: 'value', axisLabel: { formatter: (value: number) => String(Math.abs(value)) } },
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

export function elderlyOption(stats: PopulationStatistics): ChartOption {
  return {
    tooltip: { trigger: 'item', formatter: '{b}：{c}人（{d}%）' },
    legend: { bottom: 0 },
    series: [
      {
        name: '老年人口',
        type: 'pie',
        radius: ['40%', '70%'],
        data: stats.elderly.bands.map((row) => ({ name: `${row.band}岁`, value: row.count })),
      },
    ],
  };
}

function barOption(names: string[], values: number[], name: string, horizontal = false): ChartOption {
  const category = { type: 'category', data: names, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
  const value = { type: 'value' };
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: horizontal ? 110 : 50, right: 20, top: 20, bottom: horizontal ? 30 : 70 },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? category : value,
    series: [{ name, type: 'bar', data: values, itemStyle: { color: '#5b8ff9' } }],
  };
}

export function disabilityCategoryOption(stats: PopulationStatistics): ChartOption {
  const rows = stats.disability.byCategory;
  const names = rows.map((row) => row.name ?? DISABILITY_NAMES[String(row.code)] ?? String(row.code));
  return barOption(
    names,
    rows.map((row) => row.count),
    '残疾人数',
  );
}

export function disabilityGradeOption(stats: PopulationStatistics): ChartOption {
  const rows = stats.disability.byGrade;
  const names = rows.map((row) => row.name ?? GRADE_NAMES[String(row.grade)] ?? String(row.grade));
  return {
    tooltip: { trigger: 'item', formatter: '{b}：{c}人（{d}%）' },
    legend: { bottom: 0 },
    series: [
      {
        name: '残疾等级',
        type: 'pie',
        radius: '65%',
        data: names.map((name, i) => ({ name, value: rows[i]?.count ?? 0 })),
      },
    ],
  };
}

export function categoriesOption(stats: PopulationStatistics): ChartOption {
  const rows = stats.categories;
  return barOption(
    rows.map((row) => row.name || categoryName(row.code)),
    rows.map((row) => row.count),
    '人数',
    true,
  );
}

export function streetsOption(stats: PopulationStatistics): ChartOption {
  const rows = [...stats.byStreet].sort((a, b) => b.persons - a.persons);
  return barOption(
    rows.map((row) => row.name),
    rows.map((row) => row.persons),
    '人口',
  );
}
