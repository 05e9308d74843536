import { hasPermission, permissionsOf, scopeOf, type Role } from '../roles.ts';
import { inScope } from '../scope.ts';
import type { AuthUser } from '../user.ts';

/** A user account as far as authorisation cares: its reach, i.e. its role and its division. */
export interface UserReach {
  role: Role;
  divisionCode: string;
}

export interface ManagedUser extends UserReach {
  id: string;
}

/** Every permission of `target` is also one of `actor`'s. */
function roleWithin(actor: Role, target: Role): boolean {
  return permissionsOf(target).every((permission) => hasPermission(actor, permission));
}

export const userPolicy = {
  canList: (actor: AuthUser): boolean => hasPermission(actor.role, 'users.manage'),
  roleWithin,
  /**
   * An administrator creates, changes or resets only accounts whose reach lies within its own: the
   * account's division inside the administrator's (so city-level accounts only by a city-level
   * administrator), and the account's permissions among the administrator's. A change must keep the
   * account in reach before and after.
   */
  canManage: (actor: AuthUser, target: UserReach): boolean =>
    hasPermission(actor.role, 'users.manage') &&
    inScope(scopeOf(actor), target.divisionCode) &&
    roleWithin(actor.role, target.role),
  /** Resetting one's own password goes through the change-password flow, not the admin reset. */
  canResetPassword: (actor: AuthUser, target: ManagedUser): boolean =>
    userPolicy.canManage(actor, target) && actor.id !== target.id,
};
