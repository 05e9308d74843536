import type { ImportError, ImportReport } from '../../api/types.ts';
import type { Column } from '../../utils/columns.ts';

export const ACCEPT = '.xlsx,.csv';

export const errorColumns: Column<ImportError>[] = [
  // A problem with the whole file (too large, damaged, too many rows) has no row.
  {
    prop: 'row',
    label: '行',
    width: 90,
    align: 'right',
    formatter: (e) => (e.row === null ? '整个文件' : String(e.row)),
  },
  { prop: 'column', label: '列', width: 160 },
  { prop: 'value', label: '值', minWidth: 180, ellipsis: true },
  { prop: 'reason', label: '原因', minWidth: 320 },
];

/** Counts as staff read them: 2,800,000. */
export const count = (n: number): string => n.toLocaleString('en-US');

function isReport(value: unknown): value is ImportReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    'errors' in value &&
    Array.isArray((value as { errors: unknown }).errors) &&
    'rows' in value
  );
}

/**
 * A roster with errors comes back as HTTP 400 (IMPORT_INVALID) carrying the ImportReport: merged into the body
 * beside `error`, under `report`, or inside the envelope (`error.report` / `error.details`); anything else is an
 * ordinary error.
 */
export function reportFromErrorBody(body: unknown): ImportReport | null {
  if (isReport(body)) return body;
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const outer = body as { error: Record<string, unknown>; report?: unknown };
  if (isReport(outer.report)) return outer.report;
  const error = outer.error;
  if (isReport(error.report)) return error.report;
  if (isReport(error.details)) return error.details;
  if (Array.isArray(error.details) && error.details.every(isImportError)) {
    const errors = error.details;
    return { ok: false, dryRun: true, rows: 0, households: 0, persons: 0, errors, errorCount: errors.length };
  }
  return null;
}

function isImportError(value: unknown): value is ImportError {
  return typeof value === 'object' && value !== null && 'row' in value && 'reason' in value;
}

export function summary(report: ImportReport): string {
  const counts = `共 ${count(report.rows)} 行，${count(report.households)} 户，${count(report.persons)} 人`;
  const found = `发现 ${count(report.errorCount)} 处错误，未写入任何数据。`;
  // A file refused as a whole (too large, damaged) was not read: no rows to count.
  if (!report.ok) return report.rows === 0 ? found : `${counts}；${found}`;
  return report.dryRun ? `${counts}；校验通过，可以正式导入。` : `${counts}；已全部导入。`;
}

/** The line above the error table: how many are shown of how many. */
export function errorsCaption(report: ImportReport): string {
  const shown = report.errors.length;
  const listed =
    report.errorCount > shown
      ? `显示前 ${count(shown)} 条，共 ${count(report.errorCount)} 条`
      : `共 ${count(report.errorCount)} 条`;
  return `错误明细（${listed}）：请修改台账后重新校验。`;
}
