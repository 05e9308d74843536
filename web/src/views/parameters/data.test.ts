import { describe, expect, it } from 'vitest';
import type { ParameterInfo } from '../../api/types.ts';
import {
  districtLines,
  filterParameters,
  formatValue,
  fromLabel,
  noCityValueLabel,
  sortedParameters,
  statusTag,
} from './data.ts';

const parameter = (
  unit: string,
  values: ParameterInfo['values'] = [],
  name = 'x',
  description = '',
): ParameterInfo => ({ name, description, unit, values });

describe('parameter values in their units', () => {
  it.each([
    ['fen', 165000, '1,650.00 元'],
    ['fen', 3000000, '30,000.00 元'],
    ['fen_per_year', 8836600, '88,366.00 元/年'],
    ['bp', 4000, '40%'],
    ['bp', 125, '1.25%'],
    ['bp', 7050, '70.5%'],
    ['years', 16, '16 周岁'],
    ['persons', 2, '2 人'],
    ['homes', 1, '1 套'],
    ['vehicles', 0, '0 辆'],
    ['months', 3, '3 个月'],
    ['grade', 2, '2 级'],
    ['count', 2, '2'],
  ])('%s %d → %s', (unit, value, text) => {
    expect(formatValue(parameter(unit), value)).toBe(text);
  });

  it('says since when a value applies: a date, or a statistical year', () => {
    expect(fromLabel({ ...parameter('fen'), keyedBy: 'date' }, '2025-07-01')).toBe('2025-07-01 起');
    expect(fromLabel({ ...parameter('fen_per_year'), keyedBy: 'year' }, '2024')).toBe('2024 年');
  });

  it('names every status in Chinese', () => {
    expect(
      ['given', 'found', 'secondary', 'inferred', 'unverified', 'assumption'].map((s) => statusTag(s).label),
    ).toEqual(['已核实（本市文件）', '已核实（公开来源）', '二手来源', '推算', '待核实', '假设']);
  });

  it('groups parameters by program, dibao first, and filters by group and text', () => {
    const list = [
      parameter('fen', [], 'grain_oil.card', '粮油帮困卡'),
      parameter('fen', [], 'dibao.asset_limit.monetary_per_capita', '财产限额'),
      parameter('fen', [], 'dibao.standard', '低保标准'),
      parameter('fen', [{ from: '2020', value: 1, status: 'found', source: '人民网' }], 'city.x', '人均收入'),
    ];
    expect(sortedParameters(list).map((p) => p.name)).toEqual([
      'dibao.standard',
      'dibao.asset_limit.monetary_per_capita',
      'city.x',
      'grain_oil.card',
    ]);
    expect(filterParameters(list, '粮油帮困', '').map((p) => p.name)).toEqual(['grain_oil.card']);
    expect(filterParameters(list, '', '人民网').map((p) => p.name)).toEqual(['city.x']);
    expect(filterParameters(list, '', '低保标准').map((p) => p.name)).toEqual(['dibao.standard']);
  });
});

describe('district values (区级参数)', () => {
  const value = (from: string, v: number, source: string) => ({ from, value: v, status: 'found', source });
  const meals: ParameterInfo = {
    name: 'meal_aid.subsidy',
    description: '助餐补贴',
    unit: 'fen',
    keyedBy: 'date',
    values: [value('2024-01-01', 1000, '市文件')],
    current: { ...value('2024-01-01', 1000, '市文件'), month: '2025-08' },
    districts: [
      {
        code: '310107',
        name: '普陀区',
        values: [value('2024-07-01', 1500, '普陀区文件')],
        current: { ...value('2024-07-01', 1500, '普陀区文件'), month: '2025-08' },
      },
      {
        code: '310115',
        name: '浦东新区',
        values: [value('2026-01-01', 1800, '浦东新区文件')],
        current: null,
      },
    ],
  };

  it("lists each district's value in force and since when, or that it has none that month", () => {
    expect(districtLines(meals)).toEqual([
      { code: '310107', name: '普陀区', value: '15.00 元', from: '2024-07-01 起', status: 'found' },
      { code: '310115', name: '浦东新区', value: null, from: null, status: null },
    ]);
    expect(districtLines(parameter('fen'))).toEqual([]);
  });

  it('says when only districts set a parameter, and finds parameters by district name or source', () => {
    expect(noCityValueLabel({ ...meals, values: [], current: null })).toBe('全市未设定');
    expect(noCityValueLabel(parameter('fen'))).toBe('未启动');
    expect(noCityValueLabel({ ...meals, current: null })).toBe('该月无取值');
    const list = [meals, parameter('fen', [], 'dibao.standard', '低保标准')];
    expect(filterParameters(list, '', '普陀').map((p) => p.name)).toEqual(['meal_aid.subsidy']);
    expect(filterParameters(list, '', '浦东新区文件').map((p) => p.name)).toEqual(['meal_aid.subsidy']);
  });
});
