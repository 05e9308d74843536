import { http } from './request.ts';
import type { AuditRow, CreateUserRequest, Page, UserRow } from './types.ts';

export const systemApi = {
  audit: (query: { entity?: string; action?: string; actor?: string; limit: number; offset: number }) =>
    http.get<Page<AuditRow>>('/api/audit', { ...query }),
  users: (query: { limit: number; offset: number }) => http.get<Page<UserRow>>('/api/users', { ...query }),
  createUser: (user: CreateUserRequest) =>
    http.post<{ user?: UserRow; password?: string } & Partial<UserRow>>('/api/users', user),
  resetPassword: (id: string) =>
    http.post<{ password?: string }>(`/api/users/${encodeURIComponent(id)}/reset-password`),
};
