/**
 * What one import may hold, whatever its size on disk. The numbers are settings (src/config.ts, checked
 * at start-up); this module turns them into the checks the readers apply.
 */
import { loadConfig, type Config } from '../../config.ts';
import { HEADERS } from './columns.ts';

export interface ImportLimits {
  /** MINZHENG_MAX_UPLOAD_MB: the file on disk. */
  maxUploadMb: number;
  /** MINZHENG_IMPORT_MAX_ROWS: rows after the header, blank ones included. */
  maxRows: number;
  /** MINZHENG_IMPORT_MAX_CELL_CHARS: characters in one cell. */
  maxCellChars: number;
  /** MINZHENG_IMPORT_MAX_UNZIPPED_MB: an .xlsx's parts once inflated. */
  maxUnzippedMb: number;
}

export function importLimits(config: Config): ImportLimits {
  return {
    maxUploadMb: config.MINZHENG_MAX_UPLOAD_MB,
    maxRows: config.MINZHENG_IMPORT_MAX_ROWS,
    maxCellChars: config.MINZHENG_IMPORT_MAX_CELL_CHARS,
    maxUnzippedMb: config.MINZHENG_IMPORT_MAX_UNZIPPED_MB,
  };
}

/** The settings' defaults, for callers (tests, benchmarks) that pass no configuration. */
export const DEFAULT_IMPORT_LIMITS: ImportLimits = importLimits(loadConfig({}));

/** The template has 22 columns; a row far wider than that is not a roster (and costs a cell object each). */
export const MAX_COLUMNS = 64;

/** A workbook from Excel, WPS or LibreOffice has a few dozen parts. */
export const MAX_ZIP_ENTRIES = 10_000;

/**
 * Shared strings an .xlsx may declare: every cell of the largest roster allowed, plus room for a notes
 * sheet. Each costs memory while the sheet is read, so a table of millions of tiny strings is refused.
 */
export const maxSharedStrings = (limits: ImportLimits) => (limits.maxRows + 1) * HEADERS.length + 100_000;

/**
 * Longest stretch of XML without a '<' (a text node or a tag) before a cell is certainly over the
 * character limit: one character takes at most 10 bytes (`&#x10FFFF;`). Stops a 50 MB cell at 64 KB.
 */
export const maxXmlRunBytes = (limits: ImportLimits) => Math.max(64 * 1024, limits.maxCellChars * 10);

const count = (n: number) => n.toLocaleString('en-US');

export const limitMessages = {
  upload: (l: ImportLimits) => `文件超过大小上限 ${l.maxUploadMb} MB（MINZHENG_MAX_UPLOAD_MB）`,
  rows: (l: ImportLimits) =>
    `文件超过 ${count(l.maxRows)} 行的上限（MINZHENG_IMPORT_MAX_ROWS，不含表头）：请拆分为几个文件分批导入`,
  unzipped: (l: ImportLimits) =>
    `工作簿解压后超过 ${l.maxUnzippedMb} MB 的上限（MINZHENG_IMPORT_MAX_UNZIPPED_MB）：不是普通的台账工作簿`,
  cellInFile: (l: ImportLimits) =>
    `工作簿中有单元格超过 ${count(l.maxCellChars)} 个字符的上限（MINZHENG_IMPORT_MAX_CELL_CHARS）：请检查文件`,
  sharedStrings: (l: ImportLimits) =>
    `工作簿中的文本条目多于 ${count(maxSharedStrings(l))} 条（按行数上限推算）：请只保留台账工作表后再导入`,
  columns: (row: number) => `第 ${row} 行超过 ${MAX_COLUMNS} 列：不是台账格式（模板共 ${HEADERS.length} 列）`,
};
