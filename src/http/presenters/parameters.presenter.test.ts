import { describe, expect, it } from 'vitest';
import { ParameterStore, parseParameterFile } from '../../policy/engine/parameter-store.ts';
import { presentParameters } from './parameters.presenter.ts';

const cityWithOverrides = `
description: '测试：全市标准，普陀区、浦东新区自定'
unit: fen
values:
  - { effective: '2024-01-01', value: 100000, status: given, source: '市文件' }
  - { effective: '2025-07-01', value: 120000, status: given, source: '市文件' }
districts:
  '310115':
    - { effective: '2025-01-01', value: 130000, status: found, source: '浦东新区文件' }
  '310107':
    - { effective: '2024-07-01', value: 150000, status: found, source: '普陀区文件', note: '区级提标' }
    - { effective: '2026-01-01', value: 160000, status: unverified, source: '普陀区文件' }
`;

const districtOnly = `
description: '测试：区级助餐补贴'
unit: fen
values: []
districts:
  '310107':
    - { effective: '2023-01-01', value: 300, status: secondary, source: '普陀区文件' }
`;

const cityOnly = `
description: '测试：只有全市取值'
unit: years
values:
  - { effective: '2020-01-01', value: 65, status: given, source: '市文件' }
`;

const store = new ParameterStore([
  parseParameterFile('a.yaml', 't.city_with_overrides', cityWithOverrides),
  parseParameterFile('b.yaml', 't.district_only', districtOnly),
  parseParameterFile('c.yaml', 't.city_only', cityOnly),
]);

const byName = (month: string) => new Map(presentParameters(store, month).map((p) => [p.name, p]));

describe('政策参数 with district values', () => {
  it("shows each district's values and the value in force there beside the city's, by district code", () => {
    const p = byName('2025-08').get('t.city_with_overrides');
    expect(p?.current).toMatchObject({ from: '2025-07-01', value: 120000, month: '2025-08' });
    expect(p?.values.map((v) => v.from)).toEqual(['2024-01-01', '2025-07-01']);
    expect(p?.districts).toEqual([
      {
        code: '310107',
        name: '普陀区',
        values: [
          {
            from: '2024-07-01',
            value: 150000,
            status: 'found',
            source: '普陀区文件',
            note: '区级提标',
          },
          { from: '2026-01-01', value: 160000, status: 'unverified', source: '普陀区文件' },
        ],
        current: {
          from: '2024-07-01',
          value: 150000,
          status: 'found',
          source: '普陀区文件',
          note: '区级提标',
          month: '2025-08',
        },
      },
      {
        code: '310115',
        name: '浦东新区',
        values: [{ from: '2025-01-01', value: 130000, status: 'found', source: '浦东新区文件' }],
        current: {
          from: '2025-01-01',
          value: 130000,
          status: 'found',
          source: '浦东新区文件',
          month: '2025-08',
        },
      },
    ]);
  });

  it("follows the month: a district's value from its own date, with its warning; none before it", () => {
    const later = byName('2026-02').get('t.city_with_overrides')?.districts?.[0]?.current;
    expect(later).toMatchObject({ from: '2026-01-01', value: 160000, status: 'unverified' });
    expect(later?.warning).toMatch(/./);
    const before = byName('2024-03').get('t.city_with_overrides');
    expect(before?.current).toMatchObject({ value: 100000 });
    // Before 浦东新区's own value starts the district has none (its own rule replaces the city's).
    expect(before?.districts?.map((d) => [d.name, d.current?.value ?? null])).toEqual([
      ['普陀区', null],
      ['浦东新区', null],
    ]);
  });

  it("a district's own rule has no city value; a city-only parameter has no districts", () => {
    const month = byName('2025-08');
    const own = month.get('t.district_only');
    expect(own?.values).toEqual([]);
    expect(own?.current).toBeNull();
    expect(own?.districts?.map((d) => [d.name, d.current?.value])).toEqual([['普陀区', 300]]);
    expect(month.get('t.city_only')).not.toHaveProperty('districts');
  });
});
