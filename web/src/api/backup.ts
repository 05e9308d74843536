import { http } from './request.ts';

/** 系统备份 (src/http/routes/backup.routes.ts): online backups of the embedded store, for administrators. */

export interface BackupFile {
  name: string;
  bytes: number;
  sha256: string | null;
  takenAt: string;
}

export interface BackupListing {
  /** False on a PostgreSQL server: `notice` says that its backups are the DBA's. */
  supported: boolean;
  notice: string | null;
  folder: string;
  keep: number;
  schedule: string;
  running: boolean;
  backups: BackupFile[];
}

export interface TakenBackup extends BackupFile {
  sha256: string;
  auditHead: { lastId: number; lastHash: string; count: number };
  files: number;
  dataBytes: number;
  pausedMs: number;
  tookMs: number;
  removed: string[];
}

export const backupApi = {
  list: () => http.get<BackupListing>('/api/backups'),
  take: (reason: string) => http.post<TakenBackup>('/api/backups', reason.trim() ? { reason } : {}),
};
