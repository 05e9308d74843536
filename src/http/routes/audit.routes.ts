import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { auditActionList } from '../../audit/actions.ts';
import {
  AuditExportTooLarge,
  prepareAuditExport,
  writeAuditExport,
} from '../../audit/audit-export.service.ts';
import { listAuditView, type AuditFilters } from '../../audit/audit-view.service.ts';
import { recordOnly } from '../../workflow/unit-of-work.ts';
import {
  auditFiles,
  CheckpointError,
  createCheckpoint,
  latestCheckpoint,
  readCheckpointText,
  verifyCheckpoints,
  type CheckpointReport,
} from '../../audit/checkpoint.service.ts';
import { loadSigningKey, parsePublicKey, publicKeyPem, SigningKeyError } from '../../audit/signing-key.ts';
import { verifyAuditChain } from '../../audit/verify.service.ts';
import { auditPolicy } from '../../auth/policies/audit.policy.ts';
import type { AuthUser } from '../../auth/user.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { FastifyRequest } from 'fastify';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { pageOf, pageQuery, text } from '../schemas.ts';
import {
  auditRowSchema,
  checkpointAnswer,
  checkpointSchema,
  entityTypes,
  verifyAnswer,
  type VerifyAnswer,
} from '../audit.schemas.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), '不是有效的日期');

const filtersQuery = z.object({
  actor: text(60).optional().describe('操作人：用户名或姓名的一部分'),
  person: text(40).optional().describe('人员：姓名（前缀）或身份证号（18 位或后 4 位）'),
  action: z.enum(auditActionList).optional(),
  entity: z.enum(entityTypes).optional().describe('对象类型'),
  entityId: text(120).optional().describe('对象编号'),
  from: day.optional().describe('开始日期（北京时间，含）'),
  to: day.optional().describe('结束日期（北京时间，含）'),
});

type FiltersQuery = z.infer<typeof filtersQuery>;

const datesInOrder = (q: { from?: string | undefined; to?: string | undefined }) =>
  !q.from || !q.to || q.from <= q.to;
const DATES_MESSAGE = { message: '开始日期不能晚于结束日期', path: ['to'] };

function filtersOf(q: FiltersQuery): AuditFilters {
  return {
    actor: q.actor,
    person: q.person,
    action: q.action,
    entityType: q.entity,
    entityId: q.entityId,
    from: q.from,
    to: q.to,
  };
}

function readerOf(request: FastifyRequest): AuthUser {
  const user = requireUser(request);
  if (!auditPolicy.canRead(user)) throw new AppError('FORBIDDEN');
  return user;
}

/** The audit module's own failures, as the API reports them. */
function appErrorOf(error: unknown): unknown {
  if (error instanceof CheckpointError) return new AppError('CONFLICT', error.message);
  if (error instanceof SigningKeyError) return new AppError('VALIDATION', error.message);
  if (error instanceof AuditExportTooLarge) return new AppError('VALIDATION', error.message);
  return error;
}

export function registerAuditRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const files = auditFiles(config);

  app.get(
    '/api/audit',
    {
      schema: {
        tags: ['审计'],
        summary:
          '审计日志（审计员、系统管理员）：本人区划内的记录，新的在前；无解除脱敏权限者看到的身份证号与电话一律脱敏',
        querystring: pageQuery.extend(filtersQuery.shape).refine(datesInOrder, DATES_MESSAGE),
        response: { 200: pageOf(auditRowSchema) },
      },
    },
    async (request) => {
      const reader = readerOf(request);
      const { limit, offset, ...filters } = request.query;
      return listAuditView(store, reader, filtersOf(filters), { limit, offset });
    },
  );

  app.get(
    '/api/audit/export',
    {
      schema: {
        tags: ['审计'],
        summary: '导出审计日志 .xlsx（与列表相同的筛选与脱敏，至多 10,000 条；导出本身记入审计日志）',
        querystring: filtersQuery.refine(datesInOrder, DATES_MESSAGE),
        produces: [XLSX],
      },
    },
    async (request, reply) => {
      const reader = readerOf(request);
      const filters = filtersOf(request.query);
      const query = await prepareAuditExport(store, reader, filters).catch((error: unknown) => {
        throw appErrorOf(error);
      });
      const output = new PassThrough();
      writeAuditExport(store, reader, query, filters, output, request.id).catch((error: unknown) => {
        // Headers are out with the first bytes: a failure now can only cut the download short.
        request.log.error({ err: error instanceof Error ? { name: error.name } : {} }, 'audit export failed');
        output.destroy(error instanceof Error ? error : new Error('audit export failed'));
      });
      const filename = `审计日志-${shanghaiToday()}.xlsx`;
      return reply
        .header('content-type', XLSX)
        .header(
          'content-disposition',
          `attachment; filename="audit.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`,
        )
        .send(output);
    },
  );

  app.post(
    '/api/audit/verify',
    {
      schema: {
        tags: ['审计'],
        summary:
          '校验审计日志：逐条检查哈希链，并对照检查点（默认为服务器的检查点文件与密钥；也可提交库外保存的检查点与公钥）',
        body: z
          .object({
            checkpoints: z.string().max(5_000_000).optional().describe('检查点文件内容（每行一个 JSON）'),
            publicKey: z.string().max(4000).optional().describe('公钥（PEM，audit public-key 输出）'),
          })
          .nullish(),
        response: { 200: verifyAnswer },
      },
    },
    async (request): Promise<VerifyAnswer> => {
      readerOf(request);
      const chain = await verifyAuditChain(store);
      const body = request.body ?? {};
      try {
        const key = body.publicKey
          ? parsePublicKey(body.publicKey)
          : loadSigningKey(files.keyFile)?.publicKey;
        const text = body.checkpoints ?? readCheckpointText(files.checkpointFile);
        let checkpoints: CheckpointReport | null = null;
        if (key && text.trim()) checkpoints = await verifyCheckpoints(store.db, text, key, chain);
        else if (body.checkpoints !== undefined) {
          throw new AppError('VALIDATION', '服务器上没有签名密钥：请同时提交公钥（publicKey）');
        }
        return {
          chain,
          checkpoints,
          checkpointSource: body.checkpoints === undefined ? 'server' : 'submitted',
        };
      } catch (error) {
        throw appErrorOf(error);
      }
    },
  );

  app.get(
    '/api/audit/checkpoints/latest',
    {
      schema: {
        tags: ['审计'],
        summary: '服务器检查点文件中最新的检查点，与签名公钥（供保存到本机以外）',
        response: { 200: checkpointAnswer },
      },
    },
    (request) => {
      readerOf(request);
      const key = loadSigningKey(files.keyFile);
      return {
        latest: latestCheckpoint(files.checkpointFile) ?? null,
        keyId: key?.keyId ?? null,
        publicKey: key ? publicKeyPem(key.publicKey) : null,
        intervalMinutes: config.MINZHENG_AUDIT_CHECKPOINT_MINUTES,
      };
    },
  );

  app.post(
    '/api/audit/checkpoints',
    {
      schema: {
        tags: ['审计'],
        summary: '签署审计检查点（系统管理员）：校验日志后签署链头并追加到检查点文件；记入审计日志',
        response: { 201: checkpointSchema },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      if (!auditPolicy.canCheckpoint(user)) throw new AppError('FORBIDDEN');
      const { checkpoint } = await createCheckpoint(store, files).catch((error: unknown) => {
        throw appErrorOf(error);
      });
      await recordOnly(
        store,
        { userId: user.id, divisionCode: user.divisionCode, requestId: request.id },
        '管理员签署审计检查点',
        {
          action: 'audit.checkpoint',
          entityType: 'audit_log',
          after: {
            count: checkpoint.count,
            lastId: checkpoint.lastId,
            lastHash: checkpoint.lastHash,
            keyId: checkpoint.keyId,
          },
        },
      );
      return reply.status(201).send(checkpoint);
    },
  );
}
