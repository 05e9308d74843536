import { describe, expect, it } from 'vitest';
import type { PopulationStatistics } from '../../api/types.ts';
import { chartCards, percentText } from './data.ts';

function stats(overrides: Partial<PopulationStatistics> = {}): PopulationStatistics {
  return {
    asOf: '2026-12-02',
    computedAt: '2026-12-02T04:00:00.000Z',
    fresh: true,
    totals: { persons: 3, hukouPersons: 2, households: 2 },
    pyramid: [
      { band: '0-4', male: 1, female: 0 },
      { band: '65-69', male: 1, female: 1 },
    ],
    elderly: {
      share60: 0.667,
      bands: [
        { band: '60-69', count: 2 },
        { band: '70-79', count: 0 },
      ],
    },
    disability: {
      byCategory: [
        { code: 1, name: '视力残疾', count: 0 },
        { code: 4, name: '肢体残疾', count: 0 },
      ],
      byGrade: [{ grade: 1, name: '一级', count: 0 }],
    },
    categories: [{ code: 'tekun', name: '特困供养人员', count: 0 }],
    byStreet: [{ code: '310110012', name: '控江路街道', persons: 3, households: 2 }],
    areas: {
      level: 'committee',
      items: [
        { code: '310110012001', name: '控一居委会', persons: 1, households: 1 },
        { code: '310110012003', name: '欣辉居委会', persons: 2, households: 1 },
      ],
    },
    householdSizes: null,
    ...overrides,
  };
}

const card = (s: PopulationStatistics, key: string) => chartCards(s).find((c) => c.key === key);

describe('dashboard charts', () => {
  it('say in words when the scope has nobody for a chart', () => {
    const s = stats();
    expect(card(s, 'disability-category')?.empty).toBe('本范围内没有持证残疾人');
    expect(card(s, 'disability-grade')?.empty).toBe('本范围内没有持证残疾人');
    expect(card(s, 'categories')?.empty).toBe('本范围内没有经认定的特殊对象');
    expect(card(s, 'pyramid')?.empty).toBeNull();
  });

  it('drop zero slices from pies, so that no label sits on another', () => {
    const option = card(stats(), 'elderly')?.option as { series: { data: { name: string }[] }[] };
    expect(option.series[0]?.data.map((d) => d.name)).toEqual(['60-69岁']);
  });

  it('count whole people on every value axis', () => {
    for (const c of chartCards(stats())) {
      const option = c.option as {
        xAxis?: { type?: string; minInterval?: number };
        yAxis?: { type?: string; minInterval?: number };
      };
      for (const axis of [option.xAxis, option.yAxis])
        if (axis?.type === 'value') expect(axis.minInterval, c.key).toBe(1);
    }
  });

  it('break a street down by committee, and a committee by household size', () => {
    expect(card(stats(), 'area')?.title).toBe('各居委会常住人口');
    const committee = stats({
      householdSizes: [
        { size: 1, label: '1人户', households: 0 },
        { size: 2, label: '2人户', households: 1 },
      ],
    });
    expect(card(committee, 'area')?.title).toBe('家庭户规模（按户内人数）');
    expect(card(stats({ areas: { level: 'street', items: [] } }), 'area')?.title).toBe('各街道常住人口');
  });

  it('give shares in tenths of a percent without floating point', () => {
    expect(percentText(1408, 1644)).toBe('85.6%');
    expect(percentText(2, 3)).toBe('66.7%');
    expect(percentText(0, 0)).toBe('—');
  });
});
