import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { importPolicy } from '../../auth/policies/import.policy.ts';
import { scopeOf } from '../../auth/roles.ts';
import { normaliseText, textProblem, TEXT_PROBLEM_MESSAGES } from '../../core/text.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { jobKinds } from '../../jobs/kinds/index.ts';
import { keepForJob, REGISTRY_IMPORT_KIND, removeJobFile } from '../../jobs/kinds/registry-import.job.ts';
import { presentJob } from '../../jobs/jobs.present.ts';
import { canCancelJob, enqueueJob, userViewer } from '../../jobs/jobs.service.ts';
import { readImport, writeImport, type ImportReport } from '../../registry/import/import.service.ts';
import { importLimits } from '../../registry/import/limits.ts';
import {
  newUploadPath,
  prepareUploadFolder,
  removeUpload,
  saveUpload,
  uploadFolder,
} from '../../registry/import/upload-folder.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { withoutControlCharacters } from '../schemas.ts';
import { jobSchema } from './jobs.routes.ts';

/**
 * The client's file name is only a label (kind sniffing, the audit record): reduced to its last path
 * segment without control characters, never used to build a path on the server.
 */
export function safeUploadName(name: string | undefined): string {
  const last = (name ?? '').replaceAll('\\', '/').split('/').pop() ?? '';
  const clean = withoutControlCharacters(last).replace(/^\.+/, '').trim().slice(-120);
  return clean === '' ? 'upload' : clean;
}

const reportSchema = z.object({
  ok: z.boolean(),
  dryRun: z.boolean(),
  rows: z.number().int(),
  households: z.number().int(),
  persons: z.number().int(),
  errors: z.array(
    z.object({
      row: z.number().int().nullable(),
      column: z.string().nullable(),
      value: z.string().nullable(),
      reason: z.string(),
    }),
  ),
  errorCount: z.number().int(),
});

export interface Upload {
  path: string;
  name: string;
  fields: Record<string, string>;
}

/** The multipart text fields are not seen by the validator compiler: the same text rules, here. */
function fieldText(fields: Record<string, string>, name: string, label: string): string {
  const value = fields[name] ?? '';
  const problem = textProblem(value);
  if (problem) throw new AppError('VALIDATION', `${label}${TEXT_PROBLEM_MESSAGES[problem]}`);
  return normaliseText(value);
}

/**
 * Reads the multipart body to its end, the file into the upload folder (its path set on `upload` at
 * once, so the caller's clean-up finds it). A problem is raised only after the body has been read: the
 * parts iterator does not finish while a part is left unread, and the request would hang.
 */
export async function receive(
  request: FastifyRequest,
  upload: Upload,
  uploadDir: string,
  maxUploadMb: number,
): Promise<void> {
  let problem: AppError | undefined;
  try {
    problem = await readParts(request, upload, uploadDir, maxUploadMb);
  } catch (error) {
    // busboy's own complaints ("Unexpected end of multipart data") carry no code: the client's body is
    // broken, not the server. Limits (FST_*) and file-system errors (ENOSPC) keep theirs.
    if (error instanceof AppError || typeof (error as { code?: unknown }).code === 'string') throw error;
    throw new AppError('BAD_REQUEST', '上传内容不完整或格式错误（应为 multipart/form-data）：请重新上传');
  }
  if (problem) throw problem;
}

async function readParts(
  request: FastifyRequest,
  upload: Upload,
  uploadDir: string,
  maxUploadMb: number,
): Promise<AppError | undefined> {
  let problem: AppError | undefined;
  for await (const part of request.parts()) {
    if (part.type !== 'file') {
      if (typeof part.value === 'string') upload.fields[part.fieldname] = part.value;
      continue;
    }
    if (part.fieldname !== 'file' || upload.path) {
      part.file.resume();
      problem ??= new AppError('VALIDATION', '只能上传一个名为 file 的文件');
      continue;
    }
    await prepareUploadFolder(uploadDir);
    upload.path = newUploadPath(uploadDir);
    upload.name = safeUploadName(part.filename);
    await saveUpload(part.file, upload.path);
    if (part.file.truncated) problem ??= new AppError('PAYLOAD_TOO_LARGE', `文件超过 ${maxUploadMb} MB`);
  }
  return problem;
}

export function registerImportRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const kinds = jobKinds();
  const uploadDir = uploadFolder(config.MINZHENG_DATA_DIR);
  const limits = importLimits(config);
  app.post(
    '/api/households/import',
    {
      schema: {
        tags: ['人口信息'],
        summary:
          '导入户籍台账（multipart：file、dryRun "true"/"false"、reason）：试运行当场校验，有错误时 400 并返回错误表；正式导入提交为任务，返回 202 和任务（进度与结果见 /api/jobs/{id}）',
        consumes: ['multipart/form-data'],
        response: { 200: reportSchema, 202: z.object({ job: jobSchema, existing: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      if (!importPolicy.canImport(user)) throw new AppError('FORBIDDEN');
      if (!request.isMultipart())
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传文件');
      const upload: Upload = { path: '', name: 'upload', fields: {} };
      try {
        await receive(request, upload, uploadDir, config.MINZHENG_MAX_UPLOAD_MB);
        if (!upload.path) throw new AppError('VALIDATION', '缺少上传文件（字段 file）');
        const dryRun = upload.fields.dryRun ?? 'false';
        if (dryRun !== 'true' && dryRun !== 'false')
          throw new AppError('VALIDATION', 'dryRun 只能是 "true" 或 "false"');
        const reason = fieldText(upload.fields, 'reason', '导入原因').slice(0, 500);
        if (dryRun === 'false') {
          // The import itself is a job (src/jobs/kinds/registry-import.job.ts): the file moves to the job
          // files folder, where it outlives a restart, and the answer is the job to follow.
          if (reason.trim() === '') throw new AppError('VALIDATION', '请填写导入原因（写入审计日志）');
          const kept = await keepForJob(config.MINZHENG_DATA_DIR, upload.path, upload.name);
          upload.path = '';
          const enqueued = await enqueueJob(store, kinds, {
            kind: REGISTRY_IMPORT_KIND,
            payload: { file: kept, dryRun: false },
            actor: { userId: user.id, divisionCode: user.divisionCode, reason, requestId: request.id },
            divisionCode: user.divisionCode,
          }).catch(async (error: unknown) => {
            await removeJobFile(config.MINZHENG_DATA_DIR, kept.token);
            throw error;
          });
          // The same file already queued, running or imported: that job; this upload is not needed.
          if (enqueued.existing) await removeJobFile(config.MINZHENG_DATA_DIR, kept.token);
          const job = {
            ...presentJob(enqueued.job, kinds),
            canCancel: canCancelJob(userViewer(user), enqueued.job, kinds.get(REGISTRY_IMPORT_KIND)),
          };
          return reply.status(202).send({ job, existing: enqueued.existing });
        }
        // A dry run: the file read and checked, then the duplicate checks in this request's unit of work
        // (which writes and records nothing).
        const actor = { userId: user.id, divisionCode: user.divisionCode, reason, requestId: request.id };
        const read = await readImport(
          { path: upload.path, name: upload.name },
          { scope: scopeOf(user), actor, dryRun: true, today: shanghaiToday(), limits },
        );
        let report: ImportReport;
        try {
          report = read.refused ?? (await inUnitOfWork(store, actor, (tx) => writeImport(tx, read)));
        } finally {
          await read.dispose();
        }
        const { audit: _audit, ...shown } = report;
        if (!report.ok) throw new AppError('IMPORT_INVALID', undefined, { payload: shown });
        return shown;
      } finally {
        // Every way out (done, refused, client gone, failure) removes the file: it holds ID numbers.
        if (upload.path) await removeUpload(upload.path);
      }
    },
  );
}
