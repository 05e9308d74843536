/**
 * Rows of an .xlsx roster's first worksheet. The parts come from zip-archive.ts (central directory,
 * sizes checked while inflating) and go through exceljs' own streaming parsers, called in the order a
 * reader needs them: relationships, workbook, shared strings, then the one worksheet. So nothing is
 * spilled to a temporary file, and nothing but the roster sheet is read.
 *
 * The parsers are exceljs 4.4 WorkbookReader methods (`_parseRels`, `_parseWorkbook`,
 * `_parseSharedStrings`, `_parseWorksheet`); the import tests fail if a new version changes them.
 * Each part is handed over as text from a streaming UTF-8 decoder (setEncoding): exceljs decodes every
 * chunk on its own and would garble a Chinese character split across two chunks (exceljs #2063, #2316).
 */
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { FileProblem } from './file-problem.ts';
import {
  limitMessages,
  MAX_COLUMNS,
  MAX_ZIP_ENTRIES,
  maxSharedStrings,
  maxXmlRunBytes,
  type ImportLimits,
} from './limits.ts';
import type { CellValue, SheetRow } from './sheet-row.ts';
import {
  CORRUPT_WORKBOOK,
  openEntry,
  readZipDirectory,
  type EntryGuards,
  type ZipDirectory,
} from './zip-archive.ts';

type ExcelValue = ExcelJS.CellValue;

interface Relationship {
  Id?: string;
  Type?: string;
  Target?: string;
}

interface WorksheetEvent {
  eventType: string;
  value: AsyncIterable<ExcelJS.Row>;
}

/** The exceljs 4.4 WorkbookReader internals this reader drives. */
interface ReaderInternals {
  workbookRels?: Relationship[];
  model?: { sheets?: ({ rId?: string } | undefined)[] };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: Readable, sheetNo: string): Generator<WorksheetEvent>;
}

/** A cell's value without formatting: rich text joined, formulas reduced to their cached result. */
export function plainCell(value: ExcelValue | undefined): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    if (result === undefined || (typeof result === 'object' && !(result instanceof Date))) return null;
    return result;
  }
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return null;
  return null;
}

/** 'worksheets/sheet1.xml' relative to xl/, or '/xl/…' from the root, as a zip entry name. */
function partName(target: string): string {
  return target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
}

export async function* xlsxRows(
  path: string,
  fileSize: number,
  limits: ImportLimits,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<SheetRow> {
  const opened: Readable[] = [];
  try {
    const directory = await readZipDirectory(path, fileSize, {
      maxEntries: MAX_ZIP_ENTRIES,
      maxTotalBytes: limits.maxUnzippedMb * 1024 * 1024,
      tooLarge: () => new FileProblem(limitMessages.unzipped(limits)),
    });
    const guards: EntryGuards = {
      maxRunBytes: maxXmlRunBytes(limits),
      tooLong: () => new FileProblem(limitMessages.cellInFile(limits)),
    };
    const part = async (name: string, extra: EntryGuards = {}, progress = false) => {
      const stream = await openPart(
        path,
        directory,
        name,
        { ...guards, ...extra },
        progress ? onBytes : undefined,
      );
      opened.push(stream);
      return stream;
    };
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      sharedStrings: 'cache',
      worksheets: 'emit',
      hyperlinks: 'ignore',
      // Without styles a date cell reads as its serial number; the date columns convert serials.
      styles: 'ignore',
    }) as unknown as ReaderInternals;
    await reader._parseRels(await part('xl/_rels/workbook.xml.rels'));
    await reader._parseWorkbook(await part('xl/workbook.xml'));
    const rels = reader.workbookRels ?? [];
    const sharedTarget = rels.find((r) => r.Type?.endsWith('/sharedStrings'))?.Target;
    const shared = sharedTarget ? partName(sharedTarget) : 'xl/sharedStrings.xml';
    if (directory.entries.has(shared)) {
      const sharedGuards = {
        maxItems: maxSharedStrings(limits),
        tooMany: () => new FileProblem(limitMessages.sharedStrings(limits)),
      };
      for await (const _ of reader._parseSharedStrings(await part(shared, sharedGuards))) {
        // 'cache' mode: the strings are kept on the reader, nothing is yielded.
      }
    }
    // The roster is the first worksheet; later ones (说明) are notes.
    const first = reader.model?.sheets?.find((sheet) => sheet !== undefined);
    const target = rels.find((r) => r.Id !== undefined && r.Id === first?.rId)?.Target;
    if (target === undefined) throw new FileProblem('工作簿中没有工作表');
    const sheetName = partName(target);
    const sheetNo = /sheet(\d+)\.xml$/.exec(sheetName)?.[1] ?? '1';
    for (const event of reader._parseWorksheet(await part(sheetName, {}, true), sheetNo)) {
      if (event.eventType !== 'worksheet') continue;
      for await (const row of event.value) {
        const values = row.values as ExcelValue[];
        if (values.length - 1 > MAX_COLUMNS) throw new FileProblem(limitMessages.columns(row.number));
        const cells: CellValue[] = [];
        for (let i = 1; i < values.length; i++) cells.push(plainCell(values[i]));
        yield { row: row.number, cells };
      }
    }
  } catch (error) {
    // Whatever the zip or XML parsers say (FILE_ENDED, "Unexpected close tag", …) is one Chinese line.
    throw error instanceof FileProblem ? error : new FileProblem(CORRUPT_WORKBOOK);
  } finally {
    for (const stream of opened) stream.destroy();
  }
}

async function openPart(
  path: string,
  directory: ZipDirectory,
  name: string,
  guards: EntryGuards,
  onBytes?: (bytesRead: number) => void,
): Promise<Readable> {
  const entry = directory.entries.get(name);
  if (!entry) throw new FileProblem(`无法读取 Excel 工作簿：缺少 ${name}，不是有效的 .xlsx 文件`);
  const stream = await openEntry(path, directory, entry, {
    ...guards,
    ...(onBytes ? { onRawBytes: (n: number) => onBytes(entry.localHeaderOffset + n) } : {}),
  });
  stream.setEncoding('utf8');
  return stream;
}
