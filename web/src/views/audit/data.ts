import type { AuditRow } from '../../api/types.ts';
import type { Column } from '../../utils/columns.ts';
import { formatDateTime } from '../../utils/format.ts';

/**
 * Audit actions (src/audit/actions.ts) in Chinese, for the filter; rows carry the server's own `actionName`.
 */
export const ACTION_NAMES: Record<string, string> = {
  'auth.login': '登录成功',
  'auth.login_failed': '登录失败',
  'auth.locked': '账号锁定',
  'auth.logout': '退出登录',
  'auth.password_changed': '修改密码',
  'user.created': '新建用户',
  'user.password_reset': '重置密码',
  'user.updated': '修改用户',
  'person.unmask': '查看完整身份证号/电话',
  'person.created': '新增人员',
  'person.updated': '修改人员',
  'household.created': '新建家庭户',
  'household.updated': '修改家庭户',
  'household.member_added': '家庭成员迁入',
  'household.member_ended': '家庭成员迁出',
  'household.member_moved': '家庭成员转户',
  'household.head_changed': '变更户主',
  'registry.import': '台账导入',
  'registry.export': '台账导出',
  'demo.seeded': '生成演示数据',
  'system.initialised': '系统初始化',
};

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
