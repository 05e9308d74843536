import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../api/types.ts';
import { errorsCaption, reportFromErrorBody, summary } from './data.ts';

const report: ImportReport = {
  ok: false,
  dryRun: true,
  rows: 2,
  households: 0,
  persons: 0,
  errors: [{ row: 2, column: '身份证号', value: '310110195803150112', reason: '身份证号校验位错误' }],
  errorCount: 1,
};

describe('the import report inside an HTTP 400', () => {
  it.each([
    ['the body itself', report],
    ['merged beside the error', { error: { code: 'IMPORT_INVALID', message: '台账文件有错误' }, ...report }],
    ['under report', { error: { code: 'IMPORT_INVALID', message: '…' }, report }],
    ['inside the envelope', { error: { code: 'IMPORT_INVALID', message: '…', report } }],
  ])('is found as %s', (_where, body) => {
    expect(reportFromErrorBody(body)?.errors).toEqual(report.errors);
  });

  it('is rebuilt from row/column details', () => {
    const body = { error: { code: 'IMPORT_INVALID', message: '…', details: report.errors } };
    expect(reportFromErrorBody(body)).toMatchObject({ ok: false, errors: report.errors, errorCount: 1 });
  });

  it('is absent from an ordinary error', () => {
    expect(reportFromErrorBody({ error: { code: 'FORBIDDEN', message: '没有执行此操作的权限' } })).toBeNull();
    expect(reportFromErrorBody('<html>')).toBeNull();
  });

  it('is summarised in Chinese', () => {
    expect(summary(report)).toBe('共 2 行，0 户，0 人；发现 1 处错误，未写入任何数据。');
    expect(summary({ ...report, ok: true, errors: [], errorCount: 0, households: 1, persons: 2 })).toBe(
      '共 2 行，1 户，2 人；校验通过，可以正式导入。',
    );
  });

  it('counts with separators and says how many of how many errors are listed', () => {
    const many = {
      ...report,
      rows: 700_000,
      errorCount: 2_800_000,
      errors: Array(1000).fill(report.errors[0]),
    };
    expect(summary(many)).toBe('共 700,000 行，0 户，0 人；发现 2,800,000 处错误，未写入任何数据。');
    expect(errorsCaption(many)).toBe('错误明细（显示前 1,000 条，共 2,800,000 条）：请修改台账后重新校验。');
    expect(errorsCaption(report)).toBe('错误明细（共 1 条）：请修改台账后重新校验。');
    expect(summary({ ...report, rows: 0 })).toBe('发现 1 处错误，未写入任何数据。');
  });
});
