import type { AuditRow } from '../../api/types.ts';
import type { Column } from '../../utils/columns.ts';
import { formatDateTime } from '../../utils/format.ts';
import { AUDIT_ACTIONS } from '../../../../src/audit/actions.ts';

// The server's closed list of audited actions, shared as is: one place names them in Chinese.
const ACTION_NAMES: Record<string, string> = AUDIT_ACTIONS;

export const ACTION_OPTIONS = Object.entries(ACTION_NAMES).map(([value, label]) => ({ value, label }));

export const auditColumns: Column<AuditRow>[] = [
  { prop: 'id', label: '序号', width: 80, align: 'right' },
  { prop: 'at', label: '时间', width: 170, formatter: (row) => formatDateTime(row.at) },
  {
    prop: 'actorId',
    label: '操作人编号',
    width: 140,
    ellipsis: true,
    formatter: (row) => row.actorId ?? '系统',
  },
  { prop: 'actorDivision', label: '所属区划', width: 120 },
  {
    prop: 'action',
    label: '操作',
    width: 170,
    formatter: (row) => row.actionName ?? ACTION_NAMES[row.action] ?? row.action,
  },
  { prop: 'entityType', label: '对象类型', width: 110 },
  { prop: 'entityId', label: '对象', width: 140, ellipsis: true },
  { prop: 'reason', label: '事由', minWidth: 200, ellipsis: true },
  { prop: 'requestId', label: '请求号', width: 140, ellipsis: true },
];

export const ENTITY_OPTIONS = [
  { value: 'person', label: '人员' },
  { value: 'household', label: '家庭户' },
  { value: 'user', label: '用户' },
  { value: 'registry', label: '台账' },
];
