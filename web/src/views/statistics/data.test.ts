import { describe, expect, it } from 'vitest';
import type { Figures } from '../../api/statistics.ts';
import { areaBarOption, monthLineOption, paidColumns, tableRows, yuanText } from './data.ts';

const f = (households: number, persons: number, amountFen: number): Figures => ({
  households,
  persons,
  amountFen,
  arrearsFen: 0,
  carriedFen: 0,
  offsetFen: 0,
  unconfirmedFen: 0,
});

describe('statistics page data', () => {
  it('writes fen as 元 with two decimals and separators, by integers', () => {
    expect(yuanText(0)).toBe('0.00');
    expect(yuanText(5)).toBe('0.05');
    expect(yuanText(123_456_789)).toBe('1,234,567.89');
    expect(yuanText(-3_000)).toBe('-30.00');
  });

  it('lists each program’s areas, its 小计, and a 合计 last; nothing for an empty table', () => {
    const rows = tableRows(
      [
        {
          program: { code: 'dibao', name: '最低生活保障' },
          rows: [
            { code: '310110012', name: '控江路街道', ...f(2, 5, 356_000) },
            { code: '310110013', name: '长白新村街道', ...f(1, 1, 10_000) },
          ],
          total: f(3, 6, 366_000),
        },
      ],
      f(3, 6, 366_000),
    );
    expect(rows.map((r) => [r.kind, r.program, r.area, r.areaCode])).toEqual([
      ['area', '最低生活保障', '控江路街道', '310110012'],
      ['area', '最低生活保障', '长白新村街道', '310110013'],
      ['subtotal', '最低生活保障', '小计', null],
      ['total', '合计', '', null],
    ]);
    expect(tableRows([], f(0, 0, 0))).toEqual([]);
    expect(
      paidColumns(true)
        .map((c) => c.label)
        .slice(0, 2),
    ).toEqual(['户次', '人次']);
    expect(paidColumns(false)[2]!.value(f(1, 1, 356_000))).toBe('3,560.00');
  });

  it('draws areas as bars and months as lines, in Chinese', () => {
    const bars = areaBarOption('street', [
      { code: '310110012', name: '控江路街道', ...f(2, 5, 356_000) },
    ]) as {
      xAxis: { name: string; data: string[] };
      series: { data: number[] }[];
    };
    expect(bars.xAxis).toMatchObject({ name: '街道（镇）', data: ['控江路街道'] });
    expect(bars.series[0]!.data).toEqual([3560]);
    const lines = monthLineOption([{ month: '2026-11', programs: [], ...f(3, 6, 363_000) }]) as {
      xAxis: { data: string[] };
    };
    expect(lines.xAxis.data).toEqual(['11月']);
  });
});
