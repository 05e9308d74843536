import { describe, expect, it } from 'vitest';
import type { ParameterInfo } from '../../api/types.ts';
import type { SimulationRow } from '../../api/policy.ts';
import {
  areaDeltaOption,
  areaTable,
  buildReform,
  defaultAreaProgram,
  formatDeltaCount,
  formatDeltaFen,
  inputText,
  parseLineValue,
  parsePercent,
  secondsLabel,
  totalCost,
} from './data.ts';

const parameters: ParameterInfo[] = [
  { name: 'dibao.standard', description: '低保标准', unit: 'fen', values: [] },
  { name: 'renovation.rate.other', description: '改造补贴比例', unit: 'bp', values: [] },
  { name: 'temporary.max_months', description: '临时救助月数', unit: 'months', values: [] },
];

describe('reform values typed in 元, % and whole numbers', () => {
  it('reads money as fen and rates as basis points, without floating point', () => {
    expect(parseLineValue('fen', '1700')).toBe(170000);
    expect(parseLineValue('fen', '1,700.5')).toBe(170050);
    expect(parseLineValue('fen', '0.1')).toBe(10);
    expect(parseLineValue('fen', '-1')).toBeNull();
    expect(parseLineValue('bp', '40')).toBe(4000);
    expect(parseLineValue('bp', '70.5%')).toBe(7050);
    expect(parsePercent('100.01')).toBeNull();
    expect(parseLineValue('months', '4')).toBe(4);
    expect(parseLineValue('months', '4.5')).toBeNull();
  });

  it('starts from the current value as it is typed', () => {
    expect(inputText('fen', 165000)).toBe('1650.00');
    expect(inputText('bp', 4000)).toBe('40');
    expect(inputText('years', 60)).toBe('60');
  });

  it('builds the reform, skipping empty lines and naming each bad one', () => {
    const { reform, errors } = buildReform(
      [
        { parameter: 'dibao.standard', text: '1700' },
        { parameter: '', text: '' },
        { parameter: 'renovation.rate.other', text: '四十' },
        { parameter: 'dibao.standard', text: '1800' },
        { parameter: '', text: '5' },
      ],
      parameters,
    );
    expect(reform).toEqual([{ parameter: 'dibao.standard', value: 170000 }]);
    expect(errors).toEqual({
      2: '请输入 0–100 之间的百分比，最多两位小数',
      3: '同一参数只能调整一次',
      4: '请选择要调整的参数',
    });
  });
});

describe('result figures', () => {
  it('signs differences and sums the monthly cost of the programs that computed', () => {
    expect(formatDeltaCount(1234)).toBe('+1,234');
    expect(formatDeltaCount(-5)).toBe('-5');
    expect(formatDeltaCount(0)).toBe('0');
    expect(formatDeltaFen(900)).toBe('+9.00');
    expect(formatDeltaFen(-123456)).toBe('-1,234.56');
    const rows = [
      {
        program: 'dibao',
        name: '最低生活保障',
        baseline: { households: 1, persons: 2, costFen: 330000 },
        areas: [],
      },
      {
        program: 'rigid_expense',
        name: '支出型贫困',
        baseline: { households: 0, persons: 0, costFen: 0, error: '参数缺失' },
        areas: [],
      },
    ];
    expect(totalCost(rows, 'baseline')).toBe(330000);
    expect(secondsLabel(1234)).toBe('1.2 秒');
  });
});

describe('the reform by area', () => {
  const f = (households: number, costFen: number) => ({ households, persons: households * 2, costFen });
  const area = (code: string, name: string, before: number, after: number, households = 1) => ({
    code,
    name,
    baseline: f(households, before),
    reform: f(households, after),
    delta: { households: 0, persons: 0, costFen: after - before },
  });
  const dibao: SimulationRow = {
    program: 'dibao',
    name: '最低生活保障',
    baseline: f(3, 495000),
    reform: f(3, 522000),
    delta: { households: 0, persons: 0, costFen: 27000 },
    areas: [
      area('310110012', '五角场街道', 330000, 348000, 2),
      area('310110016', '长白新村街道', 165000, 174000),
    ],
  };
  const elderly: SimulationRow = {
    program: 'elderly_allowance',
    name: '老年综合津贴',
    baseline: f(1, 7500),
    reform: f(1, 7500),
    delta: { households: 0, persons: 0, costFen: 0 },
    areas: [area('310110012', '五角场街道', 7500, 7500)],
  };
  const broken: SimulationRow = {
    program: 'rigid_expense',
    name: '支出型贫困',
    baseline: { ...f(0, 0), error: '参数缺失' },
    areas: [],
  };

  it('opens on the first program the reform moves, else 低保, else the first with areas', () => {
    expect(defaultAreaProgram([elderly, dibao])).toBe('dibao');
    const still = { ...dibao, reform: dibao.baseline, delta: f(0, 0), areas: [] };
    expect(defaultAreaProgram([broken, elderly, { ...still, areas: dibao.areas }])).toBe('dibao');
    expect(defaultAreaProgram([broken, elderly])).toBe('elderly_allowance');
    expect(defaultAreaProgram([broken])).toBeNull();
  });

  it('lists areas by name with today, after and the signed difference, and a 合计 line that adds up', () => {
    const { rows, total } = areaTable(dibao);
    expect(rows.map((r) => r.name)).toEqual(['五角场街道', '长白新村街道']);
    expect(rows[0]).toMatchObject({
      baselineHouseholds: '2',
      baselineCost: '3,300.00',
      reformHouseholds: '2',
      reformCost: '3,480.00',
      deltaHouseholds: '0',
      deltaCost: '+180.00',
      trend: 'up',
    });
    expect(total).toMatchObject({
      name: '合计',
      baselineHouseholds: '3',
      baselineCost: '4,950.00',
      reformCost: '5,220.00',
      deltaCost: '+270.00',
    });
    expect(areaTable(elderly).rows[0]?.trend).toBe('same');
    expect(areaTable(broken)).toEqual({ rows: [], total: null });
    expect(areaTable(undefined)).toEqual({ rows: [], total: null });
  });

  it('charts the cost difference in 元 by area name', () => {
    const option = areaDeltaOption('street', dibao) as {
      xAxis: { name: string; data: string[] };
      series: { type: string; data: number[] }[];
    };
    expect(option.xAxis).toMatchObject({ name: '街道（镇）', data: ['五角场街道', '长白新村街道'] });
    expect(option.series).toEqual([expect.objectContaining({ type: 'bar', data: [180, 90] })]);
  });
});
