import { defineModuleAccess } from './access.ts';

/** Every staff role reads the statistics, calculates and reads the parameters. */
const everyone = ['statistics.view', 'policy.calculate', 'policy.view'];

/**
 * The platform's own access (人口信息库、政策计算、审计、用户、工作日历、任务、备份): the seven roles of the
 * contract, their permissions and the console's menus. Finance staff pay out entitlements and do not
 * browse the registry; the auditor reads its division (a district or the city) but writes nothing and
 * unmasks nothing; unmasking is for those who must contact or verify a person (street caseworkers,
 * approvers, verification officers, administrators). Approvers record determinations (认定: special
 * categories); verification officers record 核对 figures.
 */
export const platformAccess = defineModuleAccess({
  module: '平台',
  permissions: {
    'registry.view': '查看人口信息与家庭户（脱敏）',
    'person.unmask': '查看完整身份证号与电话（记入审计）',
    'registry.write': '登记变更（出生、死亡、迁入迁出、关系与更正）',
    'registry.import': '台账导入',
    'registry.export': '导出台账',
    'facts.write': '登记经济状况事实',
    'facts.correct': '更正经济状况事实',
    'statistics.view': '查看统计',
    'policy.calculate': '政策计算',
    'policy.view': '查看政策参数',
    'policy.simulate': '政策测算',
    'audit.view': '查看审计日志',
    'users.manage': '管理用户',
    'calendar.manage': '维护工作日历',
    'system.backup': '系统备份',
  },
  roles: {
    committee_assistant: {
      name: '居委会助理员',
      levels: ['committee'],
      permissions: [
        ...everyone,
        'registry.view',
        'registry.write',
        'registry.import',
        'registry.export',
        'facts.write',
      ],
    },
    street_caseworker: {
      name: '街道经办人',
      levels: ['street'],
      permissions: [
        ...everyone,
        'registry.view',
        'person.unmask',
        'registry.write',
        'registry.import',
        'registry.export',
        'facts.write',
        'facts.correct',
      ],
    },
    district_approver: {
      name: '区审批人',
      levels: ['district'],
      permissions: [
        ...everyone,
        'registry.view',
        'person.unmask',
        'registry.export',
        'policy.simulate',
        'facts.write',
        'facts.correct',
      ],
    },
    verification_officer: {
      name: '核对员',
      levels: ['district'],
      permissions: [...everyone, 'registry.view', 'person.unmask', 'facts.write', 'facts.correct'],
    },
    finance_officer: {
      name: '财务人员',
      levels: ['district'],
      permissions: [...everyone, 'policy.simulate'],
    },
    auditor: {
      name: '审计员',
      levels: ['district', 'city'],
      permissions: [...everyone, 'registry.view', 'audit.view', 'policy.simulate'],
    },
    admin: {
      name: '系统管理员',
      levels: ['district', 'city'],
      permissions: [
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
    },
  },
  // Scheduled work: signing audit checkpoints reads the audit chain; the nightly backup copies the store.
  grants: { system: ['audit.view', 'system.backup'] },
  systemActors: { 'system:job-runner': '系统（自动任务）' },
  menus: [
    { id: 'dashboard', title: '首页', path: '/dashboard', anyOf: ['statistics.view'], order: 10 },
    { id: 'persons', title: '人口信息', path: '/persons', anyOf: ['registry.view'], order: 20 },
    { id: 'households', title: '家庭户', path: '/households', anyOf: ['registry.view'], order: 30 },
    { id: 'transfers', title: '跨区迁移', path: '/transfers', anyOf: ['registry.view'], order: 40 },
    { id: 'import', title: '台账导入', path: '/import', anyOf: ['registry.import'], order: 50 },
    { id: 'calculator', title: '政策计算器', path: '/calculator', anyOf: ['policy.calculate'], order: 60 },
    { id: 'parameters', title: '政策参数', path: '/parameters', anyOf: ['policy.view'], order: 70 },
    // Everyone signed in reads the working-day calendar; only city administrators change it.
    { id: 'calendar', title: '工作日历', path: '/calendar', anyOf: [], order: 80 },
    { id: 'simulate', title: '政策测算', path: '/simulate', anyOf: ['policy.simulate'], order: 90 },
    // 任务: the kinds of job a role may see are imports and audit checkpoints so far (src/jobs/kinds).
    { id: 'jobs', title: '任务', path: '/jobs', anyOf: ['registry.import', 'audit.view'], order: 100 },
    { id: 'audit', title: '审计日志', path: '/audit', anyOf: ['audit.view'], order: 110 },
    { id: 'users', title: '用户管理', path: '/users', anyOf: ['users.manage'], order: 120 },
    { id: 'backup', title: '系统备份', path: '/backup', anyOf: ['system.backup'], order: 130 },
  ],
});
