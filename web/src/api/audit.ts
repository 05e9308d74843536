import { download, http } from './request.ts';
import type { Page } from './types.ts';

/** The audit API (src/http/routes/audit.routes.ts): the scoped log, its export, verification, checkpoints. */

export interface AuditRow {
  id: number;
  at: string;
  actorId: string | null;
  actorName: string;
  actorDivision: string | null;
  actorDivisionName: string | null;
  district: string;
  districtName: string;
  action: string;
  actionName: string;
  entityType: string;
  entityTypeName: string;
  entityId: string | null;
  entityLabel: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  hash: string;
}

export interface AuditFilters {
  actor?: string;
  person?: string;
  action?: string;
  entity?: string;
  from?: string;
  to?: string;
}

export interface ChainProblem {
  kind: string;
  fromId: number;
  toId: number;
  message: string;
}

export interface Checkpoint {
  at: string;
  count: number;
  lastId: number;
  lastHash: string;
  keyId: string;
}

export interface Verification {
  chain: { ok: boolean; count: number; lastId: number; problems: ChainProblem[]; undiagnosed: number };
  checkpoints: {
    checked: number;
    keyId: string;
    problems: { line: number; message: string }[];
    latest: Checkpoint | null;
  } | null;
}

export interface CheckpointState {
  latest: Checkpoint | null;
  keyId: string | null;
  publicKey: string | null;
  intervalMinutes: number;
}

export const auditApi = {
  list: (query: AuditFilters & { limit: number; offset: number }) =>
    http.get<Page<AuditRow>>('/api/audit', { ...query }),
  exportXlsx: (query: AuditFilters) => download('/api/audit/export', { ...query }, '审计日志.xlsx'),
  verify: () => http.post<Verification>('/api/audit/verify'),
  checkpointState: () => http.get<CheckpointState>('/api/audit/checkpoints/latest'),
  signCheckpoint: () => http.post<Checkpoint>('/api/audit/checkpoints'),
};
