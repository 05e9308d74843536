/**
 * Row-level validation: header mapping and one row → one RosterPerson. Checks that need the other rows
 * (households, duplicates) are in roster-households.ts; checks that need the database are in the service.
 */
import { inScope, type DataScope } from '../../auth/scope.ts';
import { normaliseText, textProblem, TEXT_PROBLEM_MESSAGES } from '../../core/text.ts';
import type { Category } from '../../policy/household.ts';
import { validateIdNumber } from '../id-number.ts';
import { COLUMNS, COLUMN_BY_KEY, HEADERS, normalizeHeader, type ColumnKey } from './columns.ts';
import { checkCommittee, checkHukouDivision } from './division-codes.ts';
import {
  parseCategories,
  parseCount,
  parseDate,
  parseDisabilityCategory,
  parseDisabilityGrade,
  parseHouseholdNo,
  parsePhone,
  parseRelation,
  parseSex,
  parseYesNo,
  parseYuanToFen,
  type Parsed,
} from './fields.ts';
import type { ImportIssue } from './report.ts';
import type { CellValue } from './sheet-row.ts';

/** The household columns of one row; null where the cell was empty. */
export interface HouseholdFields {
  committeeCode: string | null;
  address: string | null;
  monetaryAssetsFen: number | null;
  vehicles: number | null;
  homes: number | null;
  floorAreaBelowAverage: boolean | null;
}

export interface RosterPerson {
  row: number;
  householdNo: string;
  relationCode: string;
  name: string;
  idNumber: string;
  sex: 1 | 2;
  birthDate: string;
  hukouDivisionCode: string;
  phone: string | null;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  employed: boolean;
  categories: Category[];
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
  joinDate: string;
  household: HouseholdFields;
}

export type HeaderMap = ReadonlyMap<ColumnKey, number>;

/** Maps the header row to column positions; any missing, unknown or repeated header is an error. */
export function mapHeaders(row: number, cells: readonly CellValue[]): HeaderMap | ImportIssue[] {
  const byHeader = new Map(COLUMNS.map((c) => [normalizeHeader(c.header), c.key]));
  const found = new Map<ColumnKey, number>();
  const issues: ImportIssue[] = [];
  const expected = `应有的列（按模板顺序）：${HEADERS.join('、')}`;
  cells.forEach((cell, index) => {
    const text = cell === null ? '' : String(cell).trim();
    if (text === '') return;
    const key = byHeader.get(normalizeHeader(text));
    if (key === undefined) issues.push({ row, column: text, value: text, reason: `未知的列名。${expected}` });
    else if (found.has(key)) issues.push({ row, column: text, value: text, reason: '列名重复' });
    else found.set(key, index);
  });
  const missing = COLUMNS.filter((c) => !found.has(c.key)).map((c) => c.header);
  if (missing.length > 0) {
    issues.push({ row, column: null, value: null, reason: `缺少列：${missing.join('、')}。${expected}` });
  }
  return issues.length > 0 ? issues : found;
}

const EXCEL_EPOCH_UTC = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/**
 * A spreadsheet's date as an ISO day. Excel stores a calendar date with no time zone; exceljs hands it over as
 * UTC midnight, so the UTC day is the date the cell shows (not "today": the Shanghai clock is not wanted here).
 */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** An Excel date serial number (days since 1899-12-30) as an ISO day. */
export function excelSerialDay(serial: number): string {
  return isoDate(new Date(EXCEL_EPOCH_UTC + serial * DAY_MS));
}

/** The apostrophe an export puts before a value a spreadsheet would read as a formula (roster-writer.ts). */
const EXPORT_QUOTE = /^'(?=[=+\-@\t\r])/;

/**
 * A cell as trimmed text in NFC, without the export's protective apostrophe; date columns also accept
 * Excel date cells and date serial numbers.
 */
export function cellText(value: CellValue | undefined, key: ColumnKey): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return isoDate(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'number') {
    if (
      (key === 'birthDate' || key === 'joinDate') &&
      Number.isInteger(value) &&
      value > 0 &&
      value < 2_958_466
    ) {
      return excelSerialDay(value);
    }
    return String(value);
  }
  return normaliseText(value.trim().replace(EXPORT_QUOTE, ''));
}

/** Columns people type free text into; every other column is a code, number, date or choice. */
const FREE_TEXT: ReadonlySet<ColumnKey> = new Set(['name', 'address']);

/**
 * Excel, WPS and LibreOffice run a cell starting with = + - @ as a formula (CSV injection). No name or
 * address starts that way; a basement written "-1层" can be written "地下1层".
 */
const FORMULA_START = /^[=+\-@]/;
export const FORMULA_REASON =
  '不能以 =、+、-、@ 开头（电子表格软件会把它当作公式执行）：请删除开头的符号，如“-1层”写作“地下1层”';

const cellTooLong = (max: number) =>
  `超过 ${max.toLocaleString('en-US')} 个字符的上限（MINZHENG_IMPORT_MAX_CELL_CHARS）`;

/** What is wrong with a cell before its column's own rules look at it. */
function cellProblem(key: ColumnKey, cell: CellValue | undefined, maxCellChars: number): string | undefined {
  if (typeof cell !== 'string') return undefined;
  if (cell.length > maxCellChars) return cellTooLong(maxCellChars);
  const problem = textProblem(cell);
  if (problem) return TEXT_PROBLEM_MESSAGES[problem];
  // U+FFFD is what a broken decoder leaves behind; such a row must not be stored as if it were true.
  if (cell.includes('\uFFFD')) return '含无法识别的字符（文件编码损坏）';
  if (FREE_TEXT.has(key) && FORMULA_START.test(cellText(cell, key))) return FORMULA_REASON;
  return undefined;
}

export interface RowContext {
  scope: DataScope;
  today: string;
  /** MINZHENG_IMPORT_MAX_CELL_CHARS. */
  maxCellChars: number;
}

/** Validates one data row; returns the person, or the issues (every bad cell of the row). */
export function parseRow(
  row: number,
  cells: readonly CellValue[],
  headers: HeaderMap,
  context: RowContext,
): { person: RosterPerson } | { issues: ImportIssue[]; householdNo: string } {
  const issues: ImportIssue[] = [];
  const text = (key: ColumnKey) => cellText(cells[headers.get(key) ?? -1], key);
  const report = (key: ColumnKey, reason: string) =>
    issues.push({ row, column: COLUMN_BY_KEY[key].header, value: text(key), reason });
  function field<T>(key: ColumnKey, parse: (value: string) => Parsed<T>): T | null;
  function field<T>(key: ColumnKey, parse: (value: string) => Parsed<T>, fallback: T): T;
  function field<T>(key: ColumnKey, parse: (value: string) => Parsed<T>, fallback?: T): T | null {
    if (bad.has(key)) return fallback ?? null;
    const value = text(key);
    if (value === '') {
      if (COLUMN_BY_KEY[key].required) report(key, '必填');
      return fallback ?? null;
    }
    const parsed = parse(value);
    if (parsed.ok) return parsed.value;
    report(key, parsed.reason);
    return fallback ?? null;
  }
  const checked =
    (check: (value: string) => string | undefined) =>
    (value: string): Parsed<string> => {
      const reason = check(value);
      return reason === undefined ? { ok: true, value } : { ok: false, reason };
    };

  // A cell that fails here gets this one reason; its column's own rules do not look at it again.
  const bad = new Set<ColumnKey>();
  for (const [key, index] of headers) {
    const problem = cellProblem(key, cells[index], context.maxCellChars);
    if (problem === undefined) continue;
    report(key, problem);
    bad.add(key);
  }
  const householdNo = field('householdNo', parseHouseholdNo);
  const relationCode = field('relation', parseRelation);
  const name = field('name', (v) => {
    if (/[\t\r\n]/.test(v)) return { ok: false, reason: '姓名不能包含换行或制表符' };
    return v.length <= 50 ? { ok: true, value: v } : { ok: false, reason: '姓名至多50个字' };
  });
  const sexCell = field('sex', parseSex);
  const birthCell = field('birthDate', parseDate);
  const hukouDivisionCode = field('hukouDivision', checked(checkHukouDivision));
  const committeeCode = field('committee', checked(checkCommittee));
  if (committeeCode !== null && !inScope(context.scope, committeeCode)) {
    report('committee', '居委会不在您的数据范围内');
  }
  const phone = field('phone', (v) =>
    v.includes('*')
      ? { ok: false, reason: '联系电话已脱敏（含*）：请使用含完整号码的导出文件' }
      : parsePhone(v),
  );
  const disabilityCategory = field('disabilityCategory', parseDisabilityCategory);
  const disabilityGrade = field('disabilityGrade', parseDisabilityGrade);
  const hasCategory = text('disabilityCategory') !== '';
  if (hasCategory !== (text('disabilityGrade') !== '')) {
    report(hasCategory ? 'disabilityGrade' : 'disabilityCategory', '残疾类别与残疾等级须同时填写');
  }
  const employed = field('employed', parseYesNo, false);
  const categories = field('categories', parseCategories, []);
  const wageFen = field('wage', parseYuanToFen, 0);
  const pensionFen = field('pension', parseYuanToFen, 0);
  const otherIncomeFen = field('otherIncome', parseYuanToFen, 0);
  const household: HouseholdFields = {
    committeeCode,
    address: bad.has('address') || text('address') === '' ? null : text('address'),
    monetaryAssetsFen: field('monetaryAssets', parseYuanToFen),
    vehicles: field('vehicles', (v) => parseCount(v, 99)),
    homes: field('homes', (v) => parseCount(v, 99)),
    floorAreaBelowAverage: field('floorAreaBelowAverage', parseYesNo),
  };
  if (birthCell !== null && birthCell > context.today) report('birthDate', '出生日期晚于今天');
  const joinDate = field('joinDate', parseDate, context.today);

  let idNumber: string | null = null;
  let sex = sexCell;
  let birthDate = birthCell;
  if (!bad.has('idNumber')) {
    const id = idNumberField(cells[headers.get('idNumber') ?? -1], text('idNumber'), {
      today: context.today,
      ...(birthCell !== null ? { birthDate: birthCell } : {}),
      ...(sexCell !== null ? { sex: sexCell } : {}),
    });
    if ('reason' in id) report('idNumber', id.reason);
    else ({ idNumber, sex, birthDate } = id);
  }
  if (birthDate !== null && joinDate < birthDate) report('joinDate', '入户日期早于出生日期');
  if (joinDate > context.today) report('joinDate', '入户日期晚于今天');

  if (
    issues.length > 0 ||
    householdNo === null ||
    relationCode === null ||
    name === null ||
    idNumber === null ||
    sex === null ||
    birthDate === null ||
    hukouDivisionCode === null
  ) {
    return { issues, householdNo: text('householdNo') };
  }
  return {
    person: {
      row,
      householdNo,
      relationCode,
      name,
      idNumber,
      sex,
      birthDate,
      hukouDivisionCode,
      phone,
      disabilityCategory,
      disabilityGrade,
      employed,
      categories,
      wageFen,
      pensionFen,
      otherIncomeFen,
      joinDate,
      household,
    },
  };
}

/** The 身份证号 cell, with the sex and birth date it gives (those columns may be left empty). */
function idNumberField(
  cell: CellValue | undefined,
  raw: string,
  known: Parameters<typeof validateIdNumber>[1],
): { idNumber: string; sex: 1 | 2; birthDate: string } | { reason: string } {
  if (typeof cell === 'number')
    return { reason: '身份证号须以文本格式填写（Excel 数字格式只保留15位有效数字）' };
  if (raw === '') return { reason: '必填' };
  if (raw.includes('*')) {
    return { reason: '身份证号已脱敏（含*）：请使用含完整号码的导出文件（导出时选择显示完整号码）' };
  }
  const checked = validateIdNumber(raw, known);
  if (!checked.ok) return { reason: checked.message };
  return { idNumber: checked.value, sex: checked.facts.sex, birthDate: checked.facts.birthDate };
}

/** A row is blank when every cell is empty (spreadsheets often carry formatted but empty rows). */
export function isBlankRow(cells: readonly CellValue[]): boolean {
  return cells.every((cell) => cell === null || (typeof cell === 'string' && cell.trim() === ''));
}
