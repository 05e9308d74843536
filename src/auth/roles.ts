import { divisionScope, userLevelOf, type DataScope, type UserLevel } from './scope.ts';

/** The seven roles of the contract; a user has exactly one. */
export const ROLES = {
  committee_assistant: '居委会助理员',
  street_caseworker: '街道经办人',
  district_approver: '区审批人',
  verification_officer: '核对员',
  finance_officer: '财务人员',
  auditor: '审计员',
  admin: '系统管理员',
} as const;

export type Role = keyof typeof ROLES;
export const roleList = Object.keys(ROLES) as [Role, ...Role[]];

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLES, value);
}

export const PERMISSIONS = [
  'registry.view',
  'person.unmask',
  'registry.write',
  'registry.import',
  'registry.export',
  'facts.write',
  'facts.correct',
  'statistics.view',
  'policy.calculate',
  'policy.view',
  'policy.simulate',
  'audit.view',
  'users.manage',
  'calendar.manage',
  'system.backup',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const everyone: readonly Permission[] = ['statistics.view', 'policy.calculate', 'policy.view'];

/**
 * Role → permissions. Finance staff pay out entitlements and do not browse the registry; the auditor reads
 * its division (a district or the city) but writes nothing and unmasks nothing; unmasking is for those who
 * must contact or verify a person (street caseworkers, approvers, verification officers, administrators).
 */
const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  committee_assistant: [
    ...everyone,
    'registry.view',
    'registry.write',
    'registry.import',
    'registry.export',
    'facts.write',
  ],
  street_caseworker: [
    ...everyone,
    'registry.view',
    'person.unmask',
    'registry.write',
    'registry.import',
    'registry.export',
    'facts.write',
    'facts.correct',
  ],
  // Approvers record determinations (认定: special categories); verification officers record 核对 figures.
  district_approver: [
    ...everyone,
    'registry.view',
    'person.unmask',
    'registry.export',
    'policy.simulate',
    'facts.write',
    'facts.correct',
  ],
  verification_officer: [...everyone, 'registry.view', 'person.unmask', 'facts.write', 'facts.correct'],
  finance_officer: [...everyone, 'policy.simulate'],
  auditor: [...everyone, 'registry.view', 'audit.view', 'policy.simulate'],
  admin: [
    ...everyone,
    'registry.view',
    'person.unmask',
    'registry.write',
    'registry.import',
    'registry.export',
    'facts.write',
    'facts.correct',
    'audit.view',
    'users.manage',
    'calendar.manage',
    'policy.simulate',
    'system.backup',
  ],
};

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export const MENUS = [
  'dashboard',
  'persons',
  'households',
  'transfers',
  'import',
  'calculator',
  'parameters',
  'calendar',
  'simulate',
  'jobs',
  'audit',
  'users',
  'backup',
] as const;
export type Menu = (typeof MENUS)[number];

/** The console shows exactly these menus (contract: "Menus by role"), derived from the permissions. */
export function menusOf(role: Role): Menu[] {
  const can = (permission: Permission) => hasPermission(role, permission);
  const menus: Menu[] = ['dashboard'];
  if (can('registry.view')) menus.push('persons', 'households', 'transfers');
  if (can('registry.import')) menus.push('import');
  menus.push('calculator', 'parameters', 'calendar');
  if (can('policy.simulate')) menus.push('simulate');
  // 任务: the kinds of job a role may see are imports and audit checkpoints so far (src/jobs/kinds).
  if (can('registry.import') || can('audit.view')) menus.push('jobs');
  if (can('audit.view')) menus.push('audit');
  if (can('users.manage')) menus.push('users');
  if (can('system.backup')) menus.push('backup');
  return menus;
}

/**
 * Role → the division levels a user of that role may be bound to. A 居委会 assistant works in one
 * committee, a caseworker in one street; approval, verification and payment are district work; auditors
 * and administrators serve a district or the whole city (the city bureau).
 */
const ROLE_LEVELS: Record<Role, readonly UserLevel[]> = {
  committee_assistant: ['committee'],
  street_caseworker: ['street'],
  district_approver: ['district'],
  verification_officer: ['district'],
  finance_officer: ['district'],
  auditor: ['district', 'city'],
  admin: ['district', 'city'],
};

export function levelsOf(role: Role): readonly UserLevel[] {
  return ROLE_LEVELS[role];
}

export function roleFitsDivision(role: Role, divisionCode: string): boolean {
  const level = userLevelOf(divisionCode);
  return level !== undefined && ROLE_LEVELS[role].includes(level);
}

const LEVEL_RULES: Record<UserLevel, string> = {
  city: '全市（310000）',
  district: '区（6 位区划代码）',
  street: '街道/镇（9 位区划代码）',
  committee: '居委会/村委会（12 位区划代码）',
};

/** The rule in words, for the message that refuses a misfit: "街道经办人须属于街道/镇（9 位区划代码）". */
export function divisionRuleOf(role: Role): string {
  return `${ROLES[role]}须属于${ROLE_LEVELS[role].map((level) => LEVEL_RULES[level]).join('或')}`;
}

/** The people a user may see: their own division and below, the whole city for a city-level user. */
export function scopeOf(user: { role: Role; divisionCode: string }): DataScope {
  return divisionScope(user.divisionCode);
}
