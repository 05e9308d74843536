import { defineModuleAccess } from '../auth/access.ts';

/**
 * 社区救助顾问: an adviser of a street or a residents' committee follows the households assigned to them
 * (陪伴式、长效式、全程式 support, 沪民救发〔2020〕15号): visits, needs assessments, support plans and
 * referrals. A street caseworker assigns advisers to the street's households and reads their records; the
 * district's approvers and auditors read. An adviser writes only for households in their caseload.
 */
export const advisersAccess = defineModuleAccess({
  module: '社区救助顾问',
  permissions: {
    'adviser.record': '记录所跟进家庭的走访、需求评估、帮扶计划与转介',
    'adviser.view': '查看救助顾问对家庭的记录',
    'adviser.assign': '为家庭分派救助顾问',
  },
  roles: {
    assistance_adviser: {
      name: '社区救助顾问',
      levels: ['street', 'committee'],
      permissions: ['statistics.view', 'policy.calculate', 'policy.view', 'registry.view', 'adviser.record'],
    },
  },
  grants: {
    street_caseworker: ['adviser.view', 'adviser.assign'],
    district_approver: ['adviser.view'],
    auditor: ['adviser.view'],
    // An administrator creates only accounts whose permissions it holds itself (user.policy.ts).
    admin: ['adviser.record', 'adviser.view', 'adviser.assign'],
  },
  menus: [
    {
      id: 'adviser-caseload',
      title: '我的救助对象',
      path: '/advisers',
      anyOf: ['adviser.record'],
      order: 46,
    },
    {
      id: 'adviser-assignments',
      title: '救助顾问',
      path: '/advisers/assignments',
      anyOf: ['adviser.assign', 'adviser.view'],
      order: 47,
    },
  ],
});
