import { defineModuleAccess } from '../auth/access.ts';

/**
 * 近亲属备案: every member of staff links their own person record (once; an administrator corrects it) and
 * declares their close relatives; a district approver reads the declarations of staff in their scope (they
 * decide the flagged cases); an administrator also links users, keeps the list of residents' committee
 * members and declares for members who have no account.
 */
export const relativesAccess = defineModuleAccess({
  module: '近亲属备案',
  permissions: {
    'relatives.declare': '关联本人人员信息，登记与结束本人的近亲属备案',
    'relatives.view': '查看数据范围内工作人员的近亲属备案',
    'relatives.manage': '为工作人员关联人员信息，维护居委会成员名单及其近亲属备案',
  },
  grants: {
    committee_assistant: ['relatives.declare'],
    street_caseworker: ['relatives.declare'],
    district_approver: ['relatives.declare', 'relatives.view'],
    verification_officer: ['relatives.declare'],
    finance_officer: ['relatives.declare'],
    auditor: ['relatives.declare', 'relatives.view'],
    admin: ['relatives.declare', 'relatives.view', 'relatives.manage'],
  },
  menus: [
    {
      id: 'relatives',
      title: '近亲属备案',
      path: '/relatives',
      anyOf: ['relatives.declare', 'relatives.view'],
      order: 48,
    },
  ],
});
