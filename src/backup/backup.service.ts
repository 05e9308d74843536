import { constants, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { readHead } from '../audit/audit.repository.ts';
import { CITY_DISTRICT } from '../audit/audit.service.ts';
import { auditFiles, type AuditFiles } from '../audit/checkpoint.service.ts';
import { GENESIS_HASH } from '../audit/hash.ts';
import { now } from '../core/clock.ts';
import type { Store, StoreKind } from '../db/store.ts';
import { filesFolder } from '../files/file-store.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../workflow/unit-of-work.ts';
import {
  AUDIT_FOLDER,
  CHECKPOINTS_NAME,
  FILES_FOLDER,
  freeBackupName,
  KEY_NAME,
  listBackupFiles,
  MANIFEST_NAME,
  pruneBackups,
  STORE_FOLDER,
  sweepLeftovers,
  writeArchive,
  type BackupFile,
  type BackupManifest,
} from './backup-archive.ts';
import { BackupError, POSTGRES_BACKUP_NOTICE } from './backup.errors.ts';
import { checkpoint } from './backup.repository.ts';

/**
 * 在线备份 of the embedded store. PGlite is one database backend in this process, reached through one
 * serialised queue: while `store.transaction` runs, no other query or transaction of this process can
 * (PGlite's transaction mutex; `query` takes it too). Inside one, a CHECKPOINT writes every dirty page and
 * the WAL to the files, and the data directory is copied as it then stands: every transaction committed
 * before is in the copy, none after, and none half. Requests wait only for the copy (a reflink where the
 * filesystem offers one); packing and compressing the copy runs after the queue is free again.
 *
 * A backup is a whole installation: besides the database it holds the file store's contents (attachments
 * and documents are rows naming files on disk) and, when they live in the data directory, the audit
 * signing key and checkpoint file (without them the restored log's checkpoints cannot be checked or
 * continued). The checkpoint file is copied inside the same pause as the database, so that none of its
 * checkpoints lies past the backup's log. The contents are listed after the pause: a content reaches its
 * name before the unit that names it commits and is never deleted while named, and the orphan sweep needs
 * the data directory's lock (it never runs beside the server), so every content a row in the copy names is
 * there; contents stored after the pause come along as orphans (harmless, swept later).
 *
 * PGlite's own `dumpDataDir()` was measured and not used: it reads the whole directory into memory
 * synchronously and gzips it while holding the query mutex (388 MB of data: 10.4 s with every request
 * waiting, 1.5 GB resident), where this takes 1.5 s of waiting and streams the rest.
 *
 * With a PostgreSQL server, backups are the DBA's (pg_dump, PITR): `takeBackup` refuses and says so.
 */

export interface BackupSettings {
  /** MINZHENG_DATA_DIR: the embedded store lives in its `pglite/` folder. */
  dataDir: string;
  /** Where backups are written (MINZHENG_BACKUP_DIR, default `<data dir>/backups`). */
  folder: string;
  /** How many backups to keep (MINZHENG_BACKUP_KEEP): older ones are deleted after a new one is whole. */
  keep: number;
  /**
   * When the scheduled backup runs as the setting says (MINZHENG_BACKUP_SCHEDULE: cron, Shanghai time, or
   * "off"); an administrator may have changed the schedule since (`jobs schedule`), which then rules.
   */
  schedule: string;
  /** The file store's folder (MINZHENG_FILES_DIR, else `<data dir>/files`): its contents are backed up. */
  filesDir: string;
  /** The audit signing key and checkpoint file: backed up when they lie in the data directory. */
  auditFiles: AuditFiles;
}

export interface BackupConfig {
  MINZHENG_DATA_DIR: string;
  MINZHENG_BACKUP_DIR?: string | undefined;
  MINZHENG_BACKUP_KEEP: number;
  MINZHENG_BACKUP_SCHEDULE: string;
  MINZHENG_FILES_DIR?: string | undefined;
  MINZHENG_AUDIT_KEY_FILE?: string | undefined;
  MINZHENG_AUDIT_CHECKPOINT_FILE?: string | undefined;
}

export function backupSettings(config: BackupConfig): BackupSettings {
  return {
    dataDir: config.MINZHENG_DATA_DIR,
    folder: config.MINZHENG_BACKUP_DIR ?? join(config.MINZHENG_DATA_DIR, 'backups'),
    keep: config.MINZHENG_BACKUP_KEEP,
    schedule: config.MINZHENG_BACKUP_SCHEDULE,
    filesDir: filesFolder(config),
    auditFiles: auditFiles(config),
  };
}

/** This installation's version, written into every backup's manifest. */
export const APP_VERSION: string = (() => {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

export const storeDir = (dataDir: string) => join(dataDir, STORE_FOLDER);

export interface BackupResult extends BackupFile {
  sha256: string;
  /** The audit chain's head inside the backup. */
  auditHead: BackupManifest['auditHead'];
  /** The data directory copied: files and bytes (before compression). */
  files: number;
  dataBytes: number;
  /** The file store's contents in the backup. */
  contents: { count: number; bytes: number };
  /** Whether the audit signing key and the checkpoint file are in it (they are when in the data directory). */
  audit: { signingKey: boolean; checkpoints: boolean };
  /** How long requests waited (the checkpoint and the copy), and the whole backup, in milliseconds. */
  pausedMs: number;
  tookMs: number;
  /** Older backups deleted to keep the last N. */
  removed: string[];
}

/** Folders with a backup under way in this process: a second request is refused, not queued. */
const running = new Set<string>();

export function backupRunning(settings: BackupSettings): boolean {
  return running.has(resolve(settings.folder));
}

/**
 * Whether this installation can take a backup: an embedded store with its data directory. Refuses (a
 * BackupError naming why) otherwise; returns the store's folder.
 */
export async function checkEmbedded(store: Store, settings: BackupSettings): Promise<string> {
  if (store.kind !== 'pglite') throw new BackupError('not_embedded', POSTGRES_BACKUP_NOTICE);
  const dir = storeDir(settings.dataDir);
  const version = await stat(join(dir, 'PG_VERSION')).catch(() => undefined);
  if (!version?.isFile()) {
    throw new BackupError(
      'no_data_dir',
      `内置数据库目录 ${dir} 不存在或不完整，无法备份（内存数据库不能备份）`,
    );
  }
  return dir;
}

async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

/** Whether `path` lies inside `dir` (not `dir` itself). */
function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Copies the audit key and checkpoint file into `into`, each when it lies in the data directory and exists
 * (a key kept elsewhere is kept apart on purpose: docs/security.md). Runs inside the database's pause.
 */
async function copyAuditFiles(
  settings: BackupSettings,
  into: string,
): Promise<{ signingKey: boolean; checkpoints: boolean }> {
  const copied = async (path: string, name: string): Promise<boolean> => {
    if (!isInside(settings.dataDir, path)) return false;
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return false;
    await mkdir(into, { recursive: true, mode: 0o700 });
    await copyFile(path, join(into, name));
    return true;
  };
  return {
    signingKey: await copied(settings.auditFiles.keyFile, KEY_NAME),
    checkpoints: await copied(settings.auditFiles.checkpointFile, CHECKPOINTS_NAME),
  };
}

const HEX2 = /^[0-9a-f]{2}$/;
const HEX64 = /^[0-9a-f]{64}$/;

async function hexFolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && HEX2.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The file store's contents (`ab/cd/<sha256>`, relative to its folder) and their bytes; nothing else there. */
export async function storedContents(root: string): Promise<{ paths: string[]; bytes: number }> {
  const paths: string[] = [];
  let bytes = 0;
  for (const first of await hexFolders(root)) {
    for (const second of await hexFolders(join(root, first))) {
      const dir = join(root, first, second);
      for (const name of (await readdir(dir)).sort()) {
        if (!HEX64.test(name) || !name.startsWith(`${first}${second}`)) continue;
        const info = await stat(join(dir, name)).catch(() => undefined);
        if (!info?.isFile()) continue;
        paths.push(`${first}/${second}/${name}`);
        bytes += info.size;
      }
    }
  }
  return { paths, bytes };
}

/**
 * Writes a consistent backup of the running embedded store, its file store's contents and its audit files
 * into the backup folder, with its SHA-256, and keeps the newest `keep`. Files only: the caller records it
 * (`recordBackup`) in its unit of work.
 */
export async function writeBackup(
  store: Store,
  settings: BackupSettings,
  options: { appVersion?: string | undefined } = {},
): Promise<BackupResult> {
  const source = await checkEmbedded(store, settings);
  const folder = resolve(settings.folder);
  if (running.has(folder)) throw new BackupError('running', '已有一个备份正在进行，请等它完成后再试');
  running.add(folder);
  const started = performance.now();
  const takenAt = now();
  let staging: string | undefined;
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await sweepLeftovers(folder);
    const name = await freeBackupName(folder, takenAt);
    const stagingDir = join(folder, `.staging-${name}`);
    staging = stagingDir;
    const copy = join(stagingDir, STORE_FOLDER);
    const paused = performance.now();
    const { head, audit } = await store.transaction(async (tx) => {
      await checkpoint(tx.db);
      const found = await readHead(tx.db);
      await cp(source, copy, { recursive: true, mode: constants.COPYFILE_FICLONE });
      const audit = await copyAuditFiles(settings, join(stagingDir, AUDIT_FOLDER));
      return { head: found ?? { lastId: 0, lastHash: GENESIS_HASH, count: 0 }, audit };
    });
    const pausedMs = Math.round(performance.now() - paused);
    const { files, bytes } = await sizeOf(copy);
    const contents = await storedContents(settings.filesDir);
    // The contents are packed from where they are, through a link: no second copy of the file store.
    if (contents.paths.length > 0) {
      await symlink(resolve(settings.filesDir), join(staging, FILES_FOLDER), 'dir');
    }
    const manifest: BackupManifest = {
      format: 2,
      kind: 'pglite',
      createdAt: takenAt.toISOString(),
      appVersion: options.appVersion ?? APP_VERSION,
      auditHead: head,
      files,
      bytes,
      contents: { count: contents.paths.length, bytes: contents.bytes },
      audit,
    };
    await writeFile(join(staging, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
    const written = await writeArchive(staging, folder, name, [
      MANIFEST_NAME,
      STORE_FOLDER,
      ...(audit.signingKey || audit.checkpoints ? [AUDIT_FOLDER] : []),
      ...contents.paths.map((path) => `${FILES_FOLDER}/${path}`),
    ]);
    await removeStaging(staging);
    staging = undefined;
    const removed = await pruneBackups(folder, settings.keep);
    return {
      name,
      path: written.path,
      bytes: written.bytes,
      sha256: written.sha256,
      takenAt: takenAt.toISOString(),
      auditHead: head,
      files,
      dataBytes: bytes,
      contents: { count: contents.paths.length, bytes: contents.bytes },
      audit,
      pausedMs,
      tookMs: Math.round(performance.now() - started),
      removed,
    };
  } finally {
    if (staging) await removeStaging(staging).catch(() => undefined);
    running.delete(folder);
  }
}

/** Removes a staging folder: its link to the file store first (removed as a link, never followed). */
async function removeStaging(staging: string): Promise<void> {
  await rm(join(staging, FILES_FOLDER), { force: true });
  await rm(staging, { recursive: true, force: true });
}

/** The backup's audit record (one per backup, filed under the city: it holds every district). */
export function recordBackup(tx: WorkTx, result: BackupResult): void {
  tx.record({
    action: 'system.backup',
    entityType: 'backup',
    entityId: result.name,
    district: CITY_DISTRICT,
    after: {
      file: result.name,
      bytes: result.bytes,
      sha256: result.sha256,
      auditHead: result.auditHead,
      dataBytes: result.dataBytes,
      contents: result.contents,
      audit: result.audit,
      pausedMs: result.pausedMs,
      tookMs: result.tookMs,
      removed: result.removed,
    },
  });
}

/** A backup on demand (the API, the CLI): written, then recorded in a unit of work on behalf of `actor`. */
export async function takeBackup(
  store: Store,
  settings: BackupSettings,
  actor: ActingContext,
  options: { appVersion?: string | undefined } = {},
): Promise<BackupResult> {
  const result = await writeBackup(store, settings, options);
  await inUnitOfWork(store, actor, (tx) => {
    recordBackup(tx, result);
    return Promise.resolve();
  });
  return result;
}

export interface BackupListing {
  /** False on a PostgreSQL installation: `notice` says who backs it up. */
  supported: boolean;
  notice: string | null;
  folder: string;
  keep: number;
  schedule: string;
  running: boolean;
  /** Newest first. */
  backups: BackupFile[];
}

/** The backups and settings; on a PostgreSQL server (`kind`), the notice instead. Reads the folder only. */
export async function listBackups(kind: StoreKind, settings: BackupSettings): Promise<BackupListing> {
  const supported = kind === 'pglite';
  return {
    supported,
    notice: supported ? null : POSTGRES_BACKUP_NOTICE,
    folder: resolve(settings.folder),
    keep: settings.keep,
    schedule: settings.schedule,
    running: backupRunning(settings),
    backups: supported ? (await listBackupFiles(settings.folder)).reverse() : [],
  };
}
