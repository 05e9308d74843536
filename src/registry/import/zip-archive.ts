/**
 * The zip container of an .xlsx, read the way Excel reads it: from the central directory at the end of
 * the file, not from the local headers a streaming unzip trusts. Before anything is inflated, the
 * directory must be plain (one disk, no ZIP64, no encryption, stored or deflated entries, no name twice)
 * and its declared sizes must add up to less than the cap; while an entry inflates, its bytes are
 * counted and the entry is cut off the moment it passes the size its directory record declared. So a
 * workbook inflates to at most the cap, however its headers lie.
 *
 * No declared dependency does this: exceljs reads through unzipper's streaming parser, which believes
 * the local headers and spills worksheets that precede the shared strings to the system temp folder.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { FileProblem } from './file-problem.ts';

export interface ZipEntry {
  name: string;
  method: 0 | 8;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ReadonlyMap<string, ZipEntry>;
  /** Where the central directory starts: no entry's data may reach past it. */
  dataEnd: number;
  /** Sum of the declared uncompressed sizes. */
  totalSize: number;
}

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** The message when the declared sizes add up to more than maxTotalBytes. */
  tooLarge: () => FileProblem;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_MARK = 0xffffffff;

export const CORRUPT_WORKBOOK =
  '无法读取 Excel 工作簿：文件已损坏或不完整（请在 Excel 中打开后另存为 .xlsx 再导入）';
const corrupt = () => new FileProblem(CORRUPT_WORKBOOK);

export async function readZipDirectory(
  path: string,
  fileSize: number,
  limits: ZipLimits,
): Promise<ZipDirectory> {
  const handle = await open(path, 'r');
  try {
    const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, fileSize - tailLength);
    const at = findEndRecord(tail);
    if (at < 0) throw corrupt();
    const endOffset = fileSize - tailLength + at;
    const disk = tail.readUInt16LE(at + 4);
    const directoryDisk = tail.readUInt16LE(at + 6);
    const onDisk = tail.readUInt16LE(at + 8);
    const count = tail.readUInt16LE(at + 10);
    const directorySize = tail.readUInt32LE(at + 12);
    const directoryOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || directorySize === ZIP64_MARK || directoryOffset === ZIP64_MARK) {
      throw new FileProblem('不支持 ZIP64 格式的工作簿：请在 Excel 中另存为 .xlsx 后导入');
    }
    if (disk !== 0 || directoryDisk !== 0 || onDisk !== count) throw corrupt();
    if (directoryOffset + directorySize > endOffset) throw corrupt();
    if (count > limits.maxEntries)
      throw new FileProblem(`工作簿包含的文件过多（${count} 个）：不是台账工作簿`);
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    return parseDirectory(directory, count, directoryOffset, limits);
  } finally {
    await handle.close();
  }
}

/** The last end-of-directory record whose comment fits in the file. */
function findEndRecord(tail: Buffer): number {
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_SIZE + tail.readUInt16LE(i + 20) <= tail.length) {
      return i;
    }
  }
  return -1;
}

function parseDirectory(directory: Buffer, count: number, dataEnd: number, limits: ZipLimits): ZipDirectory {
  const entries = new Map<string, ZipEntry>();
  let totalSize = 0;
  let pos = 0;
  for (let n = 0; n < count; n++) {
    if (pos + 46 > directory.length || directory.readUInt32LE(pos) !== CENTRAL_SIGNATURE) throw corrupt();
    const flags = directory.readUInt16LE(pos + 8);
    const method = directory.readUInt16LE(pos + 10);
    const compressedSize = directory.readUInt32LE(pos + 20);
    const size = directory.readUInt32LE(pos + 24);
    const nameLength = directory.readUInt16LE(pos + 28);
    const extraLength = directory.readUInt16LE(pos + 30);
    const commentLength = directory.readUInt16LE(pos + 32);
    const localHeaderOffset = directory.readUInt32LE(pos + 42);
    const next = pos + 46 + nameLength + extraLength + commentLength;
    if (next > directory.length) throw corrupt();
    const name = directory.toString('utf8', pos + 46, pos + 46 + nameLength);
    pos = next;
    if (flags & 0x1) throw new FileProblem('不支持加密的工作簿：请取消密码保护后另存为 .xlsx 再导入');
    if (compressedSize === ZIP64_MARK || size === ZIP64_MARK || localHeaderOffset === ZIP64_MARK) {
      throw new FileProblem('不支持 ZIP64 格式的工作簿：请在 Excel 中另存为 .xlsx 后导入');
    }
    if (method !== 0 && method !== 8) throw corrupt();
    if (entries.has(name) || localHeaderOffset + 30 + compressedSize > dataEnd) throw corrupt();
    totalSize += size;
    if (totalSize > limits.maxTotalBytes) throw limits.tooLarge();
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
  }
  return { entries, dataEnd, totalSize };
}

export interface EntryGuards {
  /** Longest stretch of bytes without a '<' (one XML text node or tag); longer means an oversized cell. */
  maxRunBytes?: number;
  tooLong?: () => FileProblem;
  /** Most `<si>` elements (shared strings) the entry may hold. */
  maxItems?: number;
  tooMany?: () => FileProblem;
  /** Progress: compressed bytes of the entry read so far. */
  onRawBytes?: (bytes: number) => void;
}

/** The inflated bytes of one entry, cut off with a FileProblem as soon as a guard or its size is passed. */
export async function openEntry(
  path: string,
  directory: ZipDirectory,
  entry: ZipEntry,
  guards: EntryGuards = {},
): Promise<Readable> {
  const handle = await open(path, 'r');
  const local = Buffer.alloc(30);
  try {
    await handle.read(local, 0, 30, entry.localHeaderOffset);
  } finally {
    await handle.close();
  }
  if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw corrupt();
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const end = start + entry.compressedSize;
  if (end > directory.dataEnd) throw corrupt();
  const raw: Readable =
    entry.compressedSize === 0
      ? Readable.from([])
      : createReadStream(path, { start, end: end - 1, highWaterMark: 64 * 1024 });
  if (guards.onRawBytes) {
    const report = guards.onRawBytes;
    let read = 0;
    raw.on('data', (chunk: Buffer) => report((read += chunk.length)));
  }
  const guard = new EntryGuard(entry.size, guards);
  const stages = entry.method === 8 ? [raw, createInflateRaw(), guard] : [raw, guard];
  pipeline(stages, (error) => {
    if (error) guard.destroy(error instanceof FileProblem ? error : corrupt());
  });
  return guard;
}

const LT = 0x3c;

/** Counts an entry's inflated bytes against its declared size, and watches runs and shared strings. */
class EntryGuard extends Transform {
  private seen = 0;
  private run = 0;
  private items = 0;
  /** Bytes after the last '<' while deciding whether it opens an `si` element: 1 = '<', 2 = '<s', 3 = '<si'. */
  private tag = 0;

  constructor(
    private readonly declared: number,
    private readonly guards: EntryGuards,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.declared) return done(corrupt());
    const problem = this.scan(chunk);
    if (problem) return done(problem);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.seen === this.declared ? null : corrupt());
  }

  private scan(chunk: Buffer): FileProblem | undefined {
    const { maxRunBytes, maxItems } = this.guards;
    if (maxRunBytes === undefined && maxItems === undefined) return undefined;
    for (let i = 0; i < chunk.length;) {
      if (this.tag > 0) {
        const byte = chunk[i]!;
        this.run++;
        i++;
        if (this.tag === 1) this.tag = byte === 0x73 ? 2 : 0;
        else if (this.tag === 2) this.tag = byte === 0x69 ? 3 : 0;
        else {
          this.tag = 0;
          // `<si>`, `<si/>` or `<si ` opens a shared string; `<sic…>` would be another element.
          if ((byte === 0x3e || byte === 0x2f || byte <= 0x20) && ++this.items > (maxItems ?? Infinity)) {
            return this.guards.tooMany?.() ?? corrupt();
          }
        }
        continue;
      }
      const next = chunk.indexOf(LT, i);
      const stretch = (next < 0 ? chunk.length : next) - i;
      this.run += stretch;
      if (this.run > (maxRunBytes ?? Infinity)) return this.guards.tooLong?.() ?? corrupt();
      if (next < 0) break;
      this.run = 0;
      this.tag = 1;
      i = next + 1;
    }
    return undefined;
  }
}
