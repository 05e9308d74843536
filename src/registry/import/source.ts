/**
 * The uploaded file: size limit, type by magic bytes, and rows as a stream. Nothing here reads more
 * than the limit: a path over the limit is refused from its size alone, and a stream is spooled to a
 * temporary file only until it passes the limit.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { readCsv } from './csv-reader.ts';

/** A file path, or an upload stream (HTTP) with its client-side name and, if the client sent it, size. */
export type ImportFile =
  string | { path: string; name?: string } | { stream: Readable; name?: string; size?: number };

export type CellValue = string | number | boolean | Date | null;

export interface SheetRow {
  /** 1-based spreadsheet row number (the header is row 1 in the template). */
  row: number;
  cells: CellValue[];
}

export type FileKind = 'xlsx' | 'csv';

/** A problem with the file as a whole, reported as one error line without a row. */
export class FileProblem extends Error {}

export interface OpenedSource {
  kind: FileKind;
  name: string;
  path: string;
  bytes: number;
  sha256: string;
  rows(onBytes?: (bytesRead: number) => void): AsyncGenerator<SheetRow>;
  dispose(): Promise<void>;
}

const MB = 1024 * 1024;

export async function openSource(file: ImportFile, maxMb: number): Promise<OpenedSource> {
  const limit = maxMb * MB;
  const tooLarge = () => new FileProblem(`文件超过大小上限 ${maxMb} MB（MINZHENG_MAX_UPLOAD_MB）`);
  let path: string;
  let name: string;
  let cleanup = async () => {};
  if (typeof file === 'string' || 'path' in file) {
    path = typeof file === 'string' ? file : file.path;
    name = (typeof file === 'string' ? undefined : file.name) ?? path;
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new FileProblem(`找不到文件：${path}`);
    if (info.size > limit) throw tooLarge();
  } else {
    if (file.size !== undefined && file.size > limit) {
      file.stream.destroy();
      throw tooLarge();
    }
    const dir = await mkdtemp(join(tmpdir(), 'minzheng-import-'));
    cleanup = () => rm(dir, { recursive: true, force: true });
    path = join(dir, 'upload');
    name = file.name ?? 'upload';
    try {
      await spool(file.stream, path, limit, tooLarge);
    } catch (error) {
      await cleanup();
      throw error;
    }
  }
  try {
    const { bytes, sha256, head } = await digest(path);
    if (bytes === 0) throw new FileProblem('文件为空');
    const kind = sniff(head, name);
    return {
      kind,
      name,
      path,
      bytes,
      sha256,
      rows: (onBytes) => (kind === 'xlsx' ? xlsxRows(path, onBytes) : csvRows(path, onBytes)),
      dispose: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function spool(stream: Readable, path: string, limit: number, tooLarge: () => Error): Promise<void> {
  const out = createWriteStream(path);
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        throw tooLarge();
      }
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}

async function digest(path: string): Promise<{ bytes: number; sha256: string; head: Buffer }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(bytes, 4096));
    await handle.read(head, 0, head.length, 0);
    return { bytes, sha256: hash.digest('hex'), head };
  } finally {
    await handle.close();
  }
}

/** Decides the type from the first bytes; the file name only breaks the tie for text. */
export function sniff(head: Buffer, name: string): FileKind {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'xlsx';
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0) {
    throw new FileProblem('不支持旧版 Excel（.xls）或加密的工作簿：请另存为 .xlsx 后导入');
  }
  // Text: no NUL bytes and no other control characters than tab/CR/LF in the first block.
  for (const byte of head) {
    if (byte === 0 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d)) {
      throw new FileProblem('文件不是电子表格：请上传 .xlsx 或 .csv 文件');
    }
  }
  if (/\.(xlsx|xlsm)$/i.test(name)) throw new FileProblem('文件扩展名为 .xlsx，但内容不是 Excel 工作簿');
  return 'csv';
}

function counted(path: string, onBytes?: (bytesRead: number) => void): Readable {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (onBytes) stream.on('data', () => onBytes(stream.bytesRead));
  return stream;
}

async function* csvRows(path: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<SheetRow> {
  const stream = counted(path, onBytes);
  try {
    for await (const record of readCsv(stream)) yield { row: record.line, cells: record.fields };
  } finally {
    stream.destroy();
  }
}

type ExcelValue = ExcelJS.CellValue;

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

/**
 * exceljs 4.4's streaming reader decodes each decompressed chunk of XML on its own, so a Chinese
 * character split across two chunks (every 16 KB) turns into U+FFFD (exceljs issues #2063, #2316,
 * unfixed upstream). This reader hands exceljs text decoded with a streaming decoder instead: worksheet
 * chunks go through a TextDecoder({stream}), the shared-strings entry gets setEncoding('utf8'). Both
 * hooks are methods of WorkbookReader in 4.4 (`_parseWorksheet`, `_parseSharedStrings`); the test
 * "keeps Chinese text intact across chunk boundaries" fails if a new version changes them.
 */
interface ReaderInternals {
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<unknown>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
}

const baseReader = ExcelJS.stream.xlsx.WorkbookReader.prototype as unknown as ReaderInternals;

async function* utf8Chunks(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const tail = decoder.decode();
  if (tail !== '') yield tail;
}

class Utf8WorkbookReader extends ExcelJS.stream.xlsx.WorkbookReader implements ReaderInternals {
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<unknown> {
    return baseReader._parseWorksheet.call(this, utf8Chunks(iterator), sheetNo);
  }

  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown> {
    entry.setEncoding('utf8');
    return baseReader._parseSharedStrings.call(this, entry);
  }
}

async function* xlsxRows(path: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<SheetRow> {
  const stream = counted(path, onBytes);
  const reader = new Utf8WorkbookReader(stream, {
    sharedStrings: 'cache',
    worksheets: 'emit',
    hyperlinks: 'ignore',
    // Without styles a date cell reads as its serial number; the date columns convert serials.
    styles: 'ignore',
  });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = row.values as ExcelValue[];
        const cells: CellValue[] = [];
        for (let i = 1; i < values.length; i++) cells.push(plainCell(values[i]));
        yield { row: row.number, cells };
      }
      return; // the roster is the first worksheet; later ones (说明) are notes
    }
  } catch (error) {
    if (error instanceof FileProblem) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new FileProblem(`无法读取 Excel 工作簿（文件可能已损坏）：${message}`);
  } finally {
    stream.destroy();
  }
}
