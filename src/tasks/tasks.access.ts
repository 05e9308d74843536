import { defineModuleAccess } from '../auth/access.ts';

/**
 * 待办: the tasks rules create (tell a family of the funeral subsidy, collect a payee account, reach out to a
 * household a scan found) are read and completed in the task's division — by its adviser, the committee's
 * assistant or the street's caseworker; the district's approvers and auditors read them.
 */
export const tasksAccess = defineModuleAccess({
  module: '待办',
  permissions: {
    'tasks.view': '查看待办（生命事件与政策找人产生的跟进事项）',
    'tasks.complete': '办结待办并填写办理结果',
  },
  menus: [{ id: 'tasks', title: '待办', path: '/tasks', anyOf: ['tasks.view'], order: 12 }],
  grants: {
    committee_assistant: ['tasks.view', 'tasks.complete'],
    street_caseworker: ['tasks.view', 'tasks.complete'],
    assistance_adviser: ['tasks.view', 'tasks.complete'],
    district_approver: ['tasks.view'],
    auditor: ['tasks.view'],
    admin: ['tasks.view', 'tasks.complete'],
  },
});
