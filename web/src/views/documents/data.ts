import type { DocumentField } from '../../../../src/documents/document.ts';
import type { Query } from '../../api/url.ts';

/**
 * 打印文书 in the console: the server sends each document as the same object it renders to PDF
 * (src/documents/document.ts); document-view.vue shows it as an A4 page, and 下载 PDF asks the server
 * for the PDF of the very same request.
 */
export type { DocumentBlock, PrintDocument } from '../../../../src/documents/document.ts';

/** The calculator's request body (POST /api/policy/calculate). */
export interface CalculationRequest {
  month: string;
  household: unknown;
  programs?: string[];
}

/** Where a document comes from: its JSON address, its PDF address and the query or body of both. */
export type DocumentSource =
  { method: 'GET'; path: string; query: Query } | { method: 'POST'; path: string; body: CalculationRequest };

export function infoSheetSource(householdId: string, unmaskPurpose?: string): DocumentSource {
  return {
    method: 'GET',
    path: `/api/households/${encodeURIComponent(householdId)}/documents/info-sheet`,
    query: unmaskPurpose ? { unmask: 'true', purpose: unmaskPurpose } : {},
  };
}

export function registeredCalculationSource(householdId: string, month: string): DocumentSource {
  return {
    method: 'GET',
    path: `/api/policy/households/${encodeURIComponent(householdId)}/calculate/document`,
    query: { month },
  };
}

export function manualCalculationSource(body: CalculationRequest): DocumentSource {
  return { method: 'POST', path: '/api/policy/calculate/document', body };
}

// ---- handing the calculator's input to the document page (a new tab) --------------------------------

const STORAGE_PREFIX = 'mz-calculation-document:';

/**
 * A household typed into the calculator goes to the 测算单 tab through sessionStorage (copied into a tab
 * that window.open opens), never through the address: it may hold names and incomes.
 */
export function stashCalculation(body: CalculationRequest, storage: Storage = sessionStorage): string {
  const key = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  storage.setItem(`${STORAGE_PREFIX}${key}`, JSON.stringify(body));
  return key;
}

export function stashedCalculation(
  key: string,
  storage: Storage = sessionStorage,
): CalculationRequest | null {
  const text = storage.getItem(`${STORAGE_PREFIX}${key}`);
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<CalculationRequest>;
    return typeof value.month === 'string' && value.household !== undefined
      ? (value as CalculationRequest)
      : null;
  } catch {
    return null;
  }
}

// ---- layout shared with the PDF renderer ------------------------------------------------------------

export interface FieldCell {
  label: string;
  value: string;
  /** Columns the value spans (1 = one value column). */
  span: number;
}

/**
 * A field grid as rows of label–value pairs, `columns` pairs per row, as the PDF lays it out: a field
 * marked `span` takes a row of its own, and the last value of a short row stretches to the row's end.
 */
export function fieldRows(columns: number, fields: readonly DocumentField[]): FieldCell[][] {
  const rows: FieldCell[][] = [];
  let row: FieldCell[] = [];
  const close = () => {
    if (row.length === 0) return;
    const last = row[row.length - 1] as FieldCell;
    last.span += 2 * (columns - row.length);
    rows.push(row);
    row = [];
  };
  for (const field of fields) {
    if (field.span) {
      close();
      rows.push([{ label: field.label, value: field.value, span: 2 * columns - 1 }]);
      continue;
    }
    row.push({ label: field.label, value: field.value, span: 1 });
    if (row.length === columns) close();
  }
  close();
  return rows;
}

/** Column widths as percentages of the table, from the template's relative widths. */
export function columnPercents(widths: readonly (number | undefined)[]): string[] {
  const shares = widths.map((w) => w ?? 1);
  const total = shares.reduce((a, b) => a + b, 0);
  return shares.map((share) => `${((share * 100) / total).toFixed(2)}%`);
}
