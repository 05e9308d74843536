/**
 * Row-level validation of a recipients file: the header row, then one row → one RecipientRow or the
 * row's issues (every bad cell, its column named). Checks against the registry and the entitlements are the
 * service's (onboarding.service.ts); checks across rows (the same entitlement twice) too.
 */
import { normaliseText, textProblem, TEXT_PROBLEM_MESSAGES } from '../../core/text.ts';
import { isProgramCode, PROGRAMS, type ProgramCode } from '../../policy/index.ts';
import { PROGRAM_SCHEDULES, SCHEDULE_NAMES, type Schedule } from '../../entitlements/schedules.ts';
import { validateIdNumber } from '../../registry/id-number.ts';
import { accountProblem, bankOfName, BANKS } from '../bank/banks.ts';
import { parseHouseholdNo, parseYuanToFen } from '../../registry/import/fields.ts';
import type { ImportIssue } from '../../registry/import/report.ts';
import type { CellValue } from '../../registry/import/sheet-row.ts';
import { normalizeHeader } from '../../registry/import/columns.ts';
import { excelSerialDay, isoDate } from '../../registry/import/roster-rows.ts';
import {
  ACCOUNT_KIND_NAMES,
  RECIPIENT_COLUMN,
  RECIPIENT_COLUMNS,
  RECIPIENT_HEADERS,
  type AccountKind,
  type RecipientColumnKey,
} from './columns.ts';

export interface RecipientRow {
  row: number;
  program: ProgramCode;
  level: 'household' | 'person';
  schedule: 'monthly' | 'quarterly';
  /** The beneficiary's ID number (person programs), or a member's in place of the household number. */
  idNumber: string | null;
  householdNo: string | null;
  amountFen: number;
  startMonth: string;
  lastPaidMonth: string;
  payeeIdNumber: string;
  accountKind: AccountKind;
  /** The paying bank (catalogue code and name). */
  bankCode: string;
  bankName: string;
  accountNo: string;
  basis: string;
}

export type RecipientHeaderMap = ReadonlyMap<RecipientColumnKey, number>;

export function mapRecipientHeaders(
  row: number,
  cells: readonly CellValue[],
): RecipientHeaderMap | ImportIssue[] {
  const byHeader = new Map(RECIPIENT_COLUMNS.map((col) => [normalizeHeader(col.header), col.key]));
  const found = new Map<RecipientColumnKey, number>();
  const issues: ImportIssue[] = [];
  const expected = `应有的列（按模板顺序）：${RECIPIENT_HEADERS.join('、')}`;
  cells.forEach((cell, index) => {
    const text = cell === null ? '' : String(cell).trim();
    if (text === '') return;
    const key = byHeader.get(normalizeHeader(text));
    if (key === undefined) issues.push({ row, column: text, value: text, reason: `未知的列名。${expected}` });
    else if (found.has(key)) issues.push({ row, column: text, value: text, reason: '列名重复' });
    else found.set(key, index);
  });
  const missing = RECIPIENT_COLUMNS.filter((col) => !found.has(col.key)).map((col) => col.header);
  if (missing.length > 0) {
    issues.push({ row, column: null, value: null, reason: `缺少列：${missing.join('、')}。${expected}` });
  }
  return issues.length > 0 ? issues : found;
}

const MONTH_KEYS: ReadonlySet<RecipientColumnKey> = new Set(['startMonth', 'lastPaidMonth']);

/** A cell as trimmed NFC text; month columns also take Excel date cells and date serial numbers. */
export function recipientCellText(value: CellValue | undefined, key: RecipientColumnKey): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return isoDate(value).slice(0, MONTH_KEYS.has(key) ? 7 : 10);
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'number') {
    if (MONTH_KEYS.has(key) && Number.isInteger(value) && value > 20_000 && value < 2_958_466) {
      return excelSerialDay(value).slice(0, 7);
    }
    return String(value);
  }
  return normaliseText(value.trim().replace(/^'(?=[=+\-@\t\r])/, ''));
}

/** 2025-01, 2025/1, 2025.01, 2025年1月 → 2025-01. */
export function parseMonthCell(text: string): { ok: true; value: string } | { ok: false; reason: string } {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$/.exec(text);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) return { ok: false, reason: '月份格式错误：应为 YYYY-MM，如 2025-01' };
  if (m[1]! < '2000') return { ok: false, reason: '月份过早（应不早于 2000 年）' };
  return { ok: true, value: `${m[1]}-${String(month).padStart(2, '0')}` };
}

/** `YYYY-MM` moved by `delta` months. */
export function addMonths(month: string, delta: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** A program by its name, or its name without the part in brackets (特困人员救助供养（基本生活） → 特困人员救助供养). */
const PROGRAM_BY_NAME = new Map(
  Object.values(PROGRAMS).flatMap((p) => {
    const short = p.name.replace(/（[^）]*）$/, '');
    return short === p.name
      ? [[p.name, p.code] as const]
      : [[p.name, p.code] as const, [short, p.code] as const];
  }),
);
const SCHEDULE_BY_NAME = new Map(
  Object.entries(SCHEDULE_NAMES).map(([code, name]) => [name, code as Schedule]),
);
const ACCOUNT_KIND_BY_NAME = new Map<string, AccountKind>([
  ['银行卡', 'bank'],
  ['借记卡', 'bank'],
  ['存折', 'bank'],
  ['社保卡', 'social_security_card'],
  ['社会保障卡', 'social_security_card'],
  ['bank', 'bank'],
  ['social_security_card', 'social_security_card'],
]);

/** The account number check of src/entitlements/payees.ts and of payee_accounts (before the bank's own). */
export const ACCOUNT_NO_RE = /^\d{8,32}$/;

export interface RowContext {
  /** This month (Shanghai): no month after it. */
  month: string;
  today: string;
  maxCellChars: number;
}

function idNumberProblem(
  cell: CellValue | undefined,
  raw: string,
  today: string,
): string | { value: string } {
  if (typeof cell === 'number') return '身份证号须以文本格式填写（Excel 数字格式只保留15位有效数字）';
  if (raw.includes('*')) return '身份证号已脱敏（含*）：请填写完整号码';
  const checked = validateIdNumber(raw, { today });
  return checked.ok ? { value: checked.value } : checked.message;
}

/** Validates one data row; returns the recipient, or the issues of every bad cell. */
export function parseRecipientRow(
  row: number,
  cells: readonly CellValue[],
  headers: RecipientHeaderMap,
  context: RowContext,
): { recipient: RecipientRow } | { issues: ImportIssue[] } {
  const issues: ImportIssue[] = [];
  const cellOf = (key: RecipientColumnKey) => cells[headers.get(key) ?? -1];
  const text = (key: RecipientColumnKey) => recipientCellText(cellOf(key), key);
  const report = (key: RecipientColumnKey, reason: string) =>
    issues.push({ row, column: RECIPIENT_COLUMN[key].header, value: text(key), reason });
  const bad = new Set<RecipientColumnKey>();
  for (const [key, index] of headers) {
    const cell = cells[index];
    if (typeof cell !== 'string') continue;
    const problem =
      cell.length > context.maxCellChars
        ? `超过 ${context.maxCellChars} 个字符的上限`
        : textProblem(cell)
          ? TEXT_PROBLEM_MESSAGES[textProblem(cell)!]
          : cell.includes('\uFFFD')
            ? '含无法识别的字符（文件编码损坏）'
            : undefined;
    if (problem === undefined) continue;
    report(key, problem);
    bad.add(key);
  }
  const required = (key: RecipientColumnKey): string | null => {
    if (bad.has(key)) return null;
    const value = text(key);
    if (value === '' && RECIPIENT_COLUMN[key].required) report(key, '必填');
    return value === '' ? null : value;
  };

  // 项目 and its schedule.
  let program: ProgramCode | null = null;
  const programText = required('program');
  if (programText !== null) {
    const code = isProgramCode(programText) ? programText : PROGRAM_BY_NAME.get(programText);
    const schedule = code === undefined ? undefined : PROGRAM_SCHEDULES[code].schedule;
    if (code === undefined) report('program', '未知的项目：请填写模板说明中列出的项目名称');
    else if (schedule !== 'monthly' && schedule !== 'quarterly') {
      report('program', `${PROGRAMS[code].name}不是按月或按季发放的项目，无需作为在保对象导入`);
    } else program = code;
  }
  const schedule = program === null ? null : (PROGRAM_SCHEDULES[program].schedule as 'monthly' | 'quarterly');
  const scheduleText = required('schedule');
  if (scheduleText !== null) {
    const given =
      SCHEDULE_BY_NAME.get(scheduleText) ?? (scheduleText in SCHEDULE_NAMES ? scheduleText : undefined);
    if (given === undefined) report('schedule', '发放周期应为 按月 或 按季');
    else if (schedule !== null && given !== schedule) {
      report('schedule', `${PROGRAMS[program!].name}的发放周期为${SCHEDULE_NAMES[schedule]}，与填写的不一致`);
    }
  }
  const level = program === null ? null : PROGRAMS[program].level;

  // The beneficiary: a person's ID number, or the household's number (or a member's ID number).
  const idText = required('idNumber');
  let idNumber: string | null = null;
  if (idText !== null) {
    const checked = idNumberProblem(cellOf('idNumber'), idText, context.today);
    if (typeof checked === 'string') report('idNumber', checked);
    else idNumber = checked.value;
  }
  const householdText = required('householdNo');
  let householdNo: string | null = null;
  if (householdText !== null) {
    const parsed = parseHouseholdNo(householdText);
    if (parsed.ok) householdNo = parsed.value;
    else report('householdNo', parsed.reason);
  }
  if (level === 'person') {
    if (idText === null && !bad.has('idNumber')) {
      report('idNumber', `${PROGRAMS[program!].name}按人发放：须填写受益人的身份证号`);
    }
  } else if (level === 'household' && idText === null && householdText === null && !bad.has('idNumber')) {
    report('householdNo', `${PROGRAMS[program!].name}按户发放：须填写户编号（或户内成员的身份证号）`);
  }

  // 月金额: decimal text → fen, no floating point.
  const amountText = required('amount');
  let amountFen: number | null = null;
  if (amountText !== null) {
    const parsed = parseYuanToFen(amountText);
    if (!parsed.ok) report('amount', parsed.reason);
    else if (parsed.value <= 0) report('amount', '月金额须大于0');
    else amountFen = parsed.value;
  }

  // Months.
  const quarterFirst = addMonths(context.month, -((Number(context.month.slice(5, 7)) - 1) % 3));
  const quarterLast = addMonths(quarterFirst, 2);
  const month = (key: 'startMonth' | 'lastPaidMonth'): string | null => {
    const value = required(key);
    if (value === null) return null;
    const parsed = parseMonthCell(value);
    if (!parsed.ok) {
      report(key, parsed.reason);
      return null;
    }
    // A quarter is paid in advance in its first month: the last month paid may be the quarter's last.
    const limit = key === 'lastPaidMonth' && schedule === 'quarterly' ? quarterLast : context.month;
    if (parsed.value > limit) {
      report(key, limit === context.month ? `不得晚于本月（${limit}）` : `不得晚于本季度末（${limit}）`);
      return null;
    }
    return parsed.value;
  };
  const startMonth = month('startMonth');
  const lastPaidMonth = month('lastPaidMonth');
  if (startMonth !== null && lastPaidMonth !== null) {
    const before = addMonths(startMonth, -1);
    if (lastPaidMonth < before) {
      report('lastPaidMonth', `已发放至月份不得早于起始月份的上一个月（${before}，表示尚未发放）`);
    } else if (
      schedule === 'quarterly' &&
      lastPaidMonth !== before &&
      Number(lastPaidMonth.slice(5, 7)) % 3 !== 0
    ) {
      report('lastPaidMonth', '按季发放的项目：已发放至月份须为季末月份（3、6、9、12月）');
    } else if (schedule === 'quarterly') {
      // Payroll pays a quarter in its first month (src/payroll/compute): past that month, this quarter must
      // have been paid before going live, or no run would pay it; in it, every earlier quarter.
      const due = context.month === quarterFirst ? addMonths(quarterFirst, -1) : quarterLast;
      if (lastPaidMonth < due && !(context.month === quarterFirst && startMonth >= quarterFirst)) {
        report(
          'lastPaidMonth',
          context.month === quarterFirst
            ? `按季发放的项目：本季度以前的各季度须已发放（已发放至月份应不早于 ${due}）`
            : `按季发放的项目：本季度的发放月（${quarterFirst}）已过，系统不会再发放本季度：请在原系统发放本季度后填写已发放至 ${quarterLast}，或在下季度首月导入`,
        );
      }
    }
  }

  // The payee and the account.
  const payeeText = required('payeeIdNumber');
  let payeeIdNumber: string | null = null;
  if (payeeText !== null) {
    const checked = idNumberProblem(cellOf('payeeIdNumber'), payeeText, context.today);
    if (typeof checked === 'string') report('payeeIdNumber', checked);
    else payeeIdNumber = checked.value;
  }
  const kindText = required('accountKind');
  let accountKind: AccountKind | null = null;
  if (kindText !== null) {
    accountKind = ACCOUNT_KIND_BY_NAME.get(kindText) ?? null;
    if (accountKind === null)
      report('accountKind', `账户类型应为：${Object.values(ACCOUNT_KIND_NAMES).join(' 或 ')}`);
  }
  // 开户行 and 账号: the paying banks' catalogue and its account checks (src/payroll/bank/banks.ts).
  const bankText = required('bankName');
  const bank = bankText === null ? null : bankOfName(bankText);
  if (bankText !== null && bank === null) {
    report('bankName', `不是代发银行目录中的银行：可填 ${BANKS.map((b) => b.name).join('、')}`);
  }
  const accountText = required('accountNo');
  if (accountText !== null) {
    if (typeof cellOf('accountNo') === 'number')
      report('accountNo', '账号须以文本格式填写（数字格式会丢失位数）');
    else if (accountText.includes('*')) report('accountNo', '账号已脱敏（含*）：请填写完整账号');
    else if (!ACCOUNT_NO_RE.test(accountText)) report('accountNo', '账号应为 8–32 位数字');
    else if (bank !== null) {
      const problem = accountProblem(bank, accountText);
      if (problem !== null) report('accountNo', problem);
    }
  }
  const basis = required('basis');
  if (basis !== null && [...basis].length > 200) report('basis', '依据文号/说明至多200个字');

  if (
    issues.length > 0 ||
    program === null ||
    level === null ||
    schedule === null ||
    amountFen === null ||
    startMonth === null ||
    lastPaidMonth === null ||
    payeeIdNumber === null ||
    accountKind === null ||
    bank === null ||
    accountText === null ||
    basis === null
  ) {
    return { issues };
  }
  return {
    recipient: {
      row,
      program,
      level,
      schedule,
      idNumber,
      householdNo,
      amountFen,
      startMonth,
      lastPaidMonth,
      payeeIdNumber,
      accountKind,
      bankCode: bank.code,
      bankName: bank.name,
      accountNo: accountText,
      basis,
    },
  };
}
