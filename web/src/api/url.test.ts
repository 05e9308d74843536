import { describe, expect, it } from 'vitest';
import { buildUrl, downloadName } from './url.ts';

describe('request helpers', () => {
  it('builds query strings without empty filters', () => {
    expect(buildUrl('/api/persons', { q: '张三', division: '', limit: 20, offset: 0, x: undefined })).toBe(
      '/api/persons?q=%E5%BC%A0%E4%B8%89&limit=20&offset=0',
    );
    expect(buildUrl('/api/households')).toBe('/api/households');
  });

  it('takes the UTF-8 file name of a download before the ASCII one', () => {
    const header = `attachment; filename="households.xlsx"; filename*=UTF-8''${encodeURIComponent('户籍台账-2026-11-22.xlsx')}`;
    expect(downloadName(header, 'x.xlsx')).toBe('户籍台账-2026-11-22.xlsx');
    expect(downloadName('attachment; filename="households.xlsx"', 'x.xlsx')).toBe('households.xlsx');
    expect(downloadName('', '家庭户台账.xlsx')).toBe('家庭户台账.xlsx');
    expect(downloadName("attachment; filename*=UTF-8''%E0%A4%A", 'x.xlsx')).toBe('x.xlsx');
  });
});
