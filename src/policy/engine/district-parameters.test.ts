import { describe, expect, it } from 'vitest';
import { parseMonth } from './month.ts';
import { ParameterFileError, ParameterStore, parseParameterFile } from './parameter-store.ts';

const cityWithOverride = `
description: '测试：全市标准，普陀区自定'
unit: fen
values:
  - { effective: '2024-01-01', value: 1000, status: given, source: '市文件' }
  - { effective: '2025-01-01', value: 1200, status: given, source: '市文件' }
districts:
  '310107':
    - { effective: '2024-07-01', value: 1500, status: found, source: '普陀区文件' }
`;

const districtOnly = `
description: '测试：区级助餐补贴'
unit: fen
values: []
districts:
  '310107':
    - { effective: '2023-01-01', value: 300, status: secondary, source: '普陀区文件' }
`;

const store = new ParameterStore([
  parseParameterFile('a.yaml', 't.city_with_override', cityWithOverride),
  parseParameterFile('b.yaml', 't.district_only', districtOnly),
]);

const value = (s: ParameterStore, path: string, month: string) =>
  s.resolve(path, parseMonth(month)).entry?.value ?? null;

describe('district parameters (区级参数)', () => {
  it('a district that sets a parameter uses its own values only; others use the city values', () => {
    const putuo = store.forDistrict('310107012');
    expect(value(putuo, 't.city_with_override', '2024-03')).toBeNull();
    expect(value(putuo, 't.city_with_override', '2024-08')).toBe(1500);
    expect(value(putuo, 't.city_with_override', '2025-06')).toBe(1500);
    const yangpu = store.forDistrict('310110');
    expect(value(yangpu, 't.city_with_override', '2024-03')).toBe(1000);
    expect(value(yangpu, 't.city_with_override', '2025-06')).toBe(1200);
    expect(value(store, 't.city_with_override', '2025-06')).toBe(1200);
  });

  it("a district's own rule has no value elsewhere (a gap, not zero)", () => {
    expect(value(store.forDistrict('310107'), 't.district_only', '2024-01')).toBe(300);
    expect(value(store.forDistrict('310110'), 't.district_only', '2024-01')).toBeNull();
  });

  it('the view for a district is built once and shared', () => {
    expect(store.forDistrict('310107')).toBe(store.forDistrict('310107001'));
  });

  it('refuses a district code that is not a Shanghai district, naming the file', () => {
    expect(() => parseParameterFile('c.yaml', 't.bad', districtOnly.replace("'310107'", "'110101'"))).toThrow(
      ParameterFileError,
    );
  });
});
