/**
 * Writes roster rows to .xlsx with exceljs' streaming WorkbookWriter: rows are committed as they are
 * added, so memory stays flat however many rows there are. Used by the export, the template script,
 * the tests and the benchmark, so all of them produce exactly the layout the import reads.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { COLUMNS, type ColumnKey } from '../import/columns.ts';

export type RosterValues = Partial<Record<ColumnKey, string | number>>;

export interface RosterWriter {
  addRow(values: RosterValues): void;
  /** Adds a second sheet (after the roster) with the column notes. */
  addNotesSheet(title: string, rows: readonly (readonly string[])[]): void;
  commit(): Promise<void>;
}

export const ROSTER_SHEET = '户籍台账';

export function createRosterWriter(
  output: Writable | string,
  options: { styled?: boolean } = {},
): RosterWriter {
  const styled = options.styled ?? false;
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
      sheet.addRow(COLUMNS.map((c) => values[c.key] ?? null)).commit();
    },
    addNotesSheet(title, rows) {
      notes.push({ title, rows });
    },
    async commit() {
      sheet.commit();
      for (const { title, rows } of notes) {
        const notesSheet = workbook.addWorksheet(title);
        notesSheet.columns = [{ width: 20 }, { width: 10 }, { width: 10 }, { width: 90 }];
        for (const row of rows) notesSheet.addRow([...row]).commit();
        notesSheet.commit();
      }
      await workbook.commit();
    },
  };
}
