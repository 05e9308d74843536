import { dateKey } from '../../policy/engine/month.ts';
import { encodeGbk, gbkBytesOf } from './gbk.ts';
import type { AccountKind } from './banks.ts';

/**
 * 代发文件与回盘文件的格式 (docs/payroll.md 银行与对账, with a field table each). Two payment layouts:
 *
 * - `csv`: UTF-8 (no BOM), CRLF, comma-separated, a field quoted only when it holds a comma, quote or line
 *   break. `H` header, one `D` per line, `T` trailer.
 * - `fixed`: GBK, CRLF, every record 150 bytes counted in bytes (a Chinese character is 2), numbers
 *   right-aligned zero-filled, text left-aligned space-filled (a name cut at a character boundary).
 *
 * Amounts are integer fen everywhere. The bank's return file is CSV (UTF-8, or GBK: detected).
 */

export type BankFileLayout = 'csv' | 'fixed';

export interface BankFileHeader {
  districtCode: string;
  runId: string;
  /** The run's month `YYYY-MM`. */
  month: string;
  bankCode: string;
  /** The day the file is made (Shanghai), `YYYY-MM-DD`. */
  fileDate: string;
}

export interface BankFileRecord {
  lineNo: number;
  accountKind: AccountKind;
  accountNo: string;
  holderName: string;
  amountFen: number;
  program: string;
  period: string;
}

export interface FieldSpec {
  name: string;
  title: string;
  /** Fixed layout only: bytes. */
  bytes?: number;
}

/** The fixed layout's fields per record type (the docs' tables are this list). */
export const FIXED_RECORD_BYTES = 150;
export const FIXED_FIELDS = {
  H: [
    { name: 'type', title: '记录类型 H', bytes: 1 },
    { name: 'districtCode', title: '区代码', bytes: 6 },
    { name: 'runId', title: '批次编号', bytes: 36 },
    { name: 'month', title: '发放月份 YYYYMM', bytes: 6 },
    { name: 'bankCode', title: '银行代码（左对齐补空格）', bytes: 8 },
    { name: 'fileDate', title: '制表日期 YYYYMMDD', bytes: 8 },
    { name: 'count', title: '总笔数（右对齐补 0）', bytes: 10 },
    { name: 'totalFen', title: '总金额（分，右对齐补 0）', bytes: 18 },
    { name: 'filler', title: '空格', bytes: 57 },
  ],
  D: [
    { name: 'type', title: '记录类型 D', bytes: 1 },
    { name: 'lineNo', title: '明细序号（右对齐补 0）', bytes: 10 },
    { name: 'accountKind', title: '账户类型 B 银行账户 / S 社会保障卡', bytes: 1 },
    { name: 'accountNo', title: '账号（左对齐补空格）', bytes: 32 },
    { name: 'holderName', title: '户名（GBK，左对齐补空格）', bytes: 40 },
    { name: 'amountFen', title: '金额（分，右对齐补 0）', bytes: 15 },
    { name: 'program', title: '项目代码', bytes: 32 },
    { name: 'period', title: '所属期 YYYY-MM 或 YYYY-Qn', bytes: 7 },
    { name: 'filler', title: '空格', bytes: 12 },
  ],
  T: [
    { name: 'type', title: '记录类型 T', bytes: 1 },
    { name: 'count', title: '总笔数（右对齐补 0）', bytes: 10 },
    { name: 'totalFen', title: '总金额（分，右对齐补 0）', bytes: 18 },
    { name: 'filler', title: '空格', bytes: 121 },
  ],
} as const satisfies Record<string, readonly FieldSpec[]>;

export const CSV_FIELDS = {
  H: ['H', 'districtCode', 'runId', 'month', 'bankCode', 'fileDate', 'count', 'totalFen'],
  D: ['D', 'lineNo', 'accountKind', 'accountNo', 'holderName', 'amountFen', 'program', 'period'],
  T: ['T', 'count', 'totalFen'],
} as const;

export const RETURN_FIELDS = {
  H: ['H', 'districtCode', 'runId', 'bankCode'],
  D: ['D', 'lineNo', 'accountNo', 'amountFen', 'result', 'bankRef', 'paidOn', 'failureReason'],
  T: ['T', 'count', 'totalFen'],
} as const;

const CRLF = '\r\n';
const kindLetter = (k: AccountKind) => (k === 'social_security_card' ? 'S' : 'B');
const compactDate = (iso: string) => iso.replaceAll('-', '');

function totals(records: readonly BankFileRecord[]): { count: number; totalFen: number } {
  let totalFen = 0;
  for (const r of records) totalFen += r.amountFen;
  if (!Number.isSafeInteger(totalFen)) throw new Error('bank file total is not a safe integer of fen');
  return { count: records.length, totalFen };
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderCsv(header: BankFileHeader, records: readonly BankFileRecord[]): Buffer {
  const { count, totalFen } = totals(records);
  const rows: (string | number)[][] = [
    [
      'H',
      header.districtCode,
      header.runId,
      header.month,
      header.bankCode,
      compactDate(header.fileDate),
      count,
      totalFen,
    ],
    ...records.map((r) => [
      'D',
      r.lineNo,
      kindLetter(r.accountKind),
      r.accountNo,
      r.holderName,
      r.amountFen,
      r.program,
      r.period,
    ]),
    ['T', count, totalFen],
  ];
  return Buffer.from(rows.map((row) => row.map(csvField).join(',')).join(CRLF) + CRLF, 'utf8');
}

function number(value: number, bytes: number): Buffer {
  const text = String(value);
  if (value < 0 || text.length > bytes) throw new Error(`value ${value} does not fit ${bytes} bytes`);
  return Buffer.from(text.padStart(bytes, '0'), 'latin1');
}

/** Text in GBK, cut at a character boundary to `bytes` and space-filled; `?` for what GBK cannot write. */
function text(value: string, bytes: number): Buffer {
  const out: number[] = [];
  for (const ch of value) {
    const b = gbkBytesOf(ch) ?? [0x3f];
    if (out.length + b.length > bytes) break;
    out.push(...b);
  }
  while (out.length < bytes) out.push(0x20);
  return Buffer.from(out);
}

function record(parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  if (body.length > FIXED_RECORD_BYTES) throw new Error('fixed record too long');
  return Buffer.concat([body, Buffer.alloc(FIXED_RECORD_BYTES - body.length, 0x20), Buffer.from(CRLF)]);
}

export function renderFixed(header: BankFileHeader, records: readonly BankFileRecord[]): Buffer {
  const { count, totalFen } = totals(records);
  const h = record([
    text('H', 1),
    text(header.districtCode, 6),
    text(header.runId, 36),
    text(header.month.replace('-', ''), 6),
    text(header.bankCode, 8),
    text(compactDate(header.fileDate), 8),
    number(count, 10),
    number(totalFen, 18),
  ]);
  const ds = records.map((r) =>
    record([
      text('D', 1),
      number(r.lineNo, 10),
      text(kindLetter(r.accountKind), 1),
      text(r.accountNo, 32),
      text(r.holderName, 40),
      number(r.amountFen, 15),
      text(r.program, 32),
      text(r.period, 7),
    ]),
  );
  const t = record([text('T', 1), number(count, 10), number(totalFen, 18)]);
  return Buffer.concat([h, ...ds, t]);
}

export function renderBankFile(
  layout: BankFileLayout,
  header: BankFileHeader,
  records: readonly BankFileRecord[],
): Buffer {
  return layout === 'csv' ? renderCsv(header, records) : renderFixed(header, records);
}

/** Whether a fixed-layout name would be cut (the caller may warn); GBK bytes of the name. */
export function gbkLength(value: string): number {
  return encodeGbk(value).length;
}

// ---- the bank's return file -------------------------------------------------------------------------

export interface ReturnRow {
  /** The row's number in the file (1 = the header). */
  row: number;
  lineNo: number;
  accountNo: string;
  amountFen: number;
  result: 'paid' | 'failed';
  bankRef: string | null;
  paidOn: string | null;
  failureReason: string | null;
}

export interface ParsedReturn {
  header: { districtCode: string; runId: string; bankCode: string } | null;
  rows: ReturnRow[];
  trailer: { row: number; count: number; totalFen: number } | null;
  problems: { row: number; message: string }[];
}

/** Splits one CSV line (quotes as RFC 4180). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/** The file's text: UTF-8 when it is valid UTF-8 (a BOM dropped), else GBK. */
export function decodeReturnFile(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}

const INT = /^\d{1,15}$/;

function isoDay(compact: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return dateKey(iso) === null ? null : iso;
}

/** Parses a return file; every malformed row is a problem (the service adds what it knows of the run). */
export function parseReturn(textIn: string): ParsedReturn {
  const lines = textIn.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  const parsed: ParsedReturn = { header: null, rows: [], trailer: null, problems: [] };
  const problem = (row: number, message: string) => parsed.problems.push({ row, message });
  lines.forEach((raw, index) => {
    const row = index + 1;
    if (raw.trim() === '') return problem(row, '空行');
    const f = splitCsv(raw);
    const type = f[0];
    if (row === 1 && type !== 'H') return problem(row, '第一行应为文件头（H 记录）');
    if (type === 'H') {
      if (row !== 1) return problem(row, '文件头（H 记录）只能在第一行');
      if (f.length !== RETURN_FIELDS.H.length)
        return problem(row, `文件头应有 ${RETURN_FIELDS.H.length} 个字段`);
      parsed.header = { districtCode: f[1] ?? '', runId: (f[2] ?? '').toLowerCase(), bankCode: f[3] ?? '' };
      return;
    }
    if (type === 'T') {
      if (index !== lines.length - 1) return problem(row, '文件尾（T 记录）只能在最后一行');
      if (f.length !== RETURN_FIELDS.T.length || !INT.test(f[1] ?? '') || !INT.test(f[2] ?? ''))
        return problem(row, '文件尾应为 T,总笔数,总金额（分）');
      parsed.trailer = { row, count: Number(f[1]), totalFen: Number(f[2]) };
      return;
    }
    if (type !== 'D') return problem(row, `未知的记录类型「${type ?? ''}」`);
    if (f.length !== RETURN_FIELDS.D.length) return problem(row, `明细应有 ${RETURN_FIELDS.D.length} 个字段`);
    const [, lineNo = '', accountNo = '', amount = '', result = '', bankRef = '', paidOn = '', reason = ''] =
      f;
    const bad: string[] = [];
    if (!/^\d{1,9}$/.test(lineNo)) bad.push('明细序号应为数字');
    if (!/^\d{8,32}$/.test(accountNo)) bad.push('账号应为 8–32 位数字');
    if (!INT.test(amount)) bad.push('金额应为整数（分）');
    if (result !== 'S' && result !== 'F') bad.push('处理结果应为 S（成功）或 F（失败）');
    const day = paidOn === '' ? null : isoDay(paidOn);
    if (result === 'S') {
      if (bankRef === '') bad.push('成功的明细须有银行流水号');
      if (day === null) bad.push('成功的明细须有入账日期 YYYYMMDD');
    }
    if (result === 'F' && reason === '') bad.push('失败的明细须有失败原因');
    if (bad.length > 0) return problem(row, bad.join('；'));
    parsed.rows.push({
      row,
      lineNo: Number(lineNo),
      accountNo,
      amountFen: Number(amount),
      result: result === 'S' ? 'paid' : 'failed',
      bankRef: bankRef === '' ? null : bankRef,
      paidOn: result === 'S' ? day : null,
      failureReason: result === 'F' ? reason : null,
    });
  });
  if (lines.length === 0) problem(1, '文件为空');
  else if (!parsed.trailer) problem(lines.length, '缺少文件尾（T 记录）');
  return parsed;
}
