import type { CreateUserRequest, RoleId, UserRow } from '../../api/types.ts';
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
};

export const ROLE_OPTIONS = (Object.keys(ROLE_NAMES) as RoleId[]).map((value) => ({
  value,
  label: ROLE_NAMES[value],
}));

export const userColumns: Column<UserRow>[] = [
  { prop: 'username', label: '用户名', width: 150 },
  { prop: 'displayName', label: '姓名', width: 130 },
  {
    prop: 'role',
    label: '角色',
    width: 130,
    formatter: (row) => row.roleName ?? ROLE_NAMES[row.role] ?? row.role,
  },
  { prop: 'divisionCode', label: '区划代码', width: 130 },
  { prop: 'divisionName', label: '所属区划', minWidth: 150 },
  { prop: 'locked', label: '状态', width: 150, slot: true },
  { prop: 'createdAt', label: '创建时间', width: 170, formatter: (row) => formatDateTime(row.createdAt) },
];

/** The create-user form: its fields and validation rules (Element Plus FormRules shape). */
export function newUserForm(): CreateUserRequest {
  return { username: '', displayName: '', role: 'committee_assistant', divisionCode: '' };
}

export const userFormRules = {
  username: [
    { required: true, message: '请输入用户名', trigger: 'blur' },
    { pattern: /^[a-z0-9_.-]{3,32}$/, message: '用户名为3–32位小写字母、数字或 _ . -', trigger: 'blur' },
  ],
  displayName: [{ required: true, message: '请输入姓名', trigger: 'blur' }],
  role: [{ required: true, message: '请选择角色', trigger: 'change' }],
  divisionCode: [
    { required: true, message: '请输入区划代码', trigger: 'blur' },
    {
      pattern: /^(\d{6}|\d{9}|\d{12})$/,
      message: '区划代码为6位（区）、9位（街道）或12位（居委会）',
      trigger: 'blur',
    },
  ],
};
