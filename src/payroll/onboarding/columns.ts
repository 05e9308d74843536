/**
 * 在保对象导入 (going live): the columns of the template, one row per entitlement. The reader, the template,
 * its 说明 sheet and docs/payroll-onboarding.md all come from this list, so they cannot drift apart.
 */
import { PROGRAMS } from '../../policy/index.ts';
import { PROGRAM_SCHEDULES, SCHEDULE_NAMES } from '../../entitlements/schedules.ts';

export type RecipientColumnKey =
  | 'idNumber'
  | 'householdNo'
  | 'program'
  | 'amount'
  | 'schedule'
  | 'startMonth'
  | 'lastPaidMonth'
  | 'payeeIdNumber'
  | 'accountKind'
  | 'bankName'
  | 'accountNo'
  | 'basis';

export interface RecipientColumn {
  readonly key: RecipientColumnKey;
  readonly header: string;
  readonly required: boolean;
  readonly width: number;
  /** Written as text in the template (ID numbers, account numbers, months keep their digits). */
  readonly text: boolean;
  readonly example: string;
  readonly note: string;
}

/** Programs that can be imported: those paid monthly or quarterly (a one-off grant has nothing to go on). */
export const IMPORTABLE_PROGRAMS = Object.values(PROGRAMS).filter((p) => {
  const schedule = PROGRAM_SCHEDULES[p.code].schedule;
  return schedule === 'monthly' || schedule === 'quarterly';
});

export const ACCOUNT_KIND_NAMES = { bank: '银行卡', social_security_card: '社保卡' } as const;
export type AccountKind = keyof typeof ACCOUNT_KIND_NAMES;

const c = (
  key: RecipientColumnKey,
  header: string,
  o: { required?: boolean; width?: number; text?: boolean; example: string; note: string },
): RecipientColumn => ({
  key,
  header,
  required: o.required ?? false,
  width: o.width ?? 14,
  text: o.text ?? true,
  example: o.example,
  note: o.note,
});

export const RECIPIENT_COLUMNS: readonly RecipientColumn[] = [
  c('idNumber', '人员身份证号', {
    width: 22,
    example: '310110195501019919',
    note: '按人发放的项目必填：受益人的18位身份证号（文本格式），须已在本区人口信息库登记；按户发放的项目可填户内一名成员的身份证号代替户编号',
  }),
  c('householdNo', '户编号', {
    width: 14,
    example: '',
    note: '按户发放的项目填户编号（或填“人员身份证号”）；须为本区已登记且在您数据范围内的户',
  }),
  c('program', '项目', {
    required: true,
    width: 18,
    text: false,
    example: PROGRAMS.tekun.name,
    note: `项目名称（或代码）：${IMPORTABLE_PROGRAMS.map((p) => `${p.name}（${p.level === 'household' ? '按户' : '按人'}，${SCHEDULE_NAMES[PROGRAM_SCHEDULES[p.code].schedule!]}）`).join('、')}`,
  }),
  c('amount', '月金额（元）', {
    required: true,
    text: false,
    example: '2000.00',
    note: '每月金额，以元为单位，至多两位小数，须大于0（按季发放的项目也填每月金额）',
  }),
  c('schedule', '发放周期', {
    width: 10,
    text: false,
    example: '按月',
    note: '按月/按季；可不填，由项目决定；填写时须与项目一致',
  }),
  c('startMonth', '起始月份', {
    required: true,
    width: 10,
    example: '2025-01',
    note: 'YYYY-MM：待遇开始发放的月份，不得晚于本月',
  }),
  c('lastPaidMonth', '已发放至月份', {
    required: true,
    width: 12,
    example: '2026-10',
    note: 'YYYY-MM：上线前最后一个已发放的月份（含）；不得早于起始月份的上一个月（表示一个月也未发放），不得晚于本月；按季发放的项目须为季末月份（3、6、9、12月）或起始月份的上一个月，可为本季度末；系统在每季度首月发放该季度，本季度首月以后导入的，本季度须已在原系统发放。系统从其下一个月起发放',
  }),
  c('payeeIdNumber', '收款人身份证号', {
    required: true,
    width: 22,
    example: '310110195501019919',
    note: '须已在本区登记、健在、年满18周岁：按户发放的为本户成员；按人发放的为本人（成年）或其监护人',
  }),
  c('accountKind', '账户类型', {
    required: true,
    width: 10,
    text: false,
    example: '银行卡',
    note: '银行卡 或 社保卡（社会保障卡金融账户）',
  }),
  c('bankName', '开户行', {
    required: true,
    width: 18,
    text: false,
    example: '上海农商银行',
    note: '代发银行目录中的银行名称或简称（如 上海农商银行、上海银行、中国工商银行、工行），可带分行、支行',
  }),
  c('accountNo', '账号', {
    required: true,
    width: 24,
    example: '6228480000000000018',
    note: '8–32位数字（文本格式），须为该银行发行的账号长度；银行卡（16–19位）须通过卡号校验位检查',
  }),
  c('basis', '依据文号/说明', {
    required: true,
    width: 30,
    text: false,
    example: '杨民〔2025〕12号 特困人员供养审批表',
    note: '原审批依据（批准文号或审批表）或说明，至多200个字；写入待遇变动记录',
  }),
];

export const RECIPIENT_HEADERS: readonly string[] = RECIPIENT_COLUMNS.map((col) => col.header);

export const RECIPIENT_COLUMN: Readonly<Record<RecipientColumnKey, RecipientColumn>> = Object.fromEntries(
  RECIPIENT_COLUMNS.map((col) => [col.key, col]),
) as Record<RecipientColumnKey, RecipientColumn>;
