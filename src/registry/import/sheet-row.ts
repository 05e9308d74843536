/** One row of a roster file as both readers (xlsx, csv) yield it. */
export type CellValue = string | number | boolean | Date | null;

export interface SheetRow {
  /** 1-based spreadsheet row number (the header is row 1 in the template). */
  row: number;
  cells: CellValue[];
}
