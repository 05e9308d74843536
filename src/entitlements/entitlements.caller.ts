import type { Acting } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';

/** Who acts in the entitlements module: their data scope, role and user id (null for the system actor). */
export interface EntitlementCaller {
  scope: DataScope;
  role: Acting;
  userId: string | null;
}
