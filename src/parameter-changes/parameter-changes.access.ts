import { defineModuleAccess } from '../auth/access.ts';

/**
 * 政策参数调整: a policy officer (政策管理员) of the city changes the city-wide values, one of a district
 * that district's own values (区级参数); each change is proposed by one officer and approved by another.
 * Administrators and auditors read the changes; every staff role reads the parameters themselves
 * (`policy.view`, platform.access.ts).
 */
export const parameterChangesAccess = defineModuleAccess({
  module: '政策参数调整',
  permissions: {
    'parameters.view': '查看政策参数调整记录',
    'parameters.propose': '提出政策参数调整',
    'parameters.approve': '审批政策参数调整（不能审批本人提出的）',
  },
  roles: {
    policy_officer: {
      name: '政策管理员',
      levels: ['district', 'city'],
      permissions: [
        'statistics.view',
        'policy.calculate',
        'policy.view',
        'parameters.view',
        'parameters.propose',
        'parameters.approve',
      ],
    },
  },
  grants: {
    admin: ['parameters.view', 'parameters.propose', 'parameters.approve'],
    auditor: ['parameters.view'],
  },
  menus: [],
});
