import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scopeOf } from '../../auth/roles.ts';
import { scopeDistrict } from '../../auth/scope.ts';
import type { AuthUser } from '../../auth/user.ts';
import type { Config } from '../../config.ts';
import { normaliseText, textProblem, TEXT_PROBLEM_MESSAGES } from '../../core/text.ts';
import { ATTACHMENT_KINDS, attachmentKindList } from '../../files/attachment-targets.ts';
import { ACCEPTED_EXTENSIONS, ACCEPTED_TYPES_TEXT } from '../../files/content-type.ts';
import { configuredFileStore } from '../../files/file-store.ts';
import { FilesError } from '../../files/files.errors.ts';
import {
  attachFile,
  listAttachments,
  locateEntity,
  openAttachment,
  removeAttachment,
  sizeText,
  type AttachmentCaller,
  type AttachmentView,
  type EntityRef,
} from '../../files/files.service.ts';
import { discardStaged, newStagingPath, stageStream, type StagedFile } from '../../files/staging.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';
import { safeUploadName } from './import.routes.ts';

/**
 * 附件: upload, list, download and remove the files attached to a record. The record is named in the path
 * (`/api/attachments/household/<id>`), its district by `?district=` for city-level users as on the
 * registry's detail routes; whether the caller may see it is asked before the upload is read.
 */

const attachmentSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  kind: z.string(),
  kindName: z.string().describe('材料类型：授权书、身份证明、收入证明……'),
  name: z.string().describe('上传时的文件名'),
  size: z.number().int().describe('字节数'),
  contentType: z.string().describe('按文件内容识别的类型（MIME）'),
  typeName: z.string(),
  sha256: z.string(),
  uploadedBy: z.string().nullable(),
  uploadedByName: z.string(),
  uploadedAt: z.string(),
  removedAt: z.string().nullable(),
  removedBy: z.string().nullable(),
  removedByName: z.string().nullable(),
  removalReason: z.string().nullable(),
});

const entityParams = z.object({
  entityType: z
    .string()
    .regex(/^[a-z_]{1,40}$/, '记录类型格式不正确')
    .describe('记录类型：person（人员）、household（家庭户）'),
  entityId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, '记录编号格式不正确'),
});
const attachmentParams = entityParams.extend({ attachmentId: z.uuid('附件编号格式不正确') });
const districtQuery = z.object({
  district: z
    .string()
    .regex(/^\d{6}$/)
    .optional()
    .describe('记录所在区代码；区级以下用户可省略（取其数据范围所在区）'),
});

function callerOf(user: AuthUser): AttachmentCaller {
  return { role: user.role, scope: scopeOf(user) };
}

/** The record the path names, in the caller's district (a city-level user names it, else the default). */
function entityOf(
  user: AuthUser,
  params: { entityType: string; entityId: string },
  district: string | undefined,
  config: Config,
): EntityRef {
  const own = scopeDistrict(scopeOf(user));
  if (own && district && district !== own) throw new AppError('NOT_FOUND');
  return {
    entityType: params.entityType,
    entityId: params.entityId,
    districtCode: own ?? district ?? config.MINZHENG_DEMO_DISTRICT,
  };
}

function actingAs(request: FastifyRequest, user: AuthUser, reason: string): ActingContext {
  return { userId: user.id, divisionCode: user.divisionCode, reason, requestId: request.id };
}

interface Upload {
  path: string;
  name: string;
  staged: StagedFile | undefined;
  fields: Record<string, string>;
}

/**
 * Reads the multipart body to its end, staging the file (its path set on `upload` at once, so the
 * caller's clean-up finds it); a problem is raised only after the body has been read, as the roster
 * import does (the parts iterator does not finish while a part is left unread).
 */
async function receive(request: FastifyRequest, upload: Upload, dataDir: string, maxBytes: number) {
  let problem: Error | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes } })) {
      if (part.type !== 'file') {
        if (typeof part.value === 'string') upload.fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== 'file' || upload.path) {
        part.file.resume();
        problem ??= new AppError('VALIDATION', '只能上传一个名为 file 的文件');
        continue;
      }
      upload.path = await newStagingPath(dataDir);
      upload.name = safeUploadName(part.filename);
      upload.staged = await stageStream(part.file, upload.path);
      if (part.file.truncated) {
        problem ??= new FilesError('too_large', `文件「${upload.name}」超过 ${sizeText(maxBytes)} 的上限`);
      }
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new FilesError('too_large', `文件「${upload.name}」超过 ${sizeText(maxBytes)} 的上限`);
    }
    // busboy's own complaints carry no code: the client's body is broken. Limits and ENOSPC keep theirs.
    if (error instanceof AppError || typeof code === 'string') throw error;
    throw new AppError('BAD_REQUEST', '上传内容不完整或格式错误（应为 multipart/form-data）：请重新上传');
  }
  if (problem) throw problem;
}

/** A multipart text field, checked by the same text rules as JSON bodies. */
function fieldText(fields: Record<string, string>, name: string, label: string, max: number): string {
  const value = fields[name] ?? '';
  const problem = textProblem(value);
  if (problem) throw new AppError('VALIDATION', `${label}${TEXT_PROBLEM_MESSAGES[problem]}`);
  const text = normaliseText(value);
  if ([...text].length > max) throw new AppError('VALIDATION', `${label}最多 ${max} 个字`);
  return text;
}

/** `filename*` (RFC 6266/5987) for any name, and an ASCII fallback for old clients. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerFileRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const files = configuredFileStore(config, store.kind);
  const maxBytes = config.MINZHENG_FILE_MAX_MB * 1024 * 1024;

  app.get(
    '/api/attachments/kinds',
    {
      schema: {
        tags: ['附件'],
        summary: '附件的材料类型、可接受的文件类型与大小上限',
        response: {
          200: z.object({
            kinds: z.array(z.object({ kind: z.string(), name: z.string() })),
            extensions: z.array(z.string()),
            acceptedText: z.string(),
            maxBytes: z.number().int(),
          }),
        },
      },
    },
    (request) => {
      requireUser(request);
      return {
        kinds: attachmentKindList.map((kind) => ({ kind, name: ATTACHMENT_KINDS[kind] })),
        extensions: [...ACCEPTED_EXTENSIONS],
        acceptedText: ACCEPTED_TYPES_TEXT,
        maxBytes,
      };
    },
  );

  app.get(
    '/api/attachments/:entityType/:entityId',
    {
      schema: {
        tags: ['附件'],
        summary: '某条记录的附件列表（removed=true 时含已移除的附件）；记录不在数据范围内时 404',
        params: entityParams,
        querystring: districtQuery.extend({ removed: z.enum(['true', 'false']).default('false') }),
        response: { 200: z.array(attachmentSchema) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const entity = entityOf(user, request.params, request.query.district, config);
      return listAttachments(store.db, callerOf(user), entity, {
        includeRemoved: request.query.removed === 'true',
      });
    },
  );

  app.post(
    '/api/attachments/:entityType/:entityId',
    {
      schema: {
        tags: ['附件'],
        summary: `上传附件（multipart：file、kind 材料类型、reason 可选）；按文件内容识别类型，只接受 ${ACCEPTED_TYPES_TEXT}，内容与扩展名不符时 415，不写入任何数据`,
        consumes: ['multipart/form-data'],
        params: entityParams,
        querystring: districtQuery,
        response: { 201: attachmentSchema },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const caller = callerOf(user);
      const entity = entityOf(user, request.params, request.query.district, config);
      // Before the body is read: a record the caller may not attach to costs no upload.
      await locateEntity(store.db, caller, entity, 'write');
      if (!request.isMultipart())
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传文件');
      const upload: Upload = { path: '', name: 'upload', staged: undefined, fields: {} };
      try {
        await receive(request, upload, config.MINZHENG_DATA_DIR, maxBytes);
        const staged = upload.staged;
        if (!staged) throw new AppError('VALIDATION', '缺少上传文件（字段 file）');
        const kind = fieldText(upload.fields, 'kind', '材料类型', 40) || 'other';
        const reason = fieldText(upload.fields, 'reason', '上传原因', 200);
        const view = await inUnitOfWork(
          store,
          actingAs(request, user, reason || `上传附件：${upload.name}`),
          (tx) => attachFile(tx, files, caller, { entity, kind, name: upload.name, staged, maxBytes }),
        );
        // Answered once the handler returns, so after the finally below has removed the staged upload.
        void reply.status(201);
        return view;
      } finally {
        // Every way out removes the staged upload (stored, refused, client gone, failure).
        await discardStaged(upload.path);
      }
    },
  );

  app.get(
    '/api/attachments/:entityType/:entityId/:attachmentId/content',
    {
      schema: {
        tags: ['附件'],
        summary: '下载附件（含已移除的附件）；每次下载记入审计日志：谁下载了哪条记录的哪个文件',
        params: attachmentParams,
        querystring: districtQuery,
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const entity = entityOf(user, request.params, request.query.district, config);
      // The unit commits the audit row before a byte of the content is sent; if it cannot, the content
      // opened inside it is closed unread.
      let content: Readable | undefined;
      let attachment: AttachmentView;
      try {
        attachment = await inUnitOfWork(store, actingAs(request, user, '下载附件'), async (tx) => {
          const opened = await openAttachment(tx, files, callerOf(user), entity, request.params.attachmentId);
          content = opened.content;
          return opened.attachment;
        });
      } catch (error) {
        content?.destroy();
        throw error;
      }
      return reply
        .header('content-type', attachment.contentType)
        .header('content-length', String(attachment.size))
        .header('content-disposition', contentDisposition(attachment.name))
        .header('cache-control', 'private, no-store')
        .send(content);
    },
  );

  app.post(
    '/api/attachments/:entityType/:entityId/:attachmentId/remove',
    {
      schema: {
        tags: ['附件'],
        summary: '移除附件（须说明原因；记入审计日志）；文件本身保留，已移除的附件仍可在列表中查看',
        params: attachmentParams,
        querystring: districtQuery,
        body: z.object({ reason: reasonText(2, 200, '移除原因') }),
        response: { 200: attachmentSchema },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const entity = entityOf(user, request.params, request.query.district, config);
      return inUnitOfWork(store, actingAs(request, user, request.body.reason), (tx) =>
        removeAttachment(tx, callerOf(user), entity, request.params.attachmentId),
      );
    },
  );
}
