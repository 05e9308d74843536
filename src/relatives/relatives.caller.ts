import type { Acting } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';

/** Who acts in the close-relative module: their data scope, role and user id (null for the operator). */
export interface RelativesCaller {
  scope: DataScope;
  role: Acting;
  userId: string | null;
}
