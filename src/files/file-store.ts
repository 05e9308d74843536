/**
 * Where file contents live, named by their SHA-256 so that the same content is stored once.
 *
 * - **disk**: `<root>/ab/cd/<sha256>` (root = MINZHENG_FILES_DIR, else `<MINZHENG_DATA_DIR>/files`), the
 *   default of the embedded store and of a PostgreSQL server given MINZHENG_FILES_DIR (a folder every
 *   server process shares). Folders 0700, files 0400.
 * - **database**: a row of `file_blobs` (bytea), the default of a PostgreSQL server: the contents are in
 *   its backups and every process sees them.
 *
 * Crash safety. A content reaches its final name only complete and on disk: the staged file is flushed
 * (fsync), then renamed into place (atomic; across file systems it is copied to `<root>/tmp` first, flushed
 * and renamed), then the folder is flushed. `put` returns before the unit of work commits the rows that
 * name the file, so a committed row always has its content. The other way round is possible: a content
 * written whose unit then rolled back (or whose process died before committing) is an orphan, a file no
 * row names. Orphans are harmless (nothing can reach them) and `sweepOrphanFiles` removes those older
 * than a grace period (`minzheng files sweep`); it cannot remove one an upload is just now reusing (see
 * there). In the database store the content is a row of the same transaction: no orphans.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import type { Db, Session, StoreKind } from '../db/store.ts';
import { prepareUploadFolder } from '../registry/import/upload-folder.ts';
import { FilesError } from './files.errors.ts';
import { insertBlob, knownFiles, readBlob, type Storage } from './files.repository.ts';
import type { StagedFile } from './staging.ts';

export type { Storage } from './files.repository.ts';

export interface FileStore {
  /** Where new contents go. */
  readonly storage: Storage;
  /** The files folder (always set for disk; set for database when a folder is configured anyway). */
  readonly root: string | undefined;
  /**
   * Makes the staged content durable under its digest, inside `tx` for the database store. Idempotent:
   * content already present is left as it is (on disk its time is refreshed, see sweepOrphanFiles).
   * The staged file may be moved away; the caller still discards its path.
   */
  put(tx: Session, staged: StagedFile, storage?: Storage): Promise<void>;
  /** The content of a stored file, wherever it was stored. */
  read(db: Db, file: { sha256: string; storage: Storage }): Promise<Readable>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** `<root>/ab/cd/<sha256>`. */
export function contentPath(root: string, sha256: string): string {
  if (!HEX64.test(sha256)) throw new Error(`not a SHA-256 digest: ${sha256}`);
  return join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** The store's own scratch folder (copies across file systems, files being swept). */
export function scratchFolder(root: string): string {
  return join(root, 'tmp');
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Refreshes the file's times: true when it exists. */
async function touch(path: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(path, now, now);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

async function flush(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function makeFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Moves the staged content to `target`, complete and flushed before it gets the name. */
async function placeOnDisk(root: string, staged: StagedFile, target: string): Promise<void> {
  await makeFolder(dirname(target));
  await chmod(staged.path, 0o400);
  await flush(staged.path);
  try {
    await rename(staged.path, target);
  } catch (error) {
    if (errorCode(error) !== 'EXDEV') throw error;
    // The data directory and the files folder are on different file systems: copy, flush, rename.
    const scratch = scratchFolder(root);
    await prepareUploadFolder(scratch);
    const copy = join(scratch, `${process.pid}-${randomUUID()}.part`);
    try {
      await copyFile(staged.path, copy, constants.COPYFILE_EXCL);
      await chmod(copy, 0o400);
      await flush(copy);
      await rename(copy, target);
    } finally {
      await rm(copy, { force: true });
    }
  }
  await flush(dirname(target));
}

/** The disk store's write: present already (time refreshed), or placed complete under its name. */
export async function putOnDisk(root: string, staged: StagedFile): Promise<void> {
  const target = contentPath(root, staged.sha256);
  if (await touch(target)) return;
  await placeOnDisk(root, staged, target);
}

async function readFromDisk(root: string | undefined, sha256: string): Promise<Readable> {
  if (!root) {
    throw new FilesError(
      'content_missing',
      '该文件保存在文件目录中，但本服务未配置文件目录（MINZHENG_FILES_DIR）',
    );
  }
  try {
    const handle = await open(contentPath(root, sha256), 'r');
    return handle.createReadStream();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new FilesError('content_missing', '文件内容缺失（文件目录中找不到），请联系系统管理员');
    }
    throw error;
  }
}

/** A file store with contents on disk under `root`. */
export function diskFileStore(root: string): FileStore {
  return fileStore('disk', root);
}

/** A file store with contents in the database; `root` reads contents stored on disk earlier. */
export function databaseFileStore(root?: string): FileStore {
  return fileStore('database', root);
}

function fileStore(storage: Storage, root: string | undefined): FileStore {
  return {
    storage,
    root,
    async put(tx, staged, where = storage) {
      if (!HEX64.test(staged.sha256)) throw new Error(`not a SHA-256 digest: ${staged.sha256}`);
      if (where === 'database') {
        await insertBlob(tx.db, staged.sha256, await readFile(staged.path));
        return;
      }
      if (!root) throw new Error('disk storage without a files folder');
      await putOnDisk(root, staged);
    },
    async read(db, file) {
      if (file.storage === 'disk') return readFromDisk(root, file.sha256);
      const content = await readBlob(db, file.sha256);
      if (!content) throw new FilesError('content_missing', '文件内容缺失，请联系系统管理员');
      return Readable.from([Buffer.from(content.buffer, content.byteOffset, content.byteLength)]);
    },
  };
}

/** The files folder the settings name: MINZHENG_FILES_DIR, else `<data dir>/files` (embedded store). */
export function filesFolder(config: Pick<Config, 'MINZHENG_DATA_DIR' | 'MINZHENG_FILES_DIR'>): string {
  return config.MINZHENG_FILES_DIR ?? join(config.MINZHENG_DATA_DIR, 'files');
}

/**
 * The configured file store: on disk for the embedded store or when MINZHENG_FILES_DIR is set, else in the
 * PostgreSQL database.
 */
export function configuredFileStore(
  config: Pick<Config, 'MINZHENG_DATA_DIR' | 'MINZHENG_FILES_DIR'>,
  kind: StoreKind,
): FileStore {
  if (kind === 'pglite' || config.MINZHENG_FILES_DIR) return diskFileStore(filesFolder(config));
  return databaseFileStore();
}

export interface SweepReport {
  /** Content files looked at. */
  checked: number;
  /** Orphans removed. */
  removed: number;
  /** Leftovers of dead processes removed from the scratch folder. */
  scratch: number;
}

/**
 * Removes orphans from the files folder: contents no `files` row names whose time is older than
 * `graceMs` (an upload in flight writes its content before its unit commits the row; give it time).
 *
 * An upload that finds its content already present refreshes the file's time before it commits a row
 * naming it. So the sweep moves an orphan candidate aside (atomic rename into the scratch folder), looks
 * at its time again, and puts it back if it was refreshed meanwhile; an upload that comes after the move
 * finds no file and writes the content anew. A row can therefore never be left without its content.
 */
export async function sweepOrphanFiles(
  db: Db,
  root: string,
  options: { graceMs: number; now?: Date },
): Promise<SweepReport> {
  const now = (options.now ?? new Date()).getTime();
  const scratch = scratchFolder(root);
  const report: SweepReport = {
    checked: 0,
    removed: 0,
    scratch: await sweepScratch(db, root, now, options.graceMs),
  };
  for (const first of await hexFolders(root)) {
    for (const second of await hexFolders(join(root, first))) {
      const dir = join(root, first, second);
      const names = (await readdir(dir)).filter((name) => HEX64.test(name));
      report.checked += names.length;
      const old: { name: string; mtimeMs: number }[] = [];
      for (const name of names) {
        const info = await stat(join(dir, name)).catch(() => undefined);
        if (info && now - info.mtimeMs >= options.graceMs) old.push({ name, mtimeMs: info.mtimeMs });
      }
      const known = await knownFiles(
        db,
        old.map((o) => o.name),
      );
      for (const candidate of old) {
        if (known.has(candidate.name)) continue;
        if (await removeIfUntouched(root, candidate.name, scratch, candidate.mtimeMs)) report.removed++;
      }
    }
  }
  return report;
}

async function hexFolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => /^[0-9a-f]{2}$/.test(name)).sort();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}

const ASIDE = /^\d+-([0-9a-f]{64})\.sweep$/;

/**
 * The scratch folder's leftovers older than the grace period: partial copies of a process that died, and
 * contents a sweep had moved aside when it died. Such a content goes back under its name when a row names
 * it and the name is free (it was reused at that very moment); otherwise it is an orphan.
 */
async function sweepScratch(db: Db, root: string, now: number, graceMs: number): Promise<number> {
  const scratch = scratchFolder(root);
  let names: string[];
  try {
    names = await readdir(scratch);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    const path = join(scratch, name);
    const info = await stat(path).catch(() => undefined);
    if (!info || now - info.mtimeMs < graceMs) continue;
    const sha256 = ASIDE.exec(name)?.[1];
    if (sha256 && (await knownFiles(db, [sha256])).has(sha256)) {
      const target = contentPath(root, sha256);
      if (!(await stat(target).catch(() => undefined))) {
        await makeFolder(dirname(target));
        await rename(path, target);
        continue;
      }
    }
    await rm(path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

async function removeIfUntouched(
  root: string,
  sha256: string,
  scratch: string,
  seenMtimeMs: number,
): Promise<boolean> {
  const path = contentPath(root, sha256);
  await prepareUploadFolder(scratch);
  const aside = join(scratch, `${process.pid}-${sha256}.sweep`);
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
  const info = await stat(aside);
  if (info.mtimeMs !== seenMtimeMs) {
    // Reused while we looked: back under its name (the same bytes, whoever else wrote them meanwhile).
    await rename(aside, path);
    return false;
  }
  await rm(aside, { force: true });
  return true;
}
