import { describe, expect, it } from 'vitest';
import { maskIdentifiersInText } from './present.ts';

describe('maskIdentifiersInText', () => {
  it('masks ID numbers and phone numbers inside free text', () => {
    expect(maskIdentifiersInText('310110196003150011')).toBe('310110********0011');
    expect(maskIdentifiersInText('查 31011019600315001X 的户')).toBe('查 310110********001X 的户');
    expect(maskIdentifiersInText('310110600315001')).toBe('310110*****5001');
    expect(maskIdentifiersInText('电话13812345678')).toBe('电话138****5678');
    expect(maskIdentifiersInText('021-65432100')).toBe('021*****2100');
    expect(maskIdentifiersInText('65432100')).toBe('654*2100');
  });
  it('leaves codes, household numbers and short numbers alone', () => {
    for (const text of ['310110012', '310110012001', '310110D000005484', '张三 0011', 'zs', '2026-12-01']) {
      expect(maskIdentifiersInText(text)).toBe(text);
    }
  });
});
