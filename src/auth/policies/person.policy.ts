import { hasPermission } from '../roles.ts';
import { inScope } from '../scope.ts';
import { scopeOf } from '../roles.ts';
import type { AuthUser } from '../user.ts';

/** A person as far as authorisation cares: where they live. */
export interface PersonResource {
  residenceDivisionCode: string;
}

export const personPolicy = {
  /** Lists: the repository filters by scope; this says whether the user may search at all. */
  canList: (user: AuthUser): boolean => hasPermission(user.role, 'registry.view'),
  canView: (user: AuthUser, person: PersonResource): boolean =>
    hasPermission(user.role, 'registry.view') && inScope(scopeOf(user), person.residenceDivisionCode),
  canUnmask: (user: AuthUser, person: PersonResource): boolean =>
    personPolicy.canView(user, person) && hasPermission(user.role, 'person.unmask'),
  canWrite: (user: AuthUser, person: PersonResource): boolean =>
    personPolicy.canView(user, person) && hasPermission(user.role, 'registry.write'),
};
