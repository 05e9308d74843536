import { describe, expect, it } from 'vitest';
import { renderImportReport } from './import-export.command.ts';

const base = { rows: 3, households: 1, persons: 3, errors: [], errorCount: 0 };

describe('renderImportReport', () => {
  it('summarizes a write and a dry run in Chinese', () => {
    expect(renderImportReport({ ...base, ok: true, dryRun: false })).toBe(
      '导入完成：共 3 行，已导入 1 户、3 人\n',
    );
    expect(renderImportReport({ ...base, ok: true, dryRun: true })).toBe(
      '校验通过（试运行，未写入）：共 3 行，将导入 1 户、3 人\n',
    );
  });

  it('prints the error table with row, column, value and reason, and says when it is cut', () => {
    const text = renderImportReport({
      ...base,
      ok: false,
      dryRun: false,
      households: 0,
      persons: 0,
      errors: [
        { row: null, column: null, value: null, reason: '文件为空' },
        { row: 12, column: '月工资(元)', value: '1.234', reason: '金额最多两位小数（精确到分）' },
      ],
      errorCount: 1500,
    });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('导入失败：发现 1500 处错误，未写入任何数据');
    expect(lines[1]).toMatch(/^行\s+列\s+值\s+原因$/);
    expect(lines[3]).toMatch(/^-\s+-\s+文件为空$/);
    expect(lines[4]).toMatch(/^12\s+月工资\(元\)\s+1\.234\s+金额最多两位小数（精确到分）$/);
    expect(lines[5]).toBe('（仅列出前 2 处，共 1500 处）');
  });
});
