import type { ImportError, ImportReport } from '../../api/types.ts';
import type { Column } from '../../utils/columns.ts';

export const ACCEPT = '.xlsx,.csv';

export const errorColumns: Column<ImportError>[] = [
  { prop: 'row', label: '行', width: 80, align: 'right' },
  { prop: 'column', label: '列', width: 160 },
  { prop: 'value', label: '值', minWidth: 180 },
  { prop: 'reason', label: '原因', minWidth: 320 },
];

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
  const counts = `共 ${report.rows} 行，${report.households} 户，${report.persons} 人`;
  if (!report.ok) return `${counts}；发现 ${report.errorCount} 处错误，未写入任何数据。`;
  return report.dryRun ? `${counts}；校验通过，可以正式导入。` : `${counts}；已全部导入。`;
}
