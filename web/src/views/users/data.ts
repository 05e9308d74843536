import type { CreateUserRequest, RoleId, UserRow } from '../../api/types.ts';
import type { UserLevel, UserStatus } from '../../api/users.ts';
import type { Column } from '../../utils/columns.ts';
import { formatDateTime } from '../../utils/format.ts';

export const ROLE_NAMES: Record<RoleId, string> = {
  committee_assistant: '居委会助理员',
  street_caseworker: '街道经办人',
  district_approver: '区审批人',
  verification_officer: '核对员',
  finance_officer: '财务人员',
  auditor: '审计员',
  admin: '系统管理员',
  assistance_adviser: '社区救助顾问',
  policy_officer: '政策管理员',
};

export const ROLE_OPTIONS = (Object.keys(ROLE_NAMES) as RoleId[]).map((value) => ({
  value,
  label: ROLE_NAMES[value],
}));

export const STATUS_OPTIONS: { value: UserStatus; label: string }[] = [
  { value: 'active', label: '正常' },
  { value: 'disabled', label: '已停用' },
  { value: 'locked', label: '已锁定' },
];

export const LEVEL_NAMES: Record<UserLevel, string> = {
  city: '全市',
  district: '区',
  street: '街道/镇',
  committee: '居委会/村委会',
};

/** The city's code for user accounts (the server's CITY_DIVISION_CODE). */
export const CITY_CODE = '310000';

export function levelOfCode(code: string): UserLevel | undefined {
  if (code === CITY_CODE) return 'city';
  return ({ 6: 'district', 9: 'street', 12: 'committee' } as const)[code.length as 6 | 9 | 12];
}

/** "须属于区或全市": the rule the server applies, shown beside the division picker. */
export function levelRule(levels: readonly UserLevel[]): string {
  return `须属于${levels.map((level) => LEVEL_NAMES[level]).join('或')}`;
}

/**
 * The cascader path from the administrator's own division (`root`) down to `code`: the city, then the
 * 6-, 9- and 12-digit prefixes below the root. Empty when `code` lies outside the root.
 */
export function divisionPath(root: string, code: string): string[] {
  if (!code) return [];
  if (root === CITY_CODE) {
    if (code === CITY_CODE) return [CITY_CODE];
    return [CITY_CODE, ...[6, 9, 12].filter((n) => n <= code.length).map((n) => code.slice(0, n))];
  }
  if (!code.startsWith(root)) return [];
  return [6, 9, 12].filter((n) => n >= root.length && n <= code.length).map((n) => code.slice(0, n));
}

export type StatusTag = { label: string; type: 'success' | 'info' | 'danger' };

/** 正常 / 已停用 / 已锁定, as the server's status filter counts them. */
export function statusOf(row: UserRow): StatusTag {
  if (row.disabled) return { label: '已停用', type: 'info' };
  if (row.locked) return { label: '已锁定', type: 'danger' };
  return { label: '正常', type: 'success' };
}

export const userColumns: Column<UserRow>[] = [
  { prop: 'username', label: '用户名', width: 130 },
  { prop: 'displayName', label: '姓名', width: 160 },
  {
    prop: 'role',
    label: '角色',
    width: 110,
    formatter: (row) => row.roleName ?? ROLE_NAMES[row.role],
  },
  { prop: 'divisionName', label: '所属区划', minWidth: 200, formatter: (row) => row.divisionName ?? '—' },
  { prop: 'locked', label: '状态', width: 130, slot: true },
  { prop: 'createdAt', label: '创建时间', width: 170, formatter: (row) => formatDateTime(row.createdAt) },
];

export function newUserForm(): CreateUserRequest {
  return { username: '', displayName: '', role: 'committee_assistant', divisionCode: '' };
}

export const userFormRules = {
  username: [
    { required: true, message: '请输入用户名', trigger: 'blur' },
    {
      pattern: /^[a-z][a-z0-9_.-]{2,31}$/,
      message: '用户名为 3–32 位小写字母、数字或 _ . -，以字母开头',
      trigger: 'blur',
    },
  ],
  displayName: [{ required: true, message: '请输入姓名', trigger: 'blur' }],
  role: [{ required: true, message: '请选择角色', trigger: 'change' }],
  divisionCode: [{ required: true, message: '请选择所属区划', trigger: 'change' }],
};

/** A reason typed into a confirmation: at least two characters one can see (the server counts the same way). */
export function reasonProblem(value: string | null | undefined): string | undefined {
  const visible = (value ?? '').replace(/[\s\u200b-\u200f\u2060\ufeff]/g, '');
  return visible.length >= 2 ? undefined : '请填写原因（至少 2 个字）';
}
