import { defineModuleAccess } from '../../auth/access.ts';

/**
 * 网上申请: residents use the public form without an account, so what the form writes is done by a named
 * system actor (holding the case module's `cases.intake` through the `system` role), never by a person.
 */
export const publicApplicationAccess = defineModuleAccess({
  module: '网上申请',
  permissions: {},
  systemActors: { 'system:public-form': '系统（网上申请）' },
});
