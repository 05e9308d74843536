import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { AuditHead } from '../audit/audit.repository.ts';
import { readHead } from '../audit/audit.repository.ts';
import { CITY_DISTRICT } from '../audit/audit.service.ts';
import { readCheckpointText, verifyCheckpoints, type AuditFiles } from '../audit/checkpoint.service.ts';
import { loadSigningKey } from '../audit/signing-key.ts';
import { verifyAuditChain, type VerifyReport } from '../audit/verify.service.ts';
import { now } from '../core/clock.ts';
import { lockDataDir } from '../db/data-dir-lock.ts';
import { pgliteStore, type MigrationReport, type Store } from '../db/store.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import {
  checksumPath,
  extractArchive,
  parseChecksumLine,
  sha256OfFile,
  STORE_FOLDER,
  type BackupManifest,
} from './backup-archive.ts';
import { BackupError } from './backup.errors.ts';
import { storeDir } from './backup.service.ts';
import { shanghaiStamp } from '../core/clock.ts';

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
 * Signed audit checkpoints past the restored log would read as a cut log: the checkpoint file is moved
 * aside (kept) when it no longer matches, so that the server's checkpoints start again from the restored log.
 */

export interface RestoreOptions {
  file: string;
  /** MINZHENG_DATA_DIR of the installation restored into. */
  dataDir: string;
  /** The expected SHA-256 (hex); by default, the one in `<file>.sha256`. */
  sha256?: string | undefined;
  actor: ActingContext;
  auditFiles: AuditFiles;
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
  tookMs: number;
}

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
 * restored head reads as a cut log), is moved aside and kept; the server then signs afresh from the
 * restored log. Returns where it went.
 */
async function settleCheckpoints(
  store: Store,
  files: AuditFiles,
  chain: VerifyReport,
  stamp: string,
): Promise<string | null> {
  const text = readCheckpointText(files.checkpointFile);
  if (!text.trim()) return null;
  const key = loadSigningKey(files.keyFile);
  if (key) {
    const report = await verifyCheckpoints(store.db, text, key.publicKey, chain);
    if (report.problems.length === 0) return null;
  }
  const moved = `${files.checkpointFile}.before-restore-${stamp}`;
  await rename(files.checkpointFile, moved);
  return moved;
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
      const manifest = await extractArchive(file, staging);
      say(`已解开备份（${manifest.files} 个文件，${manifest.bytes} 字节），正在打开并校验……`);
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
      try {
        const verify = await withPglite(target, async (store) => {
          checkpointsMovedTo = await settleCheckpoints(store, options.auditFiles, check, stamp);
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
          tookMs: Math.round(performance.now() - started),
        };
      } catch (error) {
        // The restored store did not open or verify in its place: the previous one goes back.
        await rm(target, { recursive: true, force: true });
        if (previousDir) await rename(previousDir, target);
        if (checkpointsMovedTo) await rename(checkpointsMovedTo, options.auditFiles.checkpointFile);
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
