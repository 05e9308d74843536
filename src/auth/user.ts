import type { Role } from './roles.ts';

/** The authenticated user as every layer above the repositories sees it (no password hash). */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  divisionCode: string;
  mustChangePassword: boolean;
}
