/**
 * Where uploaded rosters wait while they are checked: `<MINZHENG_DATA_DIR>/tmp/uploads`, mode 0700, on
 * the data directory's own disk (also when the database is a PostgreSQL server), never the system temp
 * folder. A roster holds full ID numbers: every exit path deletes its file, and what a killed process
 * left behind is swept at the next start (server, or CLI import).
 *
 * A file is named after the process that wrote it (`<pid>-<uuid>.upload`): the sweep removes files of
 * processes that are gone and of the sweeping process itself (a restarted container often gets the same
 * pid), and leaves those of another live process alone (several servers may share a data directory
 * when they share a PostgreSQL server).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export function uploadFolder(dataDir: string): string {
  return join(dataDir, 'tmp', 'uploads');
}

/** Creates the folder (and its parents) and makes it private to this user. */
export async function prepareUploadFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** A fresh file name in the folder for this process. */
export function newUploadPath(dir: string): string {
  return join(dir, `${process.pid}-${randomUUID()}.upload`);
}

/** Writes a stream to a new private file (never overwriting); the caller deletes it. */
export async function saveUpload(stream: Readable, path: string): Promise<void> {
  await pipeline(stream, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
}

export async function removeUpload(path: string): Promise<void> {
  await rm(path, { force: true });
}

function ownerAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes what dead processes (and earlier runs of this pid) left; returns how many files went. */
export async function sweepUploads(dir: string): Promise<number> {
  await prepareUploadFolder(dir);
  let removed = 0;
  for (const name of await readdir(dir)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? NaN);
    if (Number.isInteger(pid) && pid > 0 && ownerAlive(pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
