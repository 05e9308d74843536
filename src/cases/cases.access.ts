import { defineModuleAccess } from '../auth/access.ts';

/**
 * 社会救助一件事: who may register, accept and carry a case through its steps. The residents' committee's
 * assistant registers applications and records visits and evaluations; the street caseworker accepts,
 * starts the verification, reviews, runs the publicity and confirms what the street decides (确认); the
 * district approver approves (审批). Every action is limited to the case's division (the caller's scope).
 */
const EVERYTHING = [
  'cases.view',
  'cases.intake',
  'cases.accept',
  'cases.process',
  'cases.visit',
  'cases.approve',
  'cases.confirm',
] as const;

export const casesAccess = defineModuleAccess({
  module: '救助申请',
  permissions: {
    'cases.view': '查看救助申请与办理过程',
    'cases.intake': '登记救助申请（窗口受理、网上申请）',
    'cases.accept': '受理、不予受理、退回与撤回救助申请',
    'cases.process': '发起核对、审核、公示及近亲属备案确认',
    'cases.visit': '登记入户调查与民主评议',
    'cases.approve': '审批救助申请（区级）',
    'cases.confirm': '确认救助申请（街道）',
  },
  grants: {
    committee_assistant: ['cases.view', 'cases.intake', 'cases.visit'],
    street_caseworker: [
      'cases.view',
      'cases.intake',
      'cases.accept',
      'cases.process',
      'cases.visit',
      'cases.confirm',
    ],
    district_approver: ['cases.view', 'cases.approve'],
    auditor: ['cases.view'],
    // An administrator creates only accounts whose permissions it holds itself (user.policy.ts).
    admin: EVERYTHING,
    // The public online form registers drafts as a system actor.
    system: ['cases.view', 'cases.intake'],
  },
  menus: [{ id: 'cases', title: '救助申请', path: '/cases', anyOf: ['cases.view'], order: 44 }],
});

export type CasesPermission = keyof typeof casesAccess.permissions;
