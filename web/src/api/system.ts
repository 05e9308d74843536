import { http } from './request.ts';
import type { AuditRow, Page } from './types.ts';

export const systemApi = {
  audit: (query: { entity?: string; action?: string; actor?: string; limit: number; offset: number }) =>
    http.get<Page<AuditRow>>('/api/audit', { ...query }),
};
