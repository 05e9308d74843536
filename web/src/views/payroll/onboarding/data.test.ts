import { describe, expect, it } from 'vitest';
import { errorsCaption, reportFromBody, summary, yuan } from './data.ts';

const report = {
  ok: true,
  dryRun: true,
  rows: 3,
  entitlements: 3,
  payeeAccounts: 2,
  openingEntries: 30,
  openingFen: 123456789,
  errors: [],
  errorCount: 0,
};

describe('在保对象导入 page data', () => {
  it('money without floats', () => {
    expect(yuan(123456789)).toBe('1,234,567.89');
    expect(yuan(5)).toBe('0.05');
  });
  it('summaries of a check, an import and a refusal', () => {
    expect(summary(report)).toContain(
      '校验通过，将导入 3 项待遇、2 个新收款账户、30 笔期初分类账（上线前已发放 1,234,567.89 元）',
    );
    expect(summary({ ...report, dryRun: false })).toContain('已导入 3 项待遇');
    const bad = {
      ...report,
      ok: false,
      errorCount: 2,
      errors: [{ row: 2, column: '项目', value: 'x', reason: '未知的项目' }],
    };
    expect(summary(bad)).toBe('共 3 行；发现 2 处错误，未写入任何数据。');
    expect(errorsCaption(bad)).toContain('显示前 1 条，共 2 条');
  });
  it('finds the report in a 400 body', () => {
    expect(reportFromBody({ error: { code: 'IMPORT_INVALID' }, ...report })).toMatchObject({ rows: 3 });
    expect(reportFromBody({ error: { code: 'FORBIDDEN' } })).toBeNull();
  });
});
