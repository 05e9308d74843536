/**
 * Staging: a file on its way into the store waits in the data directory's upload folder
 * (`<MINZHENG_DATA_DIR>/tmp/uploads`, 0700, shared with the roster import and swept the same way: a file is
 * named after its process, and what a dead process left is removed at the next start). It is hashed and
 * counted while it is written, so checking it and storing it never read it twice. The caller removes it
 * on every way out (`discardStaged`); the disk store may have moved it into place already.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  newUploadPath,
  prepareUploadFolder,
  removeUpload,
  uploadFolder,
} from '../registry/import/upload-folder.ts';

export interface StagedFile {
  path: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
}

/** The folder staged files wait in, for a data directory. */
export function stagingFolder(dataDir: string): string {
  return uploadFolder(dataDir);
}

/** A fresh private path in the staging folder (created if need be); nothing is written yet. */
export async function newStagingPath(dataDir: string): Promise<string> {
  const dir = stagingFolder(dataDir);
  await prepareUploadFolder(dir);
  return newUploadPath(dir);
}

class Digesting extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
}

/** Writes a stream to a new private file at `path` (never overwriting), hashing it on the way. */
export async function stageStream(stream: Readable, path: string): Promise<StagedFile> {
  const digesting = new Digesting();
  await pipeline(stream, digesting, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  return { path, size: digesting.size, sha256: digesting.hash.digest('hex') };
}

/** Stages bytes made on the server (a generated document) the same way. */
export async function stageBytes(bytes: Uint8Array, path: string): Promise<StagedFile> {
  await writeFile(path, bytes, { flag: 'wx', mode: 0o600 });
  return { path, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function discardStaged(path: string): Promise<void> {
  if (path) await removeUpload(path);
}
