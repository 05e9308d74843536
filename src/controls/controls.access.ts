import { defineModuleAccess } from '../auth/access.ts';

/**
 * 内控发现: finance officers (who prepare and check the runs) and the district approver read and handle the
 * findings of their district; the auditor and the administrator read them. Dismissing a blocking finding
 * takes a holder of findings.resolve who did not prepare the run (controls.service.ts). The system role
 * files findings when a run is computed.
 */
export const controlsAccess = defineModuleAccess({
  module: '内控',
  permissions: {
    'findings.view': '查看内控发现',
    'findings.resolve': '处理内控发现（整改、排除）',
  },
  grants: {
    finance_officer: ['findings.view', 'findings.resolve'],
    district_approver: ['findings.view', 'findings.resolve'],
    auditor: ['findings.view'],
    admin: ['findings.view', 'findings.resolve'],
    system: ['findings.view'],
  },
  menus: [{ id: 'findings', title: '内控发现', path: '/findings', anyOf: ['findings.view'], order: 45.8 }],
});
