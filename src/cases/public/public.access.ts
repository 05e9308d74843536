import { defineModuleAccess } from '../../auth/access.ts';

/**
 * 网上申请: residents use the public form without an account, so what the form writes is done by a named
 * system actor (holding the case module's `cases.intake` through the `system` role), never by a person.
 * The street's page of unmatched applications is for those who accept cases (`cases.accept`), placed
 * right after 救助申请 (order 44) in the side menu.
 */
export const publicApplicationAccess = defineModuleAccess({
  module: '网上申请',
  permissions: {},
  systemActors: { 'system:public-form': '系统（网上申请）' },
  menus: [
    {
      id: 'online-applications',
      title: '网上申请（待匹配）',
      path: '/online-applications',
      anyOf: ['cases.accept'],
      order: 44.5,
    },
  ],
});
