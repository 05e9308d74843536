/**
 * What a file is, from its bytes: the name only says what the uploader claims, and a file whose content is
 * not what its name says is refused. We accept six types and recognise them by their signatures: PDF,
 * JPEG and PNG by their first bytes; OFD (GB/T 33190, the electronic documents and certificates Chinese
 * agencies issue), Word .docx and Excel .xlsx are ZIP containers told apart by the entries their central
 * directory lists (read without inflating anything, by the same reader the roster import trusts).
 *
 * Why not the `file-type` package: its current major (22) requires Node 22 and the last one for Node 20
 * (21.x) gets no further fixes; it does not know OFD; and it finds a .docx by walking the local headers of
 * the ZIP stream, where we read the central directory as Office itself does. Six signatures are a table.
 */
import { open } from 'node:fs/promises';
import { FileProblem } from '../registry/import/file-problem.ts';
import { readZipDirectory } from '../registry/import/zip-archive.ts';
import { FilesError } from './files.errors.ts';

export type FileType = 'pdf' | 'jpeg' | 'png' | 'ofd' | 'docx' | 'xlsx';

export interface FileTypeInfo {
  /** What the user reads: PDF 文档. */
  label: string;
  /** The MIME type the download is served as. */
  mime: string;
  /** Name endings (lower case, with the dot) that promise this type. */
  extensions: readonly string[];
}

export const FILE_TYPES: Readonly<Record<FileType, FileTypeInfo>> = {
  pdf: { label: 'PDF 文档', mime: 'application/pdf', extensions: ['.pdf'] },
  jpeg: { label: 'JPEG 图片', mime: 'image/jpeg', extensions: ['.jpg', '.jpeg'] },
  png: { label: 'PNG 图片', mime: 'image/png', extensions: ['.png'] },
  ofd: { label: 'OFD 版式文档', mime: 'application/ofd', extensions: ['.ofd'] },
  docx: {
    label: 'Word 文档（.docx）',
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['.docx'],
  },
  xlsx: {
    label: 'Excel 工作簿（.xlsx）',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['.xlsx'],
  },
};

/** The accepted types in one phrase, for messages and the upload control's hint. */
export const ACCEPTED_TYPES_TEXT = 'PDF、JPEG、PNG、OFD、Word（.docx）、Excel（.xlsx）';

/** The accepted name endings, for the upload control's `accept` attribute. */
export const ACCEPTED_EXTENSIONS: readonly string[] = Object.values(FILE_TYPES).flatMap((t) => t.extensions);

const MIME_TO_TYPE = new Map(Object.entries(FILE_TYPES).map(([type, info]) => [info.mime, type as FileType]));

export function fileTypeOfMime(mime: string): FileType | undefined {
  return MIME_TO_TYPE.get(mime);
}

/** The type a file name promises, or a refusal naming what we accept. */
export function typeOfName(name: string): FileType {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot).toLowerCase() : '';
  if (!extension) {
    throw new FilesError(
      'unsupported_type',
      `文件名「${name}」没有扩展名：只能上传${ACCEPTED_TYPES_TEXT}文件`,
    );
  }
  for (const [type, info] of Object.entries(FILE_TYPES)) {
    if (info.extensions.includes(extension)) return type as FileType;
  }
  throw new FilesError(
    'unsupported_type',
    `不支持「${extension}」类型的文件：只能上传${ACCEPTED_TYPES_TEXT}文件`,
  );
}

/** What the bytes are: one of ours, or a description of something else (for the refusal), or unknown. */
export type Sniffed = { type: FileType } | { other: string } | { unknown: true };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Signatures we refuse but can name, so the uploader learns what they actually sent. */
const OTHER_SIGNATURES: readonly { bytes: readonly number[]; label: string }[] = [
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    label: '旧版 Office 文档（.doc/.xls）或加密的 Office 文档',
  },
  { bytes: [0x47, 0x49, 0x46, 0x38], label: 'GIF 图片' },
  { bytes: [0x42, 0x4d], label: 'BMP 图片' },
  { bytes: [0x49, 0x49, 0x2a, 0x00], label: 'TIFF 图片' },
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], label: 'TIFF 图片' },
  { bytes: [0x52, 0x61, 0x72, 0x21], label: 'RAR 压缩包' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], label: '7z 压缩包' },
  { bytes: [0x4d, 0x5a], label: 'Windows 可执行程序' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], label: '可执行程序' },
];

const startsWith = (head: Buffer, bytes: readonly number[]) =>
  head.length >= bytes.length && bytes.every((b, i) => head[i] === b);

/** Recognises a file from its first bytes and, for a ZIP container, its central directory. */
export async function sniffFile(path: string, size: number): Promise<Sniffed> {
  const head = Buffer.alloc(Math.min(size, 16));
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return { type: 'pdf' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { type: 'jpeg' };
  if (startsWith(head, [...PNG_SIGNATURE])) return { type: 'png' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return sniffZip(path, size);
  if (startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return { other: '空的 ZIP 压缩包' };
  for (const signature of OTHER_SIGNATURES) {
    if (startsWith(head, signature.bytes)) return { other: signature.label };
  }
  return { unknown: true };
}

async function sniffZip(path: string, size: number): Promise<Sniffed> {
  let names: ReadonlySet<string>;
  try {
    const directory = await readZipDirectory(path, size, {
      maxEntries: 100_000,
      // Nothing is inflated here: the declared sizes do not matter.
      maxTotalBytes: Number.MAX_SAFE_INTEGER,
      tooLarge: () => new FileProblem('unreachable'),
    });
    names = new Set(directory.entries.keys());
  } catch (error) {
    if (error instanceof FileProblem) return { other: '已损坏、加密或不完整的 ZIP 文件' };
    throw error;
  }
  if (names.has('OFD.xml')) return { type: 'ofd' };
  if (names.has('[Content_Types].xml') && names.has('word/document.xml')) return { type: 'docx' };
  if (names.has('[Content_Types].xml') && names.has('xl/workbook.xml')) return { type: 'xlsx' };
  return { other: 'ZIP 压缩包' };
}

/**
 * The file's type when its content is what its name says; otherwise a Chinese refusal that says what the
 * name promised and what the bytes are.
 */
export async function checkContent(path: string, size: number, name: string): Promise<FileType> {
  const promised = typeOfName(name);
  if (size === 0) throw new FilesError('invalid', `文件「${name}」是空文件`);
  const sniffed = await sniffFile(path, size);
  if ('type' in sniffed && sniffed.type === promised) return promised;
  const actual =
    'type' in sniffed
      ? FILE_TYPES[sniffed.type].label
      : 'other' in sniffed
        ? sniffed.other
        : '无法识别的内容';
  throw new FilesError(
    'content_mismatch',
    `文件「${name}」的内容与文件名不符：文件名表明是${FILE_TYPES[promised].label}，实际内容是${actual}。请确认文件没有被改名或损坏后重新上传`,
  );
}
