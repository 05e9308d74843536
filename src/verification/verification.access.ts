import { defineModuleAccess } from '../auth/access.ts';

/**
 * 核对: who may ask for a verification, read its report, read the agencies' raw answers (verification
 * staff only), contest and review a finding, exchange packages with other regions and re-verify a
 * program's recipients. A street caseworker requests and reads reports for the households of their street;
 * the verification officer (核对员) of the district's centre does everything; an approver and an auditor read.
 */
/** The verification centre's officer does everything; so may an administrator (user.policy.ts). */
const EVERYTHING = [
  'verification.request',
  'verification.view',
  'verification.raw',
  'verification.object',
  'verification.review',
  'verification.exchange',
  'verification.recheck',
] as const;

export const verificationAccess = defineModuleAccess({
  module: '核对',
  permissions: {
    'verification.request': '发起核对委托、登记授权书',
    'verification.view': '查看核对委托与核对报告（汇总数据、提示与结论）',
    'verification.raw': '查看各部门原始答复',
    'verification.object': '登记对核对结果的复核申请',
    'verification.review': '复核核对结果',
    'verification.exchange': '异地协查：导出、导入协查包，管理对端公钥',
    'verification.recheck': '发起在保对象定期复核',
  },
  grants: {
    street_caseworker: ['verification.request', 'verification.view', 'verification.object'],
    district_approver: ['verification.view'],
    verification_officer: EVERYTHING,
    auditor: ['verification.view'],
    // An administrator creates only accounts whose permissions it holds itself (user.policy.ts).
    admin: EVERYTHING,
    // Scheduled steps: gathering answers and issuing reports, the periodic re-verification.
    system: ['verification.request', 'verification.view', 'verification.recheck'],
  },
  menus: [
    {
      id: 'verifications',
      title: '核对委托',
      path: '/verifications',
      anyOf: ['verification.view'],
      order: 45,
    },
  ],
});
