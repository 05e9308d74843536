import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import {
  endAuthorisation,
  listAuthorisations,
  registerAuthorisation,
} from '../../verification/authorisation.service.ts';
import { enqueueGathering } from '../../verification/gather.service.ts';
import {
  createRequest,
  getRequest,
  listRequests,
  withdrawRequest,
} from '../../verification/request.service.ts';
import type { VerificationCaller } from '../../verification/verification.caller.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText, timelineEvent } from '../schemas.ts';
import { actorOf, int, isoDate, version } from './edit-pipeline.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/**
 * 核对委托 and 核对授权书 (src/verification). Reports, objections and packages have their own route files
 * (verification-reports.routes.ts, verification-packages.routes.ts).
 */

const TAG = '核对';
const VERIFICATION_STATES = [
  'received',
  'gathering',
  'reported',
  'in_review',
  'reviewed',
  'withdrawn',
] as const;

const signer = z.object({ personId: z.string(), name: z.string() });

const authorisationSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  householdId: z.string(),
  purpose: z.string(),
  purposeName: z.string(),
  signers: z.array(signer),
  signedOn: z.string(),
  validUntil: z.string().nullable().describe('有效期至（不含当日）；随待遇延续的授权书为 null'),
  standing: z.boolean().describe('申请时签署、随待遇延续（覆盖定期复核）'),
  endedOn: z.string().nullable(),
  endReason: z.string().nullable(),
  current: z.boolean().describe('今天是否有效'),
  attachmentId: z.string(),
  version: int,
});

const requestSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  requestNo: z.string(),
  householdId: z.string(),
  householdNo: z.string().nullable(),
  address: z.string().nullable(),
  committeeCode: z.string(),
  streetName: z.string().nullable(),
  committeeName: z.string().nullable(),
  purpose: z.string(),
  purposeName: z.string(),
  origin: z.string(),
  originName: z.string(),
  members: z.array(z.object({ personId: z.string(), name: z.string(), idNumberMasked: z.string() })),
  authorisationIds: z.array(z.string()),
  asOf: z.string(),
  state: z.enum(VERIFICATION_STATES),
  stateName: z.string(),
  version: int,
  partial: z.boolean().describe('有部门未答复或查询失败，报告注明缺口'),
  due: z.object({
    due: z.string(),
    from: z.string(),
    workingDays: int,
    rule: z.string(),
    provisional: z.boolean(),
  }),
  overdue: z.boolean(),
  progress: z.object({ answered: int, failed: int, waiting: int, total: int }),
  createdAt: z.string(),
  reportedAt: z.string().nullable(),
  allowedActions: z.array(z.object({ action: z.string(), label: z.string() })),
});

const detailSchema = requestSchema.extend({
  sources: z.array(
    z.object({
      source: z.string(),
      sourceName: z.string(),
      state: z.string(),
      stateName: z.string(),
      attempts: int,
      sentAt: z.string().nullable(),
      answeredAt: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  timeline: z.array(timelineEvent),
});

const requestParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});

export function verificationCaller(user: AuthUser): VerificationCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function allowed(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

export function registerVerificationRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store, config } = deps;
  const district = (user: AuthUser, requested: string | undefined) =>
    districtOf(scopeOf(user), requested, config);

  app.post(
    '/api/verifications/authorisations',
    {
      schema: {
        tags: [TAG],
        summary:
          '登记核对授权书：先将签署的授权书作为家庭户附件上传（材料类型 authorisation），再登记签署人与用途',
        querystring: districtQuery,
        body: z.object({
          householdId: z.uuid('家庭户编号格式不正确'),
          purpose: z.string().min(1).max(40),
          personIds: z.array(z.uuid('签署人编号格式不正确')).min(1, '请选择签署人').max(30),
          signedOn: isoDate,
          standing: z.boolean().default(false).describe('申请时签署、在待遇存续期间用于定期复核'),
          attachmentId: z.uuid('请上传签署的授权书'),
          reason: reasonText(2, 200, '登记原因').default('登记核对授权书'),
        }),
        response: { 201: authorisationSchema },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'verification.request');
      const { body } = request;
      const districtCode = district(user, request.query.district);
      const view = await inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        registerAuthorisation(tx, verificationCaller(user), {
          districtCode,
          householdId: body.householdId,
          purpose: body.purpose,
          personIds: body.personIds,
          signedOn: body.signedOn,
          standing: body.standing,
          attachmentId: body.attachmentId,
        }),
      );
      void reply.status(201);
      return view;
    },
  );

  app.get(
    '/api/verifications/authorisations',
    {
      schema: {
        tags: [TAG],
        summary: '家庭户的核对授权书（各用途，含已过期、已终止）',
        querystring: districtQuery.extend({ householdId: z.uuid('家庭户编号格式不正确') }),
        response: { 200: z.object({ items: z.array(authorisationSchema) }) },
      },
    },
    async (request) => {
      const user = allowed(request, 'verification.view');
      const districtCode = district(user, request.query.district);
      return {
        items: await listAuthorisations(
          store.db,
          verificationCaller(user),
          districtCode,
          request.query.householdId,
        ),
      };
    },
  );

  app.post(
    '/api/verifications/authorisations/:district/:id/end',
    {
      schema: {
        tags: [TAG],
        summary: '终止核对授权（待遇终止、撤回授权）',
        params: requestParams,
        body: z.object({ version, endedOn: isoDate, reason: reasonText(2, 200, '终止原因') }),
        response: { 200: authorisationSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'verification.request');
      const { body, params } = request;
      return inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        endAuthorisation(
          tx,
          verificationCaller(user),
          { districtCode: params.district, id: params.id, version: body.version },
          body.endedOn,
          body.reason,
        ),
      );
    },
  );

  app.post(
    '/api/verifications',
    {
      schema: {
        tags: [TAG],
        summary:
          '受理核对委托：每名成年家庭成员须有今天有效的该用途授权书，否则 422 并列出未签署者，不写入任何数据',
        querystring: districtQuery,
        body: z.object({
          householdId: z.uuid('家庭户编号格式不正确'),
          purpose: z
            .string()
            .min(1)
            .max(40)
            .describe('政策项目代码（dibao 等），或 housing_lianzu、housing_gongyou、other'),
          reason: reasonText(2, 200, '核对事由').default('受理核对委托'),
        }),
        response: { 201: requestSchema },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'verification.request');
      const { body } = request;
      const districtCode = district(user, request.query.district);
      const calendar = await calendarOf(store);
      const view = await inUnitOfWork(store, actorOf(request, user, body.reason), async (tx) => {
        const created = await createRequest(tx, verificationCaller(user), calendar, {
          districtCode,
          householdId: body.householdId,
          purpose: body.purpose,
        });
        await enqueueGathering(tx, districtCode);
        return created;
      });
      void reply.status(201);
      return view;
    },
  );

  app.get(
    '/api/verifications',
    {
      schema: {
        tags: [TAG],
        summary: '核对委托列表（数据范围内，新者在前）；overdue=true 只列逾期未出具报告的',
        querystring: districtQuery.extend({
          state: z.enum(VERIFICATION_STATES).optional(),
          purpose: z.string().max(40).optional(),
          origin: z.enum(['application', 'recheck', 'exchange']).optional(),
          householdId: z.uuid().optional(),
          requestNo: z.string().max(40).optional(),
          overdue: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(20),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(requestSchema), total: int }) },
      },
    },
    async (request) => {
      const user = allowed(request, 'verification.view');
      const q = request.query;
      const today = shanghaiToday();
      return listRequests(store.db, verificationCaller(user), {
        state: q.state,
        purpose: q.purpose,
        origin: q.origin,
        householdId: q.householdId,
        requestNo: q.requestNo,
        overdueOn: q.overdue === 'true' ? today : undefined,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.get(
    '/api/verifications/:district/:id',
    {
      schema: {
        tags: [TAG],
        summary: '核对委托详情：各部门查询状态与办理过程',
        params: requestParams,
        response: { 200: detailSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'verification.view');
      return getRequest(store.db, verificationCaller(user), {
        districtCode: request.params.district,
        id: request.params.id,
      });
    },
  );

  app.post(
    '/api/verifications/:district/:id/withdraw',
    {
      schema: {
        tags: [TAG],
        summary: '撤销核对委托（出具报告前）',
        params: requestParams,
        body: z.object({ version, reason: reasonText(2, 200, '撤销原因') }),
        response: { 200: detailSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'verification.request');
      const { body, params } = request;
      return inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        withdrawRequest(tx, verificationCaller(user), {
          districtCode: params.district,
          id: params.id,
          version: body.version,
        }),
      );
    },
  );
}
