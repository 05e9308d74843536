import { describe, expect, it } from 'vitest';
import { divisionScope } from '../auth/scope.ts';
import { divisionIndex, divisionLevel } from './divisions.ts';
import { RegistryError } from './registry.errors.ts';
import { assertDivision } from './registry.validation.ts';

describe('divisions', () => {
  it('derives the level from the code length', () => {
    expect(divisionLevel('31')).toBe('province');
    expect(divisionLevel('3101')).toBe('city');
    expect(divisionLevel('310110')).toBe('district');
    expect(divisionLevel('310110001')).toBe('street');
    expect(divisionLevel('310110001001')).toBe('committee');
    expect(divisionLevel('3101100010')).toBeUndefined();
    expect(divisionLevel('31011a')).toBeUndefined();
  });

  it('indexes the Shanghai file: Yangpu has 12 streets and 301 committees', () => {
    const index = divisionIndex();
    expect(index.size).toBe(6760);
    const streets = index.children('310110');
    expect(streets).toHaveLength(12);
    const committees = streets.flatMap((s) => index.children(s.code));
    expect(committees).toHaveLength(301);
    expect(committees.every((c) => c.districtCode === '310110' && c.level === 'committee')).toBe(true);
  });

  it('resolves a committee path with names', () => {
    expect(divisionIndex().path('310110001001')).toMatchObject({
      level: 'committee',
      district: { name: '杨浦区' },
      street: { name: '定海路街道' },
      committee: { name: '十七棉工房第二居委会' },
      fullName: '杨浦区 定海路街道 十七棉工房第二居委会',
    });
    expect(divisionIndex().path('310110999999')).toBeUndefined();
  });

  it('validates existence, level and scope with Chinese messages', () => {
    expect(assertDivision('310110001001', 'committee').name).toBe('十七棉工房第二居委会');
    expect(() => assertDivision('310110999999', 'committee')).toThrow('区划代码「310110999999」不存在');
    expect(() => assertDivision('310110001', 'committee')).toThrow('是街道/镇，此处需要居委会/村委会');
    const outside = () => assertDivision('310110012001', 'committee', divisionScope('310110001'));
    expect(outside).toThrow(RegistryError);
    expect(outside).toThrow('不在您的数据范围内');
  });
});
