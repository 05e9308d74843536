import { hasPermission, scopeOf } from '../roles.ts';
import { inScope } from '../scope.ts';
import type { AuthUser } from '../user.ts';

export interface HouseholdResource {
  committeeCode: string;
}

export const householdPolicy = {
  canList: (user: AuthUser): boolean => hasPermission(user.role, 'registry.view'),
  canView: (user: AuthUser, household: HouseholdResource): boolean =>
    hasPermission(user.role, 'registry.view') && inScope(scopeOf(user), household.committeeCode),
  canWrite: (user: AuthUser, household: HouseholdResource): boolean =>
    householdPolicy.canView(user, household) && hasPermission(user.role, 'registry.write'),
  canExport: (user: AuthUser): boolean => hasPermission(user.role, 'registry.export'),
  /** Policy calculation for a registered household reads its economic data: same rule as viewing. */
  canCalculate: (user: AuthUser, household: HouseholdResource): boolean =>
    householdPolicy.canView(user, household) && hasPermission(user.role, 'policy.calculate'),
};
