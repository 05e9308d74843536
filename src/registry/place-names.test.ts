import { describe, expect, it } from 'vitest';
import { nationalPlaceName, placeName } from './place-names.ts';

describe('division codes as a person reads them', () => {
  it('names a county outside Shanghai with its province and city', () => {
    expect(placeName('340102')).toBe('安徽省合肥市瑶海区');
    expect(placeName('320506')).toBe('江苏省苏州市吴中区');
  });

  it('leaves out the 市辖区 placeholder city of a municipality', () => {
    expect(placeName('110101')).toBe('北京市东城区');
    expect(placeName('500103')).toBe('重庆市渝中区');
  });

  it('names Shanghai divisions down to the committee', () => {
    expect(placeName('310110')).toBe('上海市杨浦区');
    expect(placeName('310110012')).toBe('上海市杨浦区控江路街道');
    expect(placeName('310110012001')).toBe('上海市杨浦区控江路街道控一居委会');
  });

  it('says 外省市 with the code when the code is unknown', () => {
    expect(placeName('349999')).toBe('外省市（349999）');
    expect(nationalPlaceName('34')).toBeNull();
    expect(placeName('310199')).toBe('上海市（310199）');
  });
});
