import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { AuthUser } from '../auth/user.ts';
import type { Store } from '../db/store.ts';
import { spreadsheetSafe } from '../registry/export/roster-writer.ts';
import { AUDIT_COUNT_LIMIT, listAuditRows, type AuditQuery } from './audit.repository.ts';
import { recordOnly } from '../workflow/unit-of-work.ts';
import { presentAuditRow, type AuditRowView } from './audit-present.ts';
import { auditQueryFor, canUnmaskAudit, namesFor, type AuditFilters } from './audit-view.service.ts';
import { maskIdentifiersDeep } from './redact.ts';

/**
 * 审计日志导出: the filtered rows as the reader sees them on screen (names, Chinese labels, the same
 * masking) in an .xlsx, itself recorded in the audit log. At most AUDIT_COUNT_LIMIT rows: a larger
 * selection is refused before anything is written, so the reader narrows the dates instead.
 */

export class AuditExportTooLarge extends Error {
  constructor() {
    super(
      `符合条件的记录超过 ${AUDIT_COUNT_LIMIT.toLocaleString('zh-CN')} 条，请缩小日期范围或增加条件后再导出`,
    );
  }
}

const PAGE = 500;

const SHANGHAI = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const COLUMNS: { header: string; width: number; value: (row: AuditRowView) => string | number | null }[] = [
  { header: '序号', width: 10, value: (row) => row.id },
  { header: '时间（北京时间）', width: 20, value: (row) => SHANGHAI.format(new Date(row.at)) },
  { header: '操作人', width: 24, value: (row) => row.actorName },
  { header: '所属区', width: 14, value: (row) => row.districtName },
  { header: '操作', width: 18, value: (row) => row.actionName },
  { header: '对象类型', width: 12, value: (row) => row.entityTypeName },
  { header: '对象', width: 30, value: (row) => row.entityLabel },
  { header: '对象编号', width: 38, value: (row) => row.entityId },
  { header: '事由', width: 30, value: (row) => row.reason },
  { header: '变更前', width: 40, value: (row) => snapshotText(row.before) },
  { header: '变更后', width: 40, value: (row) => snapshotText(row.after) },
  { header: '请求编号', width: 38, value: (row) => row.requestId },
];

// An Excel cell holds at most 32,767 characters.
const CELL_MAX = 32_000;

function snapshotText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = JSON.stringify(value);
  return text.length > CELL_MAX ? `${text.slice(0, CELL_MAX)}…（已截断）` : text;
}

/** The query of an export, refused when it selects more rows than an export may hold. */
export async function prepareAuditExport(
  store: Store,
  reader: AuthUser,
  filters: AuditFilters,
): Promise<AuditQuery> {
  const query = await auditQueryFor(store.db, reader, filters, { limit: 1, offset: 0 });
  const { totalExact } = await listAuditRows(store.db, query);
  if (!totalExact) throw new AuditExportTooLarge();
  return query;
}

export async function writeAuditExport(
  store: Store,
  reader: AuthUser,
  query: AuditQuery,
  filters: AuditFilters,
  output: Writable,
  requestId: string,
): Promise<{ rows: number }> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: false });
  const sheet = workbook.addWorksheet('审计日志', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((column) => ({ width: column.width }));
  sheet.addRow(COLUMNS.map((column) => column.header)).commit();
  const unmask = canUnmaskAudit(reader);
  let rows = 0;
  for (let offset = 0; offset < AUDIT_COUNT_LIMIT; offset += PAGE) {
    const page = await listAuditRows(store.db, { ...query, limit: PAGE, offset });
    const names = await namesFor(store.db, query.scope, page.items);
    for (const row of page.items) {
      const view = presentAuditRow(row, names, unmask);
      sheet.addRow(COLUMNS.map((column) => spreadsheetSafe(column.value(view)))).commit();
      rows += 1;
    }
    if (page.items.length < PAGE) break;
  }
  sheet.commit();
  await workbook.commit();
  await recordOnly(
    store,
    { userId: reader.id, divisionCode: reader.divisionCode, requestId },
    '审计日志导出',
    {
      action: 'audit.export',
      entityType: 'audit_log',
      // What was exported, as typed (masked: a filter may hold an ID number).
      after: { filters: maskIdentifiersDeep(filters), rows },
    },
  );
  return { rows };
}
