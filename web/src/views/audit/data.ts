import type { AuditRow } from '../../api/audit.ts';
import type { Column } from '../../utils/columns.ts';
import { formatDateTime } from '../../utils/format.ts';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from '../../../../src/audit/actions.ts';

/** The city level's division code: its readers see every district's rows. */
export const CITY = '310000';

// The server's closed lists of audited actions and record kinds, shared as they are: one place names them.
export const ACTION_OPTIONS = Object.entries(AUDIT_ACTIONS).map(([value, label]) => ({ value, label }));
export const ENTITY_OPTIONS = Object.entries(AUDIT_ENTITY_TYPES).map(([value, label]) => ({ value, label }));

// The fixed widths and the minimum widths add up to less than the card beside the menu at 1440 px; the text
// columns share what is left and cut long text with an ellipsis (the full text in a tooltip and the drawer).
export const auditColumns: Column<AuditRow>[] = [
  { prop: 'id', label: '序号', width: 72, align: 'right' },
  { prop: 'at', label: '时间', width: 158, formatter: (row) => formatDateTime(row.at) },
  { prop: 'actorName', label: '操作人', minWidth: 170, ellipsis: true },
  { prop: 'districtName', label: '所属区', width: 92, ellipsis: true },
  { prop: 'actionName', label: '操作', minWidth: 150, ellipsis: true },
  { prop: 'entityLabel', label: '对象', minWidth: 230, ellipsis: true, formatter: recordText },
  { prop: 'reason', label: '事由', minWidth: 150, ellipsis: true },
];

/** The record as one phrase: its kind, then what identifies it (人员：张三（3101**…）). */
export function recordText(row: Pick<AuditRow, 'entityTypeName' | 'entityLabel'>): string {
  return row.entityLabel ? `${row.entityTypeName}：${row.entityLabel}` : row.entityTypeName;
}

/** Field names of the snapshots, as staff call them (unknown fields keep their name). */
const FIELD_NAMES: Record<string, string> = {
  name: '姓名',
  idNumber: '身份证号',
  phone: '电话',
  sex: '性别',
  birthDate: '出生日期',
  deathDate: '死亡日期',
  ethnicity: '民族',
  maritalStatus: '婚姻状况',
  address: '地址',
  householdNo: '户编号',
  householdId: '家庭户编号',
  personId: '人员编号',
  headName: '户主姓名',
  committeeCode: '居委会',
  districtCode: '区',
  residenceDivisionCode: '居住地',
  hukouDivisionCode: '户籍地',
  relationCode: '与户主关系',
  validFrom: '起始日期',
  validTo: '终止日期',
  endReason: '终止原因',
  categories: '救助类别',
  disabilityCategory: '残疾类别',
  disabilityGrade: '残疾等级',
  username: '用户名',
  displayName: '姓名',
  role: '角色',
  divisionCode: '所属区划',
  mustChangePassword: '须修改密码',
  disabled: '已停用',
  lockedUntil: '锁定至',
  failedAttempts: '连续失败次数',
  expiresAt: '会话到期',
  reason: '原因',
  fields: '查看的字段',
  query: '查询条件',
  scope: '数据范围',
  households: '户数',
  persons: '人数',
  masked: '已脱敏',
  file: '文件',
  counts: '条数',
  districts: '涉及的区',
  filters: '筛选条件',
  rows: '行数',
  count: '条数',
  lastId: '末条序号',
  lastHash: '末条哈希',
  keyId: '密钥编号',
  seed: '随机种子',
};

export interface FieldChange {
  field: string;
  before: string;
  after: string;
  changed: boolean;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function shown(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'string' && INSTANT.test(value)) return formatDateTime(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function fieldsOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Before and after side by side, one line per field, changed fields first. */
export function fieldChanges(row: Pick<AuditRow, 'before' | 'after'>): FieldChange[] {
  const before = fieldsOf(row.before);
  const after = fieldsOf(row.after);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .map((key) => {
      const [b, a] = [shown(before[key]), shown(after[key])];
      return { field: FIELD_NAMES[key] ?? key, before: b, after: a, changed: b !== a };
    })
    .sort((x, y) => Number(y.changed) - Number(x.changed));
}
