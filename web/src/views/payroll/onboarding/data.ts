import type { RecipientImportReport } from './api.ts';

/** Counts as staff read them: 2,800. */
const count = (n: number): string => n.toLocaleString('en-US');

/** Fen as yuan with two decimals, without floating point: 12345 → 123.45. */
export function yuan(fen: number): string {
  const text = String(Math.abs(fen)).padStart(3, '0');
  const whole = text.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fen < 0 ? '-' : ''}${whole}.${text.slice(-2)}`;
}

function isReport(value: unknown): value is RecipientImportReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { errors?: unknown }).errors) &&
    'entitlements' in value
  );
}

/** A file with errors comes back as HTTP 400 (IMPORT_INVALID) with the report merged into the body. */
export function reportFromBody(body: unknown): RecipientImportReport | null {
  if (isReport(body)) return body;
  if (typeof body !== 'object' || body === null) return null;
  const inner = (body as { error?: { report?: unknown; details?: unknown } }).error;
  if (inner && isReport(inner.report)) return inner.report;
  return null;
}

export function summary(report: RecipientImportReport): string {
  const found = `发现 ${count(report.errorCount)} 处错误，未写入任何数据。`;
  if (!report.ok) return report.rows === 0 ? found : `共 ${count(report.rows)} 行；${found}`;
  const what = `${count(report.entitlements)} 项待遇、${count(report.payeeAccounts)} 个新收款账户、${count(report.openingEntries)} 笔期初分类账（上线前已发放 ${yuan(report.openingFen)} 元）`;
  return report.dryRun
    ? `共 ${count(report.rows)} 行；校验通过，将导入 ${what}。可以正式导入。`
    : `共 ${count(report.rows)} 行；已导入 ${what}。`;
}

export function errorsCaption(report: RecipientImportReport): string {
  const shown = report.errors.length;
  const listed =
    report.errorCount > shown
      ? `显示前 ${count(shown)} 条，共 ${count(report.errorCount)} 条`
      : `共 ${count(report.errorCount)} 条`;
  return `错误明细（${listed}）：请按行、列修改文件后重新校验。`;
}
