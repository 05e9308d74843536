import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { shanghaiMonth } from '../../core/clock.ts';
import { changeReport, CHANGE_KINDS } from '../../cases/changes/change.present.ts';
import { reportChange } from '../../cases/changes/change.service.ts';
import { listDueReviews, openReview } from '../../cases/reviews/review.service.ts';
import { REVIEWS_KIND } from '../../cases/reviews/reviews.job.ts';
import { presentJob } from '../../jobs/jobs.present.ts';
import { canCancelJob, enqueueJob, userViewer } from '../../jobs/jobs.service.ts';
import { jobKinds } from '../../jobs/kinds/index.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';
import { caseCaller } from './cases.routes.ts';
import { actorOf, int } from './edit-pipeline.ts';
import { jobSchema } from './jobs.routes.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/**
 * 复审与变更 (src/cases/reviews, src/cases/changes; docs/cases.md 复审与变更): the households due for review, opening
 * one review or all of a month's (a job), reporting a change (a change case), and what a case's change report
 * and decision did to the entitlements.
 */

const TAG = '救助申请';
const MONTH = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份应为 YYYY-MM');

const dueSchema = z.object({
  districtCode: z.string(),
  householdId: z.string(),
  householdNo: z.string().nullable(),
  committeeCode: z.string(),
  dueMonth: z.string().describe('复审月份（到期最早的项目）'),
  overdue: z.boolean().describe('复审月份早于本月'),
  programs: z.array(z.string()),
  programNames: z.array(z.string()),
  householdType: z.string(),
  householdTypeName: z.string(),
  lastReviewedMonth: z.string().nullable(),
  openCase: z.object({ id: z.string(), caseNo: z.string() }).nullable().describe('办理中的复审'),
});

const caseKey = z.object({ districtCode: z.string(), id: z.string(), caseNo: z.string(), state: z.string() });

const entitlementChange = z.object({
  entitlementId: z.string(),
  program: z.string(),
  programName: z.string(),
  kind: z.string(),
  kindName: z.string(),
  amountBeforeFen: z.number().nullable(),
  amountAfterFen: z.number().nullable(),
  effectiveMonth: z.string().nullable(),
  reason: z.string(),
  changedAt: z.string(),
});

function allowed(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

export function registerCaseReviewRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const kinds = jobKinds();

  app.get(
    '/api/cases/reviews/due',
    {
      schema: {
        tags: [TAG],
        summary:
          '定期复审名单：数据范围内到期（含逾期）应复审的家庭，按复审月份排序；division 为街道或居委会',
        querystring: z.object({
          month: MONTH.optional().describe('到期截至月份，默认本月'),
          division: z
            .string()
            .regex(/^\d{9}(\d{3})?$/, '街道或居委会代码应为 9 或 12 位数字')
            .optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ month: z.string(), items: z.array(dueSchema), total: int }) },
      },
    },
    async (request) => {
      const user = allowed(request, 'cases.view');
      return listDueReviews(store.db, caseCaller(user), request.query);
    },
  );

  app.post(
    '/api/cases/reviews',
    {
      schema: {
        tags: [TAG],
        summary: '开启一户的定期复审（生成复审申请，直接进入核对）；未到期或已有办理中的复审时拒绝',
        querystring: districtQuery,
        body: z.object({
          householdId: z.uuid('家庭户编号格式不正确'),
          month: MONTH.optional(),
          reason: reasonText(2, 200, '开启复审理由').default('开启定期复审'),
        }),
        response: { 201: caseKey },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'cases.accept');
      const districtCode = districtOf(scopeOf(user), request.query.district, config);
      const calendar = await calendarOf(store);
      const row = await inUnitOfWork(store, actorOf(request, user, request.body.reason), (tx) =>
        openReview(tx, caseCaller(user), calendar, {
          districtCode,
          householdId: request.body.householdId,
          month: request.body.month,
        }),
      );
      void reply.status(201);
      return { districtCode: row.districtCode, id: row.id, caseNo: row.caseNo, state: row.state };
    },
  );

  app.post(
    '/api/cases/reviews/open-all',
    {
      schema: {
        tags: [TAG],
        summary:
          '批量开启到期的定期复审（任务，202）：数据范围内到期且没有办理中复审的家庭各开启一件；重复运行不会重复开启',
        querystring: districtQuery,
        body: z.object({
          month: MONTH.optional(),
          reason: reasonText(2, 200, '开启复审理由').default('批量开启定期复审'),
        }),
        response: { 202: z.object({ job: jobSchema.extend({ canCancel: z.boolean() }) }) },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'cases.accept');
      const districtCode = districtOf(scopeOf(user), request.query.district, config);
      const enqueued = await enqueueJob(store, kinds, {
        kind: REVIEWS_KIND,
        payload: { districtCode, month: request.body.month ?? shanghaiMonth() },
        actor: actorOf(request, user, request.body.reason),
        divisionCode: user.divisionCode === '310000' ? districtCode : user.divisionCode,
      });
      const job = {
        ...presentJob(enqueued.job, kinds),
        canCancel: canCancelJob(userViewer(user), enqueued.job, kinds.get(REVIEWS_KIND)),
      };
      return reply.status(202).send({ job });
    },
  );

  app.post(
    '/api/cases/changes',
    {
      schema: {
        tags: [TAG],
        summary:
          '报告变更（生成变更申请）：收入变化、人员变化、死亡、迁出本区、核对变化（定期复核的变更清单）、其他；死亡或迁出后本户无人的，经街道审核确认后自下月起停发，其余重新核算',
        querystring: districtQuery,
        body: z.object({
          householdId: z.uuid('家庭户编号格式不正确'),
          changeKind: z.enum(CHANGE_KINDS),
          occurredOn: z.string().describe('发生日期 YYYY-MM-DD'),
          note: z.string().max(500),
          subjectPersonId: z.uuid('人员编号格式不正确').nullable().optional().describe('死亡、迁出的人员'),
          recheckJobId: z.uuid('任务编号格式不正确').optional().describe('核对变化：定期复核任务'),
          reason: reasonText(2, 200, '报告理由').default('报告变更'),
        }),
        response: { 201: caseKey },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'cases.accept');
      const districtCode = districtOf(scopeOf(user), request.query.district, config);
      const calendar = await calendarOf(store);
      const { body } = request;
      const { case: row } = await inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        reportChange(tx, caseCaller(user), calendar, {
          districtCode,
          householdId: body.householdId,
          changeKind: body.changeKind,
          occurredOn: body.occurredOn,
          note: body.note,
          subjectPersonId: body.subjectPersonId,
          recheckJobId: body.recheckJobId,
        }),
      );
      void reply.status(201);
      return { districtCode: row.districtCode, id: row.id, caseNo: row.caseNo, state: row.state };
    },
  );

  app.get(
    '/api/cases/:district/:id/changes',
    {
      schema: {
        tags: [TAG],
        summary: '复审、变更申请的变更报告，以及该申请的决定对待遇所作的变动（金额、停发及其起始月份）',
        params: z.object({
          district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
          id: z.uuid('编号格式不正确'),
        }),
        response: {
          200: z.object({
            kind: z.string(),
            kindName: z.string(),
            change: z
              .object({
                changeKind: z.string(),
                changeKindName: z.string(),
                occurredOn: z.string(),
                effectiveMonth: z.string(),
                note: z.string(),
                subjectPersonId: z.string().nullable(),
                subjectName: z.string().nullable(),
                recheckJobId: z.string().nullable(),
                exit: z.boolean(),
                reportedAt: z.string(),
              })
              .nullable(),
            entitlementChanges: z.array(entitlementChange),
          }),
        },
      },
    },
    async (request) => {
      const user = allowed(request, 'cases.view');
      return changeReport(store.db, caseCaller(user), {
        districtCode: request.params.district,
        caseId: request.params.id,
      });
    },
  );
}
