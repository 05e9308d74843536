import type { Job } from './jobs.ts';
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
  /** The backup schedule's cron expression (Shanghai time), or "off". */
  schedule: string;
  /** When the next scheduled backup runs; null when off. */
  nextRunAt: string | null;
  running: boolean;
  /** The latest backup job, to follow while it runs and to show its result after. */
  lastJob: Job | null;
  backups: BackupFile[];
}

/** What a backup job's result holds (src/jobs/kinds/backup.job.ts). */
export interface BackupResult {
  file: string;
  bytes: number;
  sha256: string;
  tookMs: number;
  pausedMs: number;
  dataBytes: number;
  /** The file store's contents in the backup: how many, how many bytes. */
  contents: number;
  contentBytes: number;
  signingKey: boolean;
  checkpoints: boolean;
  auditLastId: number;
  removed: string[];
}

export const backupApi = {
  list: () => http.get<BackupListing>('/api/backups'),
  /** 立即备份: queued as a job (202); follow it with jobsApi.get. */
  take: (reason: string) =>
    http.post<{ job: Job; existing: boolean }>('/api/backups', reason.trim() ? { reason } : {}),
};
