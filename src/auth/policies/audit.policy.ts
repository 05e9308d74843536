import { hasPermission } from '../roles.ts';
import type { AuthUser } from '../user.ts';

export const auditPolicy = {
  /** Reading the log, exporting it and verifying the chain (the rows shown are scoped by district). */
  canRead: (user: AuthUser): boolean => hasPermission(user.role, 'audit.view'),
  /** Signing a checkpoint writes to the server's checkpoint file with its key: an administrator's act. */
  canCheckpoint: (user: AuthUser): boolean => user.role === 'admin',
};
