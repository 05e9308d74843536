/**
 * Writes roster rows to .xlsx with exceljs' streaming WorkbookWriter (rows are committed as they are
 * added, so memory stays flat however many rows there are), or to CSV. Used by the export, the template
 * script, the tests and the benchmark, so all of them produce exactly the layout the import reads.
 *
 * No cell is written so that a spreadsheet can run it: a text starting with = + - @ TAB or CR gets a
 * leading apostrophe (OWASP's advice against CSV injection), in the .xlsx as much as in the CSV. An
 * .xlsx string cell alone is safe only until someone saves it as CSV and opens that; the apostrophe
 * travels with the value, and Excel, WPS and LibreOffice read `'=…` as text. The import removes it again
 * (roster-rows.ts), so an export still re-imports to the same data.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { COLUMNS, type ColumnKey } from '../import/columns.ts';

export type RosterValues = Partial<Record<ColumnKey, string | number>>;
export type RosterFormat = 'xlsx' | 'csv';

export interface RosterWriter {
  addRow(values: RosterValues): void;
  /** Adds a second sheet (after the roster) with the column notes; a CSV file has no room for one. */
  addNotesSheet(title: string, rows: readonly (readonly string[])[]): void;
  /** Resolves when the output has taken what was written (call between pages of a large export). */
  drain(): Promise<void>;
  commit(): Promise<void>;
}

export const ROSTER_SHEET = '户籍台账';

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/** A value as it may go into a spreadsheet cell: text a spreadsheet would run gets an apostrophe first. */
export function spreadsheetSafe<T extends string | number | null>(value: T): T | string {
  return typeof value === 'string' && FORMULA_TRIGGER.test(value) ? `'${value}` : value;
}

export function createRosterWriter(
  output: Writable | string,
  options: { styled?: boolean; format?: RosterFormat } = {},
): RosterWriter {
  return options.format === 'csv' ? csvWriter(output) : xlsxWriter(output, options.styled ?? false);
}

function xlsxWriter(output: Writable | string, styled: boolean): RosterWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    ...(typeof output === 'string' ? { filename: output } : { stream: output }),
    useSharedStrings: false,
    useStyles: styled,
  });
  const sheet = workbook.addWorksheet(ROSTER_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((c) => ({
    key: c.key,
    width: c.width,
    // Text format keeps 身份证号, codes and leading zeros intact when staff type into the template.
    ...(styled && c.text ? { style: { numFmt: '@' } } : {}),
  }));
  const header = sheet.addRow(COLUMNS.map((c) => c.header));
  if (styled) header.font = { bold: true };
  header.commit();
  const notes: { title: string; rows: readonly (readonly string[])[] }[] = [];
  return {
    addRow(values) {
      sheet.addRow(COLUMNS.map((c) => spreadsheetSafe(values[c.key] ?? null))).commit();
    },
    addNotesSheet(title, rows) {
      notes.push({ title, rows });
    },
    drain: () => Promise.resolve(),
    async commit() {
      sheet.commit();
      for (const { title, rows } of notes) {
        const notesSheet = workbook.addWorksheet(title);
        notesSheet.columns = [{ width: 20 }, { width: 10 }, { width: 10 }, { width: 90 }];
        for (const row of rows) notesSheet.addRow(row.map(spreadsheetSafe)).commit();
        notesSheet.commit();
      }
      await workbook.commit();
    },
  };
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function csvField(value: string | number | null | undefined): string {
  const text = String(spreadsheetSafe(value ?? ''));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** UTF-8 with a BOM (Excel on Chinese Windows opens it correctly) and CRLF line ends. */
function csvWriter(output: Writable | string): RosterWriter {
  const out = typeof output === 'string' ? createWriteStream(output) : output;
  let ready = out.write(`\uFEFF${COLUMNS.map((c) => csvField(c.header)).join(',')}\r\n`);
  return {
    addRow(values) {
      ready = out.write(`${COLUMNS.map((c) => csvField(values[c.key])).join(',')}\r\n`);
    },
    addNotesSheet() {
      // The notes go into the .xlsx template and docs/import-export.md; a CSV file is one table.
    },
    drain: () =>
      ready ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())),
    commit: () =>
      new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      }),
  };
}
