import { hasPermission } from '../roles.ts';
import type { AuthUser } from '../user.ts';

export const auditPolicy = {
  canRead: (user: AuthUser): boolean => hasPermission(user.role, 'audit.view'),
};
