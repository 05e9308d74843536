import { describe, expect, it } from 'vitest';
import type { ParameterInfo } from '../../api/types.ts';
import { currentValue, formatValue, statusTag } from './data.ts';

const parameter = (unit: string, values: ParameterInfo['values'] = []): ParameterInfo => ({
  name: 'x',
  description: '',
  unit,
  values,
});

describe('parameter values in their units', () => {
  it.each([
    ['fen', 165000, '1,650.00 元'],
    ['fen_per_year', 8836600, '88,366.00 元/年'],
    ['bp', 4000, '40%'],
    ['bp', 125, '1.25%'],
    ['bp', 7050, '70.5%'],
    ['years', 16, '16 岁'],
    ['count', 2, '2'],
  ])('%s %d → %s', (unit, value, text) => {
    expect(formatValue(parameter(unit), value)).toBe(text);
  });

  it('picks the value in force on a day, not a future one', () => {
    const p = parameter('fen', [
      { from: '2023-07-01', value: 151000, status: 'unverified', source: '' },
      { from: '2025-07-01', value: 165000, status: 'secondary', source: '' },
    ]);
    expect(currentValue(p, '2025-06-30')?.value).toBe(151000);
    expect(currentValue(p, '2025-07-01')?.value).toBe(165000);
    expect(currentValue(p, '2023-01-01')).toBeUndefined();
  });

  it('names every status in Chinese', () => {
    expect(
      ['given', 'found', 'secondary', 'inferred', 'unverified', 'assumption'].map((s) => statusTag(s).label),
    ).toEqual(['文件明确', '公开来源', '二手来源', '推算', '未核实', '建模假设']);
  });
});
