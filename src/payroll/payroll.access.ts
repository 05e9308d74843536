import { defineModuleAccess } from '../auth/access.ts';

/**
 * 发放管理: a finance officer prepares a payroll run (starts, recomputes and cancels it, reviews its held
 * lines, exports the bank files and imports the returns); a second finance officer checks it (never the
 * preparer); the district approver approves it (never the preparer or the checker). Auditors and the
 * administrator read. Account numbers are shown in full only to whom pays them (finance) and to the
 * approver; every read is scoped. The system role runs the computation job.
 */
export const payrollAccess = defineModuleAccess({
  module: '发放',
  permissions: {
    'payroll.view': '查看发放批次、明细与追缴（账号脱敏）',
    'payroll.prepare': '发起、重算、撤销发放批次，复核挂起明细，导出银行文件与导入回盘',
    'payroll.check': '复核发放批次（与制单人不同）',
    'payroll.approve': '审批发放批次与追缴核销（与制单人、复核人不同）',
    'payroll.account': '查看完整收款账号',
  },
  grants: {
    finance_officer: ['payroll.view', 'payroll.prepare', 'payroll.check', 'payroll.account'],
    district_approver: ['payroll.view', 'payroll.approve', 'payroll.account'],
    auditor: ['payroll.view'],
    // The administrator holds every permission (the user policy: it may only create accounts within its own).
    admin: ['payroll.view', 'payroll.prepare', 'payroll.check', 'payroll.approve', 'payroll.account'],
    system: ['payroll.view', 'payroll.prepare'],
  },
  menus: [
    { id: 'payroll', title: '发放管理', path: '/payroll', anyOf: ['payroll.view'], order: 45.7 },
    // 在保对象导入 (src/payroll/onboarding): the going-live import, finance only.
    {
      id: 'payroll-onboarding',
      title: '在保对象导入',
      path: '/payroll/onboarding',
      anyOf: ['payroll.prepare'],
      order: 45.75,
    },
    {
      id: 'payroll-recoveries',
      title: '追缴',
      path: '/payroll/recoveries',
      anyOf: ['payroll.view'],
      order: 45.72,
    },
  ],
});
