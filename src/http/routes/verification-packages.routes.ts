import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { SigningKeyError } from '../../audit/signing-key.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { answerRequestPackage } from '../../verification/exchange/answer.service.ts';
import { ownExchangeKey, ownKeyView } from '../../verification/exchange/exchange.keys.ts';
import {
  exportRequestPackage,
  importAnswerPackage,
  importingPackage,
} from '../../verification/exchange/exchange.service.ts';
import { addPeerKey, listPeerKeys } from '../../verification/exchange/peer-keys.service.ts';
import { canonicalJson } from '../../verification/exchange/package.ts';
import { buildAdapters, loadSourceSettings } from '../../verification/sources/adapters.ts';
import type { SourceAdapter } from '../../verification/sources/source.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';
import { actorOf, isoDate } from './edit-pipeline.ts';
import { verificationCaller } from './verifications.routes.ts';

/**
 * 异地协查 (docs/verification-exchange.md): export a request's package, import another region's answer,
 * answer another region's request from our sources, and the keys — ours to hand over, theirs to register.
 * Everything needs verification.exchange (核对员); a refused package is 422 PACKAGE_REFUSED with the reason,
 * and leaves only its audit row. A package travels in the body as the JSON object of its file.
 */

const TAG = '核对委托';
const region = z.string().regex(/^\d{6}$/, '地区应为6位行政区划代码（GB/T 2260）');

const packageFileSchema = z
  .object({
    payload: z.record(z.string(), z.unknown()).describe('协查包内容（格式见 docs/verification-exchange.md）'),
    signature: z.string().describe('Ed25519 签名（base64），对 payload 的规范化 JSON'),
    keyId: z.string().describe('签名密钥编号'),
  })
  .describe('协查包文件');

const peerKeySchema = z.object({
  keyId: z.string(),
  region: z.string(),
  authority: z.string(),
  publicKey: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  addedBy: z.string().nullable(),
  addedAt: z.string(),
  status: z.enum(['valid', 'not_yet', 'ended']),
  statusName: z.string(),
});

const party = z.object({ region: z.string(), authority: z.string() });

function exchanger(request: FastifyRequest): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, 'verification.exchange')) throw new AppError('FORBIDDEN');
  return user;
}

export function registerVerificationPackageRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const ourKey = () => {
    try {
      return ownExchangeKey(config.MINZHENG_DATA_DIR);
    } catch (error) {
      if (error instanceof SigningKeyError) throw new AppError('INTERNAL', error.message);
      throw error;
    }
  };
  // Our sources as this installation reaches them, built on first use (the settings were checked at start).
  let adapters: readonly SourceAdapter[] | undefined;
  const ourSources = () =>
    (adapters ??= [
      ...buildAdapters(
        loadSourceSettings(config.MINZHENG_VERIFICATION_SOURCES, config.MINZHENG_DATA_DIR),
        store.db,
      ).values(),
    ]);

  app.post(
    '/api/verifications/:district/:id/packages',
    {
      schema: {
        tags: [TAG],
        summary:
          '导出异地协查请求包（以本方密钥签名）：须已登记协查地区的公钥；对方答复前“异地核对机构”一项为待答复，到期未答复按超时处理',
        params: z.object({ district: region, id: z.uuid('编号格式不正确') }),
        body: z.object({
          toRegion: region.describe('协查地区'),
          reason: reasonText(2, 200, '事由').default('导出异地协查请求包'),
        }),
        response: {
          201: z.object({ package: packageFileSchema, requestNo: z.string(), peerAuthority: z.string() }),
        },
      },
    },
    async (request, reply) => {
      const user = exchanger(request);
      const { params, body } = request;
      const key = ourKey();
      const result = await inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        exportRequestPackage(tx, verificationCaller(user), key, {
          districtCode: params.district,
          requestId: params.id,
          toRegion: body.toRegion,
        }),
      );
      void reply.status(201);
      return { package: result.file, requestNo: result.requestNo, peerAuthority: result.peerAuthority };
    },
  );

  app.post(
    '/api/verifications/packages/import',
    {
      schema: {
        tags: [TAG],
        summary:
          '导入异地协查答复包：未签名、签名不符（被改动）、密钥未登记或不在有效期、已过期、重复导入、非本方所发请求的答复或格式不符的，一律拒收（422），只记审计',
        body: z.object({
          package: z.unknown().describe('对方答复包文件的 JSON'),
          reason: reasonText(2, 200, '事由').default('导入异地协查答复包'),
        }),
        response: {
          200: z.object({
            packageId: z.string(),
            requestPackageId: z.string(),
            districtCode: z.string(),
            requestId: z.string(),
            requestNo: z.string(),
            from: party,
            rows: z.number().int(),
            found: z.number().int(),
            noRecord: z.number().int(),
            gaps: z.array(z.string()),
            late: z.boolean().describe('晚于协查期限：保留但不计入'),
            complete: z.boolean(),
            reported: z.boolean().describe('各数据源均已答复，已出具核对报告'),
          }),
        },
      },
    },
    async (request) => {
      const user = exchanger(request);
      const text = canonicalJson(request.body.package ?? null);
      return importingPackage(store, actorOf(request, user, request.body.reason), (tx) =>
        importAnswerPackage(tx, verificationCaller(user), text),
      );
    },
  );

  app.post(
    '/api/verifications/packages/answer',
    {
      schema: {
        tags: [TAG],
        summary:
          '答复外地的协查请求包：核验后按身份证号在本方人口库（收件地区、您的数据范围内）查找，向本方数据源查询，返回签名的答复包；查无此人的答复“无记录”',
        body: z.object({
          package: z.unknown().describe('对方请求包文件的 JSON'),
          reason: reasonText(2, 200, '事由').default('答复异地协查请求'),
        }),
        response: {
          200: z.object({
            package: packageFileSchema,
            requestPackageId: z.string(),
            from: party,
            found: z.number().int(),
            noRecord: z.number().int(),
            rows: z.number().int(),
            gaps: z.array(z.string()),
          }),
        },
      },
    },
    async (request) => {
      const user = exchanger(request);
      const text = canonicalJson(request.body.package ?? null);
      const result = await answerRequestPackage(
        store,
        actorOf(request, user, request.body.reason),
        verificationCaller(user),
        ourKey(),
        text,
        ourSources(),
      );
      const { file, ...summary } = result;
      return { package: file, ...summary };
    },
  );

  app.get(
    '/api/verifications/peer-keys',
    {
      schema: {
        tags: [TAG],
        summary: '已登记的对端核对机构公钥（状态按今天：有效、未生效、已失效）',
        response: { 200: z.object({ items: z.array(peerKeySchema) }) },
      },
    },
    async (request) => {
      const user = exchanger(request);
      return { items: await listPeerKeys(store.db, verificationCaller(user), shanghaiToday()) };
    },
  );

  app.post(
    '/api/verifications/peer-keys',
    {
      schema: {
        tags: [TAG],
        summary: '登记对端核对机构的公钥（64位十六进制 Ed25519 原始公钥；请经另一渠道与对方核对密钥编号）',
        body: z.object({
          region,
          authority: z.string().min(1).max(100),
          publicKey: z.string().describe('64位十六进制'),
          validFrom: isoDate.optional().describe('生效日期，默认今天'),
          validTo: isoDate.optional().describe('失效日期（不含当日）'),
          reason: reasonText(2, 200, '事由').default('登记异地协查对端公钥'),
        }),
        response: { 201: peerKeySchema },
      },
    },
    async (request, reply) => {
      const user = exchanger(request);
      const { reason, ...input } = request.body;
      const view = await inUnitOfWork(store, actorOf(request, user, reason), (tx) =>
        addPeerKey(tx, verificationCaller(user), input),
      );
      void reply.status(201);
      return view;
    },
  );

  app.get(
    '/api/verifications/exchange-key',
    {
      schema: {
        tags: [TAG],
        summary: '本方异地协查公钥与密钥编号，交对方登记（首次使用时生成）',
        response: { 200: z.object({ keyId: z.string(), publicKey: z.string() }) },
      },
    },
    async (request) => {
      exchanger(request);
      return Promise.resolve(ownKeyView(ourKey()));
    },
  );
}
