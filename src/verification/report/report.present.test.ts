import { describe, expect, it } from 'vitest';
import { textAnswer } from './report.present.ts';

describe('raw answers as an officer reads them', () => {
  it('names a hukou place and a marital status, keeping the agency’s code', () => {
    expect(textAnswer('hukou', '310110012')).toBe('上海市杨浦区控江路街道（310110012）');
    expect(textAnswer('marital', '20')).toBe('已婚（20）');
    expect(textAnswer('marital', '99')).toBe('99');
    expect(textAnswer('death', '2026-10-01')).toBe('2026-10-01');
  });
});
