import { defineModuleAccess } from '../auth/access.ts';

/**
 * 联合认定与待遇: a street caseworker runs the joint determination and prepares the decision lines of the
 * cases of their street; the approver's decision is the cases module's approve action (which checks its own
 * permission) and calls decision.service.ts. Suspending, stopping and restarting an entitlement is the
 * caseworker's and the approver's work; finance officers and auditors read. Account numbers are shown in
 * full only to whom pays them (finance) and to the approver; every read is scoped.
 */
export const entitlementsAccess = defineModuleAccess({
  module: '待遇',
  permissions: {
    'entitlements.view': '查看联合认定结果、决定明细与待遇（账号脱敏）',
    'entitlements.prepare': '联合认定并拟定决定明细',
    'entitlements.change': '暂停、停发、恢复待遇',
    'entitlements.account': '查看完整收款账号',
  },
  grants: {
    street_caseworker: ['entitlements.view', 'entitlements.prepare', 'entitlements.change'],
    district_approver: ['entitlements.view', 'entitlements.change', 'entitlements.account'],
    finance_officer: ['entitlements.view', 'entitlements.account'],
    auditor: ['entitlements.view'],
    admin: ['entitlements.view', 'entitlements.prepare', 'entitlements.change', 'entitlements.account'],
    system: ['entitlements.view', 'entitlements.change'],
  },
  menus: [
    {
      id: 'entitlements',
      title: '救助待遇',
      path: '/entitlements',
      anyOf: ['entitlements.view'],
      order: 45.5,
    },
  ],
});
