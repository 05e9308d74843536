/**
 * The backup module's errors, with stable codes (the HTTP layer maps them in one table). Messages are
 * Chinese and reach the operator as they are; every refusal happens before anything was changed.
 */
export type BackupErrorCode =
  /** The installation runs on a PostgreSQL server: its backups are the DBA's (pg_dump, PITR). */
  | 'not_embedded'
  /** The embedded store has no data directory (in memory, tests) or it is not where the settings say. */
  | 'no_data_dir'
  /** A backup is already being taken by this server. */
  | 'running'
  | 'file_missing'
  /** The file is not a backup of this system, or it is damaged beyond what its checksum says. */
  | 'file_corrupt'
  | 'checksum_missing'
  | 'checksum_mismatch'
  /** The restored database does not open, or its audit log does not verify. */
  | 'verify_failed';

export class BackupError extends Error {
  readonly code: BackupErrorCode;
  constructor(code: BackupErrorCode, message: string) {
    super(message);
    this.name = 'BackupError';
    this.code = code;
  }
}

/** What the API and the console say on a PostgreSQL installation, instead of pretending to back it up. */
export const POSTGRES_BACKUP_NOTICE =
  '本系统使用 PostgreSQL 数据库服务器：备份与恢复由数据库管理员负责（pg_dump / pg_restore，或基础备份加 WAL 归档的时间点恢复），平台不做在线备份；见 docs/operations.md「备份与恢复」';
