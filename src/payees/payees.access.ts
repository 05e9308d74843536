import { defineModuleAccess } from '../auth/access.ts';

/**
 * 收款账户: the street caseworker records a person's account (bank or 社会保障卡金融账户) as the applicant
 * gives it, and the finance officer corrects it when the bank returns a payment; both may end one. Whoever
 * sees the person reads the accounts masked; the full number is shown to `payees.manage` and to those who pay
 * (`payroll.account`). Every read and write is scoped to the person's residence.
 */
export const payeesAccess = defineModuleAccess({
  module: '收款账户',
  permissions: {
    'payees.view': '查看人员的收款账户（账号脱敏）',
    'payees.manage': '登记、更换、终止收款账户（可见完整账号）',
  },
  grants: {
    street_caseworker: ['payees.view', 'payees.manage'],
    district_approver: ['payees.view'],
    finance_officer: ['payees.view', 'payees.manage'],
    auditor: ['payees.view'],
    admin: ['payees.view', 'payees.manage'],
  },
});
