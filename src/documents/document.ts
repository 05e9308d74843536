/**
 * 打印文书: one declarative shape for every printable document (notices, information sheets, reports).
 * A template is a function from the data it needs to a `PrintDocument`; the server renders that to an A4
 * PDF (pdf.renderer.ts) and the console renders the same object as a print-friendly page
 * (web/src/views/documents/document-view.vue), so both outputs always say the same thing.
 *
 * This file has no imports: the console type-checks against it, and a template only needs these helpers.
 * Every text is final text (Chinese, names resolved, money in 元, dates written out): neither renderer
 * formats or translates anything.
 */

/** A printable document. */
export interface PrintDocument {
  /** Stable kind, e.g. `household.info_sheet` (tests, logs, the console's page). */
  kind: string;
  /** The issuing body in the page header, e.g. 上海市杨浦区民政局. */
  issuer: string;
  /** The document's title, e.g. 家庭基本信息表. */
  title: string;
  /** One line under the title (reference number, month). */
  subtitle?: string;
  blocks: DocumentBlock[];
  /** Bottom of every page, before the page number, e.g. 打印日期：2026年5月6日. */
  footer: string;
  /** The download's file name without extension (Chinese allowed), e.g. 家庭基本信息表-KJ-0001. */
  fileName: string;
  /** A faint diagonal word across every page (e.g. 测算), for documents that must not pass as decisions. */
  watermark?: string;
}

/** A label and its value; `span` makes a field take a whole row (long addresses). */
export interface DocumentField {
  label: string;
  value: string;
  span?: boolean;
}

export interface DocumentColumn {
  header: string;
  /** Relative width (the columns' widths are shares of the page width); default 1. */
  width?: number;
  align?: 'left' | 'center' | 'right';
}

export type DocumentBlock =
  /** A section heading. */
  | { type: 'heading'; text: string }
  /** A grid of label–value cells, `columns` pairs per row. */
  | { type: 'fields'; columns: 1 | 2 | 3; fields: DocumentField[] }
  /**
   * A table with a header row; `empty` is printed in place of rows when there are none; `small` for long
   * reference tables. A cell's line breaks (\n) are kept.
   */
  | { type: 'table'; columns: DocumentColumn[]; rows: string[][]; empty?: string; small?: boolean }
  /** Paragraphs of text; `note` is smaller, `warning` is boxed. `numbered` numbers them 1. 2. 3. */
  | { type: 'paragraphs'; items: string[]; style?: 'normal' | 'note' | 'warning'; numbered?: boolean }
  /** Signature and date lines, side by side (经办人 ____  日期 ____). */
  | { type: 'signatures'; items: { label: string; value?: string }[] };

// ---- helpers a template writes with ---------------------------------------------------------------

export const heading = (text: string): DocumentBlock => ({ type: 'heading', text });

export const fields = (columns: 1 | 2 | 3, items: DocumentField[]): DocumentBlock => ({
  type: 'fields',
  columns,
  fields: items,
});

export const table = (
  columns: DocumentColumn[],
  rows: string[][],
  options: { empty?: string; small?: boolean } = {},
): DocumentBlock => ({ type: 'table', columns, rows, ...options });

export const paragraphs = (
  items: string[],
  options: { style?: 'normal' | 'note' | 'warning'; numbered?: boolean } = {},
): DocumentBlock => ({ type: 'paragraphs', items, ...options });

export const signatures = (items: { label: string; value?: string }[]): DocumentBlock => ({
  type: 'signatures',
  items,
});
