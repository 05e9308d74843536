/**
 * The uploaded file: size limit, type by magic bytes, and rows as a stream. Nothing here reads more
 * than the limits allow: a path over the size limit is refused from its size alone, a stream is spooled
 * (into the upload folder) only until it passes the limit, and the readers stop at the row, cell and
 * inflated-size caps (limits.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { readCsv } from './csv-reader.ts';
import { FileProblem } from './file-problem.ts';
import { DEFAULT_IMPORT_LIMITS, limitMessages, MAX_COLUMNS, type ImportLimits } from './limits.ts';
import type { SheetRow } from './sheet-row.ts';
import { newUploadPath, prepareUploadFolder, removeUpload } from './upload-folder.ts';
import { xlsxRows } from './xlsx-reader.ts';

export { FileProblem } from './file-problem.ts';
export type { CellValue, SheetRow } from './sheet-row.ts';
export { plainCell } from './xlsx-reader.ts';

/** A file path, or an upload stream (HTTP) with its client-side name and, if the client sent it, size. */
export type ImportFile =
  string | { path: string; name?: string } | { stream: Readable; name?: string; size?: number };

export type FileKind = 'xlsx' | 'csv';

export interface OpenedSource {
  kind: FileKind;
  name: string;
  path: string;
  bytes: number;
  sha256: string;
  rows(onBytes?: (bytesRead: number) => void): AsyncGenerator<SheetRow>;
  dispose(): Promise<void>;
}

export interface SourceOptions {
  limits?: ImportLimits;
  /** The upload folder (upload-folder.ts); needed only when `file` is a stream. */
  uploadDir?: string;
}

const MB = 1024 * 1024;

const READ_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: '找不到文件',
  ENOTDIR: '找不到文件',
  EACCES: '没有读取文件的权限',
  EPERM: '没有读取文件的权限',
  EISDIR: '不是文件而是文件夹',
};

/** A file-system error as one Chinese line (never the English of ENOENT/EACCES). */
export function unreadable(error: unknown, path: string): FileProblem {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return new FileProblem(`${READ_PROBLEMS[code] ?? '无法读取文件'}：${path}`);
}

export async function openSource(file: ImportFile, options: SourceOptions = {}): Promise<OpenedSource> {
  const limits = options.limits ?? DEFAULT_IMPORT_LIMITS;
  const limit = limits.maxUploadMb * MB;
  const tooLarge = () => new FileProblem(limitMessages.upload(limits));
  let path: string;
  let name: string;
  let cleanup = async () => {};
  if (typeof file === 'string' || 'path' in file) {
    path = typeof file === 'string' ? file : file.path;
    name = (typeof file === 'string' ? undefined : file.name) ?? path;
    const info = await stat(path).catch((error: unknown) => {
      throw unreadable(error, path);
    });
    if (!info.isFile()) throw unreadable({ code: info.isDirectory() ? 'EISDIR' : 'ENOENT' }, path);
    if (info.size > limit) throw tooLarge();
  } else {
    if (file.size !== undefined && file.size > limit) {
      file.stream.destroy();
      throw tooLarge();
    }
    if (options.uploadDir === undefined) throw new Error('openSource: a stream needs options.uploadDir');
    await prepareUploadFolder(options.uploadDir);
    const spooled = newUploadPath(options.uploadDir);
    path = spooled;
    cleanup = () => removeUpload(spooled);
    name = file.name ?? 'upload';
    try {
      await spool(file.stream, path, limit, tooLarge);
    } catch (error) {
      await cleanup();
      throw error;
    }
  }
  try {
    const { bytes, sha256, head } = await digest(path).catch((error: unknown) => {
      throw unreadable(error, name);
    });
    if (bytes === 0) throw new FileProblem('文件为空');
    const kind = sniff(head, name);
    return {
      kind,
      name,
      path,
      bytes,
      sha256,
      rows: (onBytes) =>
        kind === 'xlsx' ? xlsxRows(path, bytes, limits, onBytes) : csvRows(path, limits, onBytes),
      dispose: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function spool(stream: Readable, path: string, limit: number, tooLarge: () => Error): Promise<void> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
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

const isControlByte = (byte: number) => byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d;

/**
 * Decides the type from the first bytes; the file name only breaks the tie for text. Text may hold a
 * stray control character (a NUL typed into a name is refused for that cell, with its row and column),
 * but binary formats start with control bytes in their signature or are full of them.
 */
export function sniff(head: Buffer, name: string): FileKind {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'xlsx';
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0) {
    throw new FileProblem('不支持旧版 Excel（.xls）或加密的工作簿：请另存为 .xlsx 后导入');
  }
  const controls = head.reduce((n, byte) => n + (isControlByte(byte) ? 1 : 0), 0);
  const signature = head.subarray(0, 8).some(isControlByte);
  if (signature || controls > Math.max(1, head.length / 256)) {
    throw new FileProblem('文件不是电子表格：请上传 .xlsx 或 .csv 文件');
  }
  if (/\.(xlsx|xlsm)$/i.test(name)) throw new FileProblem('文件扩展名为 .xlsx，但内容不是 Excel 工作簿');
  return 'csv';
}

function counted(path: string, onBytes?: (bytesRead: number) => void): Readable {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (onBytes) stream.on('data', () => onBytes(stream.bytesRead));
  return stream;
}

async function* csvRows(
  path: string,
  limits: ImportLimits,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<SheetRow> {
  const stream = counted(path, onBytes);
  try {
    const records = readCsv(stream, {
      maxFieldChars: limits.maxCellChars,
      maxFields: MAX_COLUMNS,
      tooManyFields: (line) => new FileProblem(limitMessages.columns(line)),
    });
    for await (const record of records) yield { row: record.line, cells: record.fields };
  } finally {
    stream.destroy();
  }
}
