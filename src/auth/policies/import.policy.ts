import { hasPermission, scopeOf } from '../roles.ts';
import { inScope } from '../scope.ts';
import type { AuthUser } from '../user.ts';

export const importPolicy = {
  /** May upload a roster at all; each row's committee must still lie in the scope (checked per row). */
  canImport: (user: AuthUser): boolean => hasPermission(user.role, 'registry.import'),
  canImportInto: (user: AuthUser, committeeCode: string): boolean =>
    importPolicy.canImport(user) && inScope(scopeOf(user), committeeCode),
};
