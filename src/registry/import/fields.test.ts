import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsv } from './csv-reader.ts';
import { formatFen, parseCategories, parseDate, parseRelation, parseYuanToFen } from './fields.ts';
import { sniff } from './source.ts';

describe('parseYuanToFen', () => {
  it.each([
    ['0', 0],
    ['1', 100],
    ['1234.5', 123450],
    ['1234.56', 123456],
    ['0.01', 1],
    ['0.1', 10],
    ['007.10', 710],
    ['1,234.00', 123400],
    ['999999999999.99', 99999999999999],
  ])('%s yuan → %d fen', (text, fen) => {
    expect(parseYuanToFen(text)).toEqual({ ok: true, value: fen });
  });

  it.each([
    ['1.234', '金额最多两位小数（精确到分）'],
    ['-5', '金额不能为负数'],
    ['-0.5', '金额不能为负数'],
    ['1e3', '金额格式错误：应为以元为单位的数字，如 1234.50'],
    ['abc', '金额格式错误：应为以元为单位的数字，如 1234.50'],
    ['1000000000000', '金额过大'],
  ])('refuses %s', (text, reason) => {
    expect(parseYuanToFen(text)).toEqual({ ok: false, reason });
  });

  it('formats fen back to the same text', () => {
    for (const fen of [0, 1, 10, 99, 100, 123456, 99999999999999]) {
      expect(parseYuanToFen(formatFen(fen))).toEqual({ ok: true, value: fen });
    }
    expect(formatFen(5)).toBe('0.05');
    expect(formatFen(123450)).toBe('1234.50');
  });
});

describe('cell parsers', () => {
  it('dates: normalizes and refuses impossible ones', () => {
    expect(parseDate('2020/1/5')).toEqual({ ok: true, value: '2020-01-05' });
    expect(parseDate('2023-02-29')).toEqual({ ok: false, reason: '日期不存在' });
    expect(parseDate('2023-13-01')).toEqual({ ok: false, reason: '日期不存在' });
    expect(parseDate('20230101').ok).toBe(false);
  });

  it('relations: code or name', () => {
    expect(parseRelation('02')).toEqual({ ok: true, value: '02' });
    expect(parseRelation('2')).toEqual({ ok: true, value: '02' });
    expect(parseRelation('配偶')).toEqual({ ok: true, value: '10' });
    expect(parseRelation('邻居').ok).toBe(false);
  });

  it('categories: codes, names and short names, 、-separated', () => {
    expect(parseCategories('特困、orphan、赴安徽农村务农居民（第一类）')).toEqual({
      ok: true,
      value: ['tekun', 'orphan', 'anhui_resettled_1'],
    });
    expect(parseCategories('低保').ok).toBe(false);
  });
});

describe('readCsv', () => {
  const read = async (text: string | Buffer, chunk = 3) => {
    const buffer = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const parts: Buffer[] = [];
    for (let i = 0; i < buffer.length; i += chunk) parts.push(buffer.subarray(i, i + chunk));
    const out = [];
    for await (const record of readCsv(Readable.from(parts))) out.push(record);
    return out;
  };

  it('handles BOM, quotes, doubled quotes, CRLF and line breaks inside quotes (split mid-character)', async () => {
    const records = await read('\uFEFF姓名,地址\r\n张三,"示例路1号,""东""楼\n101室"\r\n李四,x\n');
    expect(records).toEqual([
      { line: 1, fields: ['姓名', '地址'] },
      { line: 2, fields: ['张三', '示例路1号,"东"楼\n101室'] },
      { line: 4, fields: ['李四', 'x'] },
    ]);
  });

  it('refuses GBK (not UTF-8) with a clear message', async () => {
    const gbk = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0x31, 0x0a]); // 张三,1 in GBK
    await expect(read(gbk)).rejects.toThrow('CSV 文件不是 UTF-8 编码');
  });
});

describe('sniff', () => {
  it('tells xlsx, csv, legacy xls and binaries apart by content', () => {
    expect(sniff(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]), 'a.csv')).toBe('xlsx');
    expect(sniff(Buffer.from('户编号,姓名\n', 'utf8'), 'a.txt')).toBe('csv');
    expect(() => sniff(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'a.xls')).toThrow(
      '.xls',
    );
    expect(() => sniff(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'a.png')).toThrow(
      '文件不是电子表格',
    );
  });
});
