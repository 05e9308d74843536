import { http, request } from './request.ts';
import type { CreateUserRequest, Page, RoleId, UserRow } from './types.ts';

/** 用户管理 (/api/users): the list with its filters, create, change, reset, and what may be assigned. */

export type UserLevel = 'city' | 'district' | 'street' | 'committee';
export type UserStatus = 'active' | 'disabled' | 'locked';

export interface UserQuery {
  q?: string;
  role?: RoleId | '';
  status?: UserStatus | '';
  division?: string;
  limit: number;
  offset: number;
}

export interface UserUpdate {
  displayName?: string;
  role?: RoleId;
  divisionCode?: string;
  disabled?: boolean;
  unlock?: true;
  reason: string;
}

export interface AssignableRole {
  role: RoleId;
  name: string;
  levels: UserLevel[];
}

export interface AssignableDivision {
  code: string;
  name: string;
  level: UserLevel;
  leaf: boolean;
}

export const usersApi = {
  list: (query: UserQuery) => http.get<Page<UserRow>>('/api/users', { ...query }),
  create: (user: CreateUserRequest) =>
    http.post<{ user: UserRow; password: string }>('/api/users', user, { silent: true }),
  update: (id: string, changes: UserUpdate) =>
    request<{ user: UserRow }>('PATCH', `/api/users/${encodeURIComponent(id)}`, { body: changes }),
  resetPassword: (id: string) =>
    http.post<{ password: string }>(`/api/users/${encodeURIComponent(id)}/reset-password`),
  roles: () => http.get<{ items: AssignableRole[] }>('/api/users/roles'),
  divisions: (parent?: string) => http.get<AssignableDivision[]>('/api/users/divisions', { parent }),
};
