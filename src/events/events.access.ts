import { defineModuleAccess } from '../auth/access.ts';

/**
 * 生命事件: the district's and the street's staff read the events of their scope (what arrived, what was
 * rejected and why, what processing did); an administrator starts the derivation and the processing (they run
 * daily as the system otherwise), and so does the system actor of the schedules.
 */
export const eventsAccess = defineModuleAccess({
  module: '生命事件',
  permissions: {
    'events.view': '查看生命事件及其处理结果',
    'events.manage': '从人口库生成生命事件、处理生命事件（启动任务）',
  },
  grants: {
    street_caseworker: ['events.view'],
    district_approver: ['events.view'],
    auditor: ['events.view'],
    admin: ['events.view', 'events.manage'],
    system: ['events.view', 'events.manage'],
  },
});
