import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { JOB_RUNNER } from '../../auth/roles.ts';
import { divisionScope } from '../../auth/scope.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Store } from '../../db/store.ts';
import { readImport, writeImport, type ImportReport } from '../../registry/import/import.service.ts';
import { importLimits } from '../../registry/import/limits.ts';
import { defineJobKind, type BatchOutcome } from '../job-kind.ts';
import { JobFailure } from '../jobs.errors.ts';
import { openJobPayloads } from '../jobs.repository.ts';

export const REGISTRY_IMPORT_KIND = 'registry.import';

/**
 * Where an uploaded roster waits for its import job: `<data dir>/tmp/job-files/<token>.upload`, mode 0600
 * in a 0700 folder. Unlike the upload folder (swept of every file whose process is gone), a file here
 * belongs to its job and outlives a restart; it is deleted when the job ends, and `sweepJobFiles` removes
 * those whose job has ended or never was. Workers on other hosts must share this folder (docs/operations.md).
 */
export function jobFilesFolder(dataDir: string): string {
  return join(dataDir, 'tmp', 'job-files');
}

export function jobFilePath(dataDir: string, token: string): string {
  if (!/^[0-9a-f-]{36}$/.test(token)) throw new Error(`invalid job file token: ${token}`);
  return join(jobFilesFolder(dataDir), `${token}.upload`);
}

export interface StoredJobFile {
  token: string;
  name: string;
  bytes: number;
  sha256: string;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Moves an upload (already on the data directory's disk) into the job files folder, under a new token. */
export async function keepForJob(dataDir: string, uploadPath: string, name: string): Promise<StoredJobFile> {
  const folder = jobFilesFolder(dataDir);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  const token = randomUUID();
  const path = jobFilePath(dataDir, token);
  await rename(uploadPath, path);
  const { size } = await stat(path);
  return { token, name, bytes: size, sha256: await sha256Of(path) };
}

export async function removeJobFile(dataDir: string, token: string): Promise<void> {
  await rm(jobFilePath(dataDir, token), { force: true });
}

/** Deletes the files of jobs that have ended or do not exist (what a crash between the two left). */
export async function sweepImportFiles(store: Store, dataDir: string): Promise<number> {
  const open = new Set(
    (await openJobPayloads(store.db, REGISTRY_IMPORT_KIND)).map(
      (p) => (p as { file?: { token?: string } }).file?.token,
    ),
  );
  return sweepJobFiles(dataDir, (token) => Promise.resolve(open.has(token)));
}

async function sweepJobFiles(
  dataDir: string,
  stillNeeded: (token: string) => Promise<boolean>,
): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(jobFilesFolder(dataDir));
  } catch {
    return 0;
  }
  for (const name of names) {
    const token = /^([0-9a-f-]{36})\.upload$/.exec(name)?.[1];
    if (token && (await stillNeeded(token))) continue;
    await rm(join(jobFilesFolder(dataDir), name), { force: true });
    removed += 1;
  }
  return removed;
}

const importPayload = z
  .object({
    file: z
      .object({
        token: z.uuid('文件编号格式不正确'),
        name: z.string().min(1).max(200),
        bytes: z.number().int().min(0),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, '文件摘要格式不正确'),
      })
      .strict(),
    dryRun: z.boolean().default(false),
  })
  .strict();

export type ImportPayload = z.infer<typeof importPayload>;

/** What the job shows: the import's report, without its audit event (that is in the audit log). */
function shown(report: ImportReport): Record<string, unknown> {
  const { audit: _audit, ...rest } = report;
  return { ...rest };
}

function refusal(report: ImportReport): JobFailure {
  return new JobFailure(
    `台账文件有 ${report.errorCount.toLocaleString('en-US')} 处错误，未导入任何数据`,
    shown(report),
  );
}

function done(report: ImportReport): BatchOutcome {
  return {
    cursor: 'written',
    progress: report.persons,
    total: report.persons,
    finished: true,
    result: shown(report),
  };
}

/**
 * 台账导入 as a job: the upload route keeps the file and queues this; the job reads and checks the file
 * (outside any transaction, so requests go on meanwhile), then writes it in its batch's unit of work, whose
 * one audit record is the import's (`registry.import`, with the rows' digest) and which also ends the job:
 * killed before that commits, it starts again from the file; after, it is done. A file with errors ends
 * the job failed, with the error table as its result and nothing written.
 */
export const registryImportJob = defineJobKind({
  kind: REGISTRY_IMPORT_KIND,
  label: '户籍台账导入',
  payload: importPayload,
  viewPermission: 'registry.import',
  cancelPermission: 'registry.import',
  // The same file is not imported twice while one import of it is queued, running or done.
  idempotencyKey: (payload) => `file:${payload.file.sha256}:${payload.dryRun ? 'check' : 'write'}`,
  maxAttempts: 3,
  run: async ({ job, payload }, ctx) => {
    const dataDir = ctx.config.MINZHENG_DATA_DIR;
    const path = jobFilePath(dataDir, payload.file.token);
    try {
      await stat(path);
    } catch {
      throw new JobFailure('上传的台账文件已不存在（可能已被清理）：请重新上传');
    }
    const read = await readImport(
      { path, name: payload.file.name },
      {
        scope: divisionScope(job.divisionCode),
        actor: {
          userId: job.createdBy ?? JOB_RUNNER.userId,
          divisionCode: job.actorDivision,
          reason: job.reason,
          ...(job.requestId ? { requestId: job.requestId } : {}),
        },
        dryRun: payload.dryRun,
        limits: importLimits(ctx.config),
        today: shanghaiToday(),
        jobId: job.id,
      },
    );
    try {
      if (read.refused) throw refusal(read.refused);
      // The batch's unit: the rows, the import's one audit record and the job's end commit together.
      const written: { report?: ImportReport } = {};
      const outcome = await ctx.unit(async (tx): Promise<BatchOutcome> => {
        const report = (written.report = await writeImport(tx, read));
        // A dry run, or a file the registry refuses, wrote and recorded nothing: the job's end is bookkeeping.
        if (!report.ok || report.dryRun) return { cursor: null, progress: 0, finished: false };
        return done(report);
      });
      const report = written.report!;
      if (!report.ok) throw refusal(report);
      return outcome.finished ? outcome : done(report);
    } finally {
      await read.dispose();
    }
  },
  ended: async (_job, payload, ctx) => {
    await removeJobFile(ctx.config.MINZHENG_DATA_DIR, payload.file.token);
  },
});
