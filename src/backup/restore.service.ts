import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { AuditHead } from '../audit/audit.repository.ts';
import { readHead } from '../audit/audit.repository.ts';
import { CITY_DISTRICT } from '../audit/audit.service.ts';
import { readCheckpointText, verifyCheckpoints, type AuditFiles } from '../audit/checkpoint.service.ts';
import { keyIdOf, loadSigningKey } from '../audit/signing-key.ts';
import { verifyAuditChain, type VerifyReport } from '../audit/verify.service.ts';
import { now, shanghaiStamp } from '../core/clock.ts';
import { lockDataDir } from '../db/data-dir-lock.ts';
import { pgliteStore, type MigrationReport, type Store } from '../db/store.ts';
import { contentPath, putOnDisk } from '../files/file-store.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import {
  AUDIT_FOLDER,
  CHECKPOINTS_NAME,
  checksumPath,
  extractArchive,
  FILES_FOLDER,
  KEY_NAME,
  parseChecksumLine,
  sha256OfFile,
  STORE_FOLDER,
  type BackupManifest,
} from './backup-archive.ts';
import { BackupError } from './backup.errors.ts';
import { storeDir } from './backup.service.ts';

/**
 * 从备份恢复, into a stopped installation: `./bin/minzheng restore FILE`. In order, each step before the
 * swap refusing with nothing changed:
 *   1. the data directory's lock is taken (refused while the server or any command holds it) and kept to
 *      the end, so nothing opens the store half-restored;
 *   2. the file's SHA-256 is checked against its `.sha256` file (or `--sha256`);
 *   3. it is unpacked beside the store (`pglite.restoring-<time>`), opened (PostgreSQL's recovery), its
 *      migrations brought up to this version, and its audit log verified;
 *   4. the current store is renamed aside (`pglite.before-restore-<time>`, not deleted) and the restored one
 *      takes its place; opened there, the restore is recorded in its audit log with the previous head (the
 *      log of the database it replaced, which the restored one no longer holds), and the whole log verified
 *      again. If anything fails now, the previous store is put back.
 *   5. the file store's contents in the backup that the files folder lacks are put there (content-addressed:
 *      a content present is the same bytes, and contents the restored database does not name are harmless
 *      orphans, which also keep the previous store's attachments readable should it be put back);
 *   6. the audit signing key in the backup is installed where the installation has none (a new machine);
 *      an installation's own key is never replaced (a different one is reported).
 * Signed audit checkpoints past the restored log would read as a cut log: the checkpoint file is moved
 * aside (kept) when it no longer matches; the backup's checkpoint file (none of its checkpoints lies past
 * its log) then takes its place, so that `audit verify --checkpoints` passes and the server's checkpoints
 * continue from it. Without one, the server's checkpoints start again from the restored log.
 */

export interface RestoreOptions {
  file: string;
  /** MINZHENG_DATA_DIR of the installation restored into. */
  dataDir: string;
  /** The expected SHA-256 (hex); by default, the one in `<file>.sha256`. */
  sha256?: string | undefined;
  actor: ActingContext;
  auditFiles: AuditFiles;
  /** The file store's folder of the installation restored into (MINZHENG_FILES_DIR, else `<data dir>/files`). */
  filesDir: string;
  /** Progress, one line a step. */
  say?: (line: string) => void;
}

export interface RestoreReport {
  file: string;
  bytes: number;
  sha256: string;
  backupTakenAt: string;
  /** The audit log's head inside the backup. */
  backupHead: BackupManifest['auditHead'];
  /** The replaced store's audit head; null when there was none, or it could not be read (`previousProblem`). */
  previousHead: AuditHead | null;
  previousProblem: string | null;
  /** Where the replaced store now lies (null: there was none). */
  previousDir: string | null;
  migrations: MigrationReport;
  /** `audit verify` of the restored store, after the restore's own audit row. */
  verify: VerifyReport;
  /** Where the checkpoint file went when it no longer matched the restored log. */
  checkpointsMovedTo: string | null;
  /** Whether the backup's checkpoint file now is the installation's. */
  checkpointsRestored: boolean;
  /**
   * The file store's contents in the backup: put back into the files folder, or already there. Null for a
   * backup of format 1, which held the database only.
   */
  contents: { count: number; restored: number; present: number } | null;
  /**
   * The backup's audit signing key: installed (there was none), the same as the installation's, a different
   * one (the installation's kept), or none in the backup (it was kept outside the data directory).
   */
  signingKey: SigningKeyOutcome;
  tookMs: number;
}

export type SigningKeyOutcome = 'installed' | 'same' | 'different' | 'none';

const HEX64 = /^[0-9a-f]{64}$/;

async function expectedChecksum(file: string, given: string | undefined): Promise<string> {
  if (given !== undefined) {
    const hex = given.trim().toLowerCase();
    if (!HEX64.test(hex))
      throw new BackupError('checksum_missing', `--sha256 应为 64 位十六进制校验值：${given}`);
    return hex;
  }
  const sidecar = checksumPath(file);
  let text: string;
  try {
    text = await readFile(sidecar, 'utf8');
  } catch {
    throw new BackupError(
      'checksum_missing',
      `找不到校验文件 ${sidecar}：请把它与备份文件一起复制过来，或用 --sha256 给出校验值；未做任何更改`,
    );
  }
  const hex = parseChecksumLine(text);
  if (!hex)
    throw new BackupError('checksum_missing', `校验文件 ${sidecar} 中没有 SHA-256 校验值；未做任何更改`);
  return hex;
}

/** A PGlite store on `dir`, without the lock (the restore holds the installation's lock throughout). */
async function withPglite<T>(dir: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = pgliteStore(await PGlite.create(dir));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function firstProblem(report: VerifyReport): string {
  const first = report.problems[0]?.message ?? `另有 ${report.undiagnosed} 处异常`;
  return `${first}（共 ${report.problems.length + (report.undiagnosed > 0 ? 1 : 0)} 处问题）`;
}

async function previousHeadOf(dir: string): Promise<{ head: AuditHead | null; problem: string | null }> {
  if (!existsSync(join(dir, 'PG_VERSION'))) return { head: null, problem: null };
  try {
    return { head: (await withPglite(dir, (store) => readHead(store.db))) ?? null, problem: null };
  } catch (error) {
    return { head: null, problem: `原数据库无法打开：${messageOf(error)}` };
  }
}

/**
 * The checkpoint file, if its checkpoints no longer all match the restored log (a checkpoint past the
 * restored head reads as a cut log), is moved aside and kept. The backup's own checkpoint file, when it has
 * one that matches, takes its place (or the place of none); otherwise the server signs afresh from the
 * restored log. Returns where the old file went and whether the backup's was installed.
 */
async function settleCheckpoints(
  store: Store,
  files: AuditFiles,
  chain: VerifyReport,
  stamp: string,
  fromBackup: string | undefined,
): Promise<{ movedTo: string | null; installed: boolean }> {
  const key = loadSigningKey(files.keyFile);
  const matches = async (text: string) =>
    key !== undefined &&
    (await verifyCheckpoints(store.db, text, key.publicKey, chain)).problems.length === 0;
  const text = readCheckpointText(files.checkpointFile);
  let movedTo: string | null = null;
  if (text.trim()) {
    if (await matches(text)) return { movedTo: null, installed: false };
    movedTo = `${files.checkpointFile}.before-restore-${stamp}`;
    await rename(files.checkpointFile, movedTo);
  }
  if (fromBackup?.trim() && (await matches(fromBackup))) {
    await mkdir(dirname(files.checkpointFile), { recursive: true });
    await writeFile(files.checkpointFile, fromBackup, { mode: 0o644, flag: 'wx' });
    return { movedTo, installed: true };
  }
  return { movedTo, installed: false };
}

/** The backup's signing key (PEM and key id), read and checked before anything changes. */
async function backupKey(staging: string, file: string): Promise<{ pem: string; keyId: string } | undefined> {
  const path = join(staging, AUDIT_FOLDER, KEY_NAME);
  if (!existsSync(path)) return undefined;
  const pem = await readFile(path, 'utf8');
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return { pem, keyId: keyIdOf(createPublicKey(key)) };
  } catch {
    throw new BackupError(
      'file_corrupt',
      `备份文件 ${basename(file)} 无法读取：其中的审计签名密钥不是 Ed25519 私钥；未做任何更改`,
    );
  }
}

/** Installs the backup's key where the installation has none; an installation's own key stays. */
async function settleKey(
  key: { pem: string; keyId: string } | undefined,
  keyFile: string,
): Promise<SigningKeyOutcome> {
  if (!key) return 'none';
  const local = loadSigningKey(keyFile);
  if (local) return local.keyId === key.keyId ? 'same' : 'different';
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  await writeFile(keyFile, key.pem, { mode: 0o600, flag: 'wx' });
  return 'installed';
}

/** Puts the backup's contents the files folder lacks into it, each complete and flushed under its name. */
async function placeContents(
  staging: string,
  digests: readonly string[],
  filesDir: string,
): Promise<{ restored: number; present: number }> {
  let restored = 0;
  let present = 0;
  for (const sha256 of digests) {
    if (existsSync(contentPath(filesDir, sha256))) {
      present += 1;
      continue;
    }
    const path = join(staging, FILES_FOLDER, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    await putOnDisk(filesDir, { path, size: (await stat(path)).size, sha256 });
    restored += 1;
  }
  return { restored, present };
}

/** What a restore cut off half-way (killed while unpacking) left beside the store; we hold the lock. */
async function sweepUnfinished(target: string): Promise<void> {
  const prefix = `${basename(target)}.restoring-`;
  for (const name of await readdir(dirname(target)).catch(() => [] as string[])) {
    if (name.startsWith(prefix)) await rm(join(dirname(target), name), { recursive: true, force: true });
  }
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const say = options.say ?? (() => {});
  const started = performance.now();
  const file = resolve(options.file);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new BackupError('file_missing', `备份文件不存在：${options.file}；未做任何更改`);
  if (!info.isFile()) throw new BackupError('file_missing', `${options.file} 不是文件；未做任何更改`);
  const target = resolve(storeDir(options.dataDir));
  const lock = lockDataDir(target, { shownDir: options.dataDir, command: 'minzheng restore' });
  try {
    const expected = await expectedChecksum(file, options.sha256);
    const actual = await sha256OfFile(file);
    if (actual !== expected) {
      throw new BackupError(
        'checksum_mismatch',
        `校验值不符：备份文件 ${basename(file)} 的 SHA-256 为 ${actual}，应为 ${expected}；文件已损坏或被改动，未做任何更改`,
      );
    }
    say(`校验值相符：${actual}`);
    await sweepUnfinished(target);
    const stamp = shanghaiStamp(now());
    const staging = `${target}.restoring-${stamp}`;
    try {
      const { manifest, contents } = await extractArchive(file, staging);
      const held = manifest.contents ? `，附件文件 ${manifest.contents.count} 个` : '';
      say(`已解开备份（数据库 ${manifest.files} 个文件，${manifest.bytes} 字节${held}），正在打开并校验……`);
      const key = await backupKey(staging, file);
      const checkpointsPath = join(staging, AUDIT_FOLDER, CHECKPOINTS_NAME);
      const backupCheckpoints = existsSync(checkpointsPath)
        ? await readFile(checkpointsPath, 'utf8')
        : undefined;
      const staged = join(staging, STORE_FOLDER);
      const { migrations, check } = await withPglite(staged, async (store) => {
        const migrations = await store.migrate();
        return { migrations, check: await verifyAuditChain(store) };
      }).catch((error: unknown) => {
        if (error instanceof BackupError) throw error;
        throw new BackupError('verify_failed', `备份中的数据库无法打开：${messageOf(error)}；未做任何更改`);
      });
      if (!check.ok) {
        throw new BackupError(
          'verify_failed',
          `备份中的审计日志校验未通过：${firstProblem(check)}；未做任何更改`,
        );
      }
      const previous = await previousHeadOf(target);
      const previousDir = existsSync(target) ? `${target}.before-restore-${stamp}` : null;
      if (previousDir) await rename(target, previousDir);
      await rename(staged, target);
      let checkpointsMovedTo: string | null = null;
      let checkpointsRestored = false;
      let signingKey: SigningKeyOutcome = 'none';
      try {
        const placed = manifest.contents
          ? await placeContents(staging, contents, options.filesDir)
          : undefined;
        if (placed) say(`附件文件：放回 ${placed.restored} 个，已在附件目录中 ${placed.present} 个`);
        signingKey = await settleKey(key, options.auditFiles.keyFile);
        const verify = await withPglite(target, async (store) => {
          const settled = await settleCheckpoints(store, options.auditFiles, check, stamp, backupCheckpoints);
          checkpointsMovedTo = settled.movedTo;
          checkpointsRestored = settled.installed;
          await inUnitOfWork(store, options.actor, (tx) => {
            tx.record({
              action: 'system.restore',
              entityType: 'backup',
              entityId: basename(file),
              district: CITY_DISTRICT,
              before: {
                auditHead: previous.head,
                ...(previous.problem ? { problem: previous.problem } : {}),
                keptAt: previousDir,
              },
              after: {
                file: basename(file),
                sha256: actual,
                bytes: info.size,
                takenAt: manifest.createdAt,
                auditHead: manifest.auditHead,
                contents: placed ? { count: contents.length, restored: placed.restored } : null,
                signingKey,
                checkpointsRestored,
                checkpointsMovedTo,
              },
            });
            return Promise.resolve();
          });
          const verify = await verifyAuditChain(store);
          if (!verify.ok) {
            throw new BackupError(
              'verify_failed',
              `恢复后的审计日志校验未通过：${firstProblem(verify)}；已放回原数据库`,
            );
          }
          return verify;
        });
        return {
          file,
          bytes: info.size,
          sha256: actual,
          backupTakenAt: manifest.createdAt,
          backupHead: manifest.auditHead,
          previousHead: previous.head,
          previousProblem: previous.problem,
          previousDir,
          migrations,
          verify,
          checkpointsMovedTo,
          checkpointsRestored,
          contents: placed ? { count: contents.length, ...placed } : null,
          signingKey,
          tookMs: Math.round(performance.now() - started),
        };
      } catch (error) {
        // The restored store did not open or verify in its place: the previous one goes back, with the
        // audit files as they were. Contents put into the files folder stay (orphans: harmless, swept).
        await rm(target, { recursive: true, force: true });
        if (previousDir) await rename(previousDir, target);
        if (checkpointsRestored) await rm(options.auditFiles.checkpointFile, { force: true });
        if (checkpointsMovedTo) await rename(checkpointsMovedTo, options.auditFiles.checkpointFile);
        if (signingKey === 'installed') await rm(options.auditFiles.keyFile, { force: true });
        throw error instanceof BackupError
          ? error
          : new BackupError('verify_failed', `恢复后的数据库无法打开：${messageOf(error)}；已放回原数据库`);
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  } finally {
    lock.release();
  }
}
