import { describe, expect, it } from 'vitest';
import {
  AccessDeclarationError,
  combineAccess,
  defineModuleAccess,
  menusFor,
  type ModuleAccess,
} from './access.ts';
import { platformAccess } from './platform.access.ts';
import {
  divisionRuleOf,
  hasPermission,
  isRole,
  JOB_RUNNER,
  levelsOf,
  mayAct,
  menusOf,
  OPERATOR,
  permissionName,
  permissionsOf,
  roleFitsDivision,
  roleList,
  ROLES,
  scopeOf,
  systemActorName,
  type ActorRole,
} from './roles.ts';

const menuIds = (role: ActorRole) => menusOf(role).map((menu) => menu.id);

describe('roles', () => {
  it('gives the menus of the contract', () => {
    expect(menuIds('admin')).toEqual([
      'dashboard',
      'tasks',
      'statistics',
      'persons',
      'households',
      'transfers',
      'cases',
      'online-applications',
      'verifications',
      'entitlements',
      'payroll',
      'payroll-recoveries',
      'payroll-onboarding',
      'findings',
      'adviser-caseload',
      'adviser-assignments',
      'relatives',
      'import',
      'calculator',
      'parameters',
      'calendar',
      'simulate',
      'jobs',
      'audit',
      'users',
      'backup',
    ]);
    expect(menuIds('finance_officer')).toEqual([
      'dashboard',
      'statistics',
      'entitlements',
      'payroll',
      'payroll-recoveries',
      'payroll-onboarding',
      'findings',
      'relatives',
      'calculator',
      'parameters',
      'calendar',
      'simulate',
    ]);
    expect(menuIds('auditor')).toEqual([
      'dashboard',
      'tasks',
      'statistics',
      'persons',
      'households',
      'transfers',
      'cases',
      'verifications',
      'entitlements',
      'payroll',
      'payroll-recoveries',
      'findings',
      'adviser-assignments',
      'relatives',
      'calculator',
      'parameters',
      'calendar',
      'simulate',
      'jobs',
      'audit',
    ]);
    expect(menuIds('committee_assistant')).toContain('import');
    expect(menuIds('district_approver')).not.toContain('import');
  });

  it('gives every role its menus, in order, with the Chinese title and the console path', () => {
    expect(Object.fromEntries(roleList.map((role) => [role, menuIds(role)]))).toEqual({
      committee_assistant: [
        'dashboard',
        'tasks',
        'statistics',
        'persons',
        'households',
        'transfers',
        'cases',
        'relatives',
        'import',
        'calculator',
        'parameters',
        'calendar',
        'jobs',
      ],
      street_caseworker: [
        'dashboard',
        'tasks',
        'statistics',
        'persons',
        'households',
        'transfers',
        'cases',
        'online-applications',
        'verifications',
        'entitlements',
        'adviser-assignments',
        'relatives',
        'import',
        'calculator',
        'parameters',
        'calendar',
        'jobs',
      ],
      district_approver: [
        'dashboard',
        'tasks',
        'statistics',
        'persons',
        'households',
        'transfers',
        'cases',
        'verifications',
        'entitlements',
        'payroll',
        'payroll-recoveries',
        'findings',
        'adviser-assignments',
        'relatives',
        'calculator',
        'parameters',
        'calendar',
        'simulate',
      ],
      verification_officer: [
        'dashboard',
        'statistics',
        'persons',
        'households',
        'transfers',
        'verifications',
        'relatives',
        'calculator',
        'parameters',
        'calendar',
      ],
      finance_officer: [
        'dashboard',
        'statistics',
        'entitlements',
        'payroll',
        'payroll-recoveries',
        'payroll-onboarding',
        'findings',
        'relatives',
        'calculator',
        'parameters',
        'calendar',
        'simulate',
      ],
      auditor: [
        'dashboard',
        'tasks',
        'statistics',
        'persons',
        'households',
        'transfers',
        'cases',
        'verifications',
        'entitlements',
        'payroll',
        'payroll-recoveries',
        'findings',
        'adviser-assignments',
        'relatives',
        'calculator',
        'parameters',
        'calendar',
        'simulate',
        'jobs',
        'audit',
      ],
      admin: [
        'dashboard',
        'tasks',
        'statistics',
        'persons',
        'households',
        'transfers',
        'cases',
        'online-applications',
        'verifications',
        'entitlements',
        'payroll',
        'payroll-recoveries',
        'payroll-onboarding',
        'findings',
        'adviser-caseload',
        'adviser-assignments',
        'relatives',
        'import',
        'calculator',
        'parameters',
        'calendar',
        'simulate',
        'jobs',
        'audit',
        'users',
        'backup',
      ],
      assistance_adviser: [
        'dashboard',
        'tasks',
        'statistics',
        'persons',
        'households',
        'transfers',
        'adviser-caseload',
        'calculator',
        'parameters',
        'calendar',
      ],
      policy_officer: ['dashboard', 'statistics', 'calculator', 'parameters', 'calendar'],
    });
    expect(menusOf('admin').map(({ title, path }) => `${title} ${path}`)).toEqual([
      '首页 /dashboard',
      '待办 /tasks',
      '统计报表 /statistics',
      '人口信息 /persons',
      '家庭户 /households',
      '跨区迁移 /transfers',
      '救助申请 /cases',
      '网上申请（待匹配） /online-applications',
      '核对委托 /verifications',
      '救助待遇 /entitlements',
      '发放管理 /payroll',
      '追缴 /payroll/recoveries',
      '在保对象导入 /payroll/onboarding',
      '内控发现 /findings',
      '我的救助对象 /advisers',
      '救助顾问 /advisers/assignments',
      '近亲属备案 /relatives',
      '台账导入 /import',
      '政策计算器 /calculator',
      '政策参数 /parameters',
      '工作日历 /calendar',
      '政策测算 /simulate',
      '任务 /jobs',
      '审计日志 /audit',
      '用户管理 /users',
      '系统备份 /backup',
    ]);
  });

  it('names every role and permission in Chinese', () => {
    expect(ROLES).toEqual({
      committee_assistant: '居委会助理员',
      street_caseworker: '街道经办人',
      district_approver: '区审批人',
      verification_officer: '核对员',
      finance_officer: '财务人员',
      auditor: '审计员',
      admin: '系统管理员',
      assistance_adviser: '社区救助顾问',
      policy_officer: '政策管理员',
    });
    for (const permission of permissionsOf('admin')) {
      expect(permissionName(permission)).toMatch(/[\u4e00-\u9fff]/);
    }
    // @ts-expect-error: permissions are a closed union, checked by the compiler
    expect(() => hasPermission('admin', 'registry.veiw')).not.toThrow();
  });

  it('unmask is for caseworkers, approvers, verification officers and admins only', () => {
    const can = roleList.filter((role) => hasPermission(role, 'person.unmask'));
    expect(can.sort()).toEqual(['admin', 'district_approver', 'street_caseworker', 'verification_officer']);
  });

  it('the auditor reads and writes nothing beyond reading', () => {
    const writes = permissionsOf('auditor').filter((p) =>
      ['registry.write', 'registry.import', 'person.unmask', 'users.manage'].includes(p),
    );
    expect(writes).toEqual([]);
  });

  it('every user, the auditor included, is bound to their division; the city code 310000 sees the whole city', () => {
    for (const role of roleList) {
      expect(scopeOf({ role, divisionCode: '310110012' })).toEqual({ kind: 'division', code: '310110012' });
    }
    expect(scopeOf({ role: 'auditor', divisionCode: '310110' })).toEqual({
      kind: 'division',
      code: '310110',
    });
    expect(scopeOf({ role: 'auditor', divisionCode: '310000' })).toEqual({ kind: 'all' });
    expect(scopeOf({ role: 'admin', divisionCode: '310000' })).toEqual({ kind: 'all' });
  });
});

describe('the system actor of automatic steps', () => {
  it('is a named actor of the system role, which signs in nowhere and has no menu', () => {
    expect(JOB_RUNNER).toEqual({ userId: 'system:job-runner', role: 'system', name: '系统（自动任务）' });
    expect(systemActorName('system:job-runner')).toBe('系统（自动任务）');
    expect(systemActorName('cli:root')).toBeUndefined();
    expect(isRole('system')).toBe(false);
    expect(roleList).not.toContain('system');
    expect(menusOf('system')).toEqual([]);
  });

  it('holds exactly the permissions granted to it: audit checkpoints, backups, verification steps, entitlement changes, online applications, the payroll computation and life events', () => {
    expect(permissionsOf('system')).toEqual([
      'audit.view',
      'system.backup',
      'verification.request',
      'verification.view',
      'verification.recheck',
      'entitlements.view',
      'entitlements.change',
      'cases.view',
      'cases.intake',
      'payroll.view',
      'payroll.prepare',
      'findings.view',
      'events.view',
      'events.manage',
    ]);
    expect(hasPermission('system', 'verification.raw')).toBe(false);
    expect(hasPermission('system', 'person.unmask')).toBe(false);
    expect(hasPermission('system', 'users.manage')).toBe(false);
  });
});

describe('module access declarations', () => {
  // What src/verification/ will declare: its permissions, a role of its own, grants to the platform's
  // roles and the system, and its menus, without touching the platform's declaration.
  const verification = defineModuleAccess({
    module: '核对',
    permissions: { 'verification.request': '发起核对', 'verification.review': '审阅核对报告' },
    roles: {
      assessor: {
        name: '评估员',
        levels: ['district'],
        permissions: ['registry.view', 'verification.review'],
      },
    },
    grants: {
      verification_officer: ['verification.request', 'verification.review'],
      system: ['verification.request'],
    },
    menus: [
      {
        id: 'verification',
        title: '核对申请',
        path: '/verification',
        anyOf: ['verification.request'],
        order: 95,
        group: '核对',
      },
      {
        id: 'verification-reports',
        title: '核对报告',
        path: '/verification/reports',
        anyOf: ['verification.review'],
        order: 96,
        group: '核对',
      },
    ],
  });

  it('a module adds a role, permissions, grants and menus to the platform', () => {
    const access = combineAccess([platformAccess, verification]);
    expect(access.roles.get('assessor')).toEqual({ name: '评估员', levels: ['district'] });
    expect(access.rolePermissions.get('assessor')).toEqual(['registry.view', 'verification.review']);
    expect(menusFor(access, 'assessor')).toEqual([
      { id: 'persons', title: '人口信息', path: '/persons' },
      { id: 'households', title: '家庭户', path: '/households' },
      { id: 'transfers', title: '跨区迁移', path: '/transfers' },
      { id: 'calendar', title: '工作日历', path: '/calendar' },
      { id: 'verification-reports', title: '核对报告', path: '/verification/reports', group: '核对' },
    ]);
    expect(menusFor(access, 'verification_officer').map((menu) => menu.id)).toEqual([
      'dashboard',
      'persons',
      'households',
      'transfers',
      'calculator',
      'parameters',
      'calendar',
      'verification',
      'verification-reports',
    ]);
    expect(access.rolePermissions.get('system')).toEqual([
      'audit.view',
      'system.backup',
      'verification.request',
    ]);
    expect(menusFor(access, 'system')).toEqual([]);
    // The platform alone is unchanged.
    expect(combineAccess([platformAccess]).rolePermissions.get('verification_officer')).toEqual(
      permissionsOf('verification_officer').filter(
        (p) => !p.startsWith('verification.') && !p.startsWith('relatives.'),
      ),
    );
  });

  const refused = (module: ModuleAccess, message: RegExp) => {
    expect(() => combineAccess([platformAccess, module])).toThrow(AccessDeclarationError);
    expect(() => combineAccess([platformAccess, module])).toThrow(message);
  };

  it('refuses a declaration that does not fit the others, naming the module', () => {
    refused(
      defineModuleAccess({ module: '甲', permissions: { 'audit.view': '重复' } }),
      /甲.*权限 audit\.view 已由其他模块声明/,
    );
    refused(
      defineModuleAccess({
        module: '乙',
        permissions: {},
        roles: { admin: { name: '重复', levels: ['city'], permissions: [] } },
      }),
      /角色 admin 已由其他模块声明/,
    );
    refused(
      defineModuleAccess({
        module: '丙',
        permissions: {},
        roles: { system: { name: '系统', levels: ['city'], permissions: [] } },
      }),
      /system 是系统角色/,
    );
    refused(
      defineModuleAccess({
        module: '丁',
        permissions: {},
        roles: { nobody: { name: '无层级', levels: [], permissions: [] } },
      }),
      /须至少属于一个区划层级/,
    );
    refused(
      defineModuleAccess({
        module: '戊',
        permissions: {},
        roles: { typo: { name: '错字', levels: ['district'], permissions: ['registry.veiw'] } },
      }),
      /未声明的权限 registry\.veiw/,
    );
    refused(
      defineModuleAccess({ module: '己', permissions: { 'x.do': '做' }, grants: { nobody: ['x.do'] } }),
      /未声明的角色 nobody/,
    );
    refused(
      { module: '庚', permissions: { 'x.do': '做' }, grants: { admin: ['registry.view'] } },
      /只能授出本模块的权限/,
    );
    refused(
      defineModuleAccess({
        module: '辛',
        permissions: {},
        menus: [{ id: 'audit', title: '重复', path: '/x', anyOf: [], order: 1 }],
      }),
      /菜单 audit 已由其他模块声明/,
    );
    refused(
      defineModuleAccess({
        module: '壬',
        permissions: {},
        menus: [{ id: 'x', title: '同序', path: '/x', anyOf: [], order: 10 }],
      }),
      /与 dashboard 的顺序号相同/,
    );
    refused(
      defineModuleAccess({
        module: '癸',
        permissions: {},
        menus: [{ id: 'x', title: '错字', path: '/x', anyOf: ['audit.veiw'], order: 1 }],
      }),
      /菜单 x 引用了未声明的权限 audit\.veiw/,
    );
    refused(
      defineModuleAccess({
        module: '子',
        permissions: {},
        systemActors: { 'system:job-runner': '重复' },
      }),
      /系统操作人 system:job-runner 已由其他模块声明/,
    );
  });
});

describe('role → division levels', () => {
  it('lists the levels each role may be bound to', () => {
    expect(Object.fromEntries(roleList.map((role) => [role, levelsOf(role)]))).toEqual({
      committee_assistant: ['committee'],
      street_caseworker: ['street'],
      district_approver: ['district'],
      verification_officer: ['district'],
      finance_officer: ['district'],
      auditor: ['district', 'city'],
      admin: ['district', 'city'],
      assistance_adviser: ['street', 'committee'],
      policy_officer: ['district', 'city'],
    });
  });

  it('a role fits only a division of its levels', () => {
    const cases: [Parameters<typeof roleFitsDivision>[0], string, boolean][] = [
      ['committee_assistant', '310110012001', true],
      ['committee_assistant', '310110012', false],
      ['committee_assistant', '310110', false],
      ['street_caseworker', '310110012', true],
      ['street_caseworker', '310110012001', false],
      ['street_caseworker', '310110', false],
      ['district_approver', '310110', true],
      ['district_approver', '310000', false],
      ['district_approver', '310110012', false],
      ['verification_officer', '310110', true],
      ['verification_officer', '310000', false],
      ['finance_officer', '310110', true],
      ['finance_officer', '310110012001', false],
      ['auditor', '310110', true],
      ['auditor', '310000', true],
      ['auditor', '310110012', false],
      ['admin', '310110', true],
      ['admin', '310000', true],
      ['admin', '310110012001', false],
    ];
    for (const [role, code, fits] of cases)
      expect(roleFitsDivision(role, code), `${role} ${code}`).toBe(fits);
  });

  it('says in Chinese which division a role needs', () => {
    expect(divisionRuleOf('committee_assistant')).toBe('居委会助理员须属于居委会/村委会（12 位区划代码）');
    expect(divisionRuleOf('auditor')).toBe('审计员须属于区（6 位区划代码）或全市（310000）');
  });
});

describe('mayAct', () => {
  it('checks the system actor like any role, and lets only the command-line operator do everything', () => {
    expect(mayAct('system', 'system.backup')).toBe(true);
    expect(mayAct('system', 'registry.write')).toBe(false);
    expect(mayAct('street_caseworker', 'registry.write')).toBe(true);
    expect(mayAct('finance_officer', 'registry.write')).toBe(false);
    expect(mayAct(OPERATOR, 'registry.write')).toBe(true);
    expect(mayAct(OPERATOR, 'users.manage')).toBe(true);
  });
});
