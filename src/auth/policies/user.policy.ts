import { hasPermission, scopeOf } from '../roles.ts';
import { inScope } from '../scope.ts';
import type { AuthUser } from '../user.ts';

export interface ManagedUser {
  id: string;
  divisionCode: string;
}

export const userPolicy = {
  canList: (actor: AuthUser): boolean => hasPermission(actor.role, 'users.manage'),
  /** An administrator manages accounts inside their own division only. */
  canManage: (actor: AuthUser, target: { divisionCode: string }): boolean =>
    hasPermission(actor.role, 'users.manage') && inScope(scopeOf(actor), target.divisionCode),
  /** Resetting one's own password goes through the change-password flow, not the admin reset. */
  canResetPassword: (actor: AuthUser, target: ManagedUser): boolean =>
    userPolicy.canManage(actor, target) && actor.id !== target.id,
};
