import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { renderPdf } from '../../documents/pdf.renderer.ts';
import { inUnitOfWork, recordOnly } from '../../workflow/unit-of-work.ts';
import { decideObjection, fileObjection } from '../../verification/report/objection.service.ts';
import { reportDocument } from '../../verification/report/report.document.ts';
import {
  getRawAnswers,
  getReport,
  listReportRevisions,
  rawViewedChange,
} from '../../verification/report/report.present.ts';
import { FIGURE_KIND_LIST } from '../../verification/report/report.types.ts';
import { sendPdf } from './documents.routes.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';
import { actorOf, int, version } from './edit-pipeline.ts';
import { verificationCaller } from './verifications.routes.ts';

/**
 * 核对报告 and 结果复核 (src/verification/report): the combined report as JSON and as the printable PDF, its
 * revisions, the agencies' raw answers (verification officers only; every reading audited), and the objection
 * and its decision. Every read is scoped like the request (404 outside the caller's reach).
 */

const TAG = '核对';
const PDF = 'application/pdf';

const params = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});
const revisionQuery = z.object({
  revision: z.coerce.number().int().min(1, '版本应为正整数').optional().describe('报告版本；省略为最新一版'),
});

const flagSchema = z.object({
  code: z.string(),
  label: z.string(),
  personId: z.string().nullable(),
  kind: z.string().nullable(),
  text: z.string(),
});
const claimSchema = z.object({
  personId: z.string().nullable().describe('家庭成员；家庭项目（货币财产、房产、车辆）为 null'),
  kind: z.enum(FIGURE_KIND_LIST as [string, ...string[]]).describe('核对项目'),
  claimedValue: int.min(0).describe('申请人主张的数值：金额以分计，房产、车辆为数量，在职参保为 0/1'),
});
const objectionSchema = z.object({
  districtCode: z.string(),
  id: z.string(),
  requestId: z.string(),
  revision: int,
  grounds: z.string(),
  claims: z.array(claimSchema),
  attachmentIds: z.array(z.string()),
  state: z.enum(['open', 'upheld', 'rejected']),
  version: int,
  filedBy: z.string().nullable(),
  filedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decision: z.string().nullable(),
});
const reportSchema = z
  .object({
    request: z.object({
      id: z.string(),
      districtCode: z.string(),
      requestNo: z.string(),
      householdId: z.string(),
      committeeCode: z.string(),
      streetName: z.string().nullable(),
      committeeName: z.string().nullable(),
      purpose: z.string(),
      purposeName: z.string(),
      asOf: z.string(),
      state: z.string(),
      stateName: z.string(),
      version: int,
      partial: z.boolean(),
      reportedAt: z.string().nullable(),
    }),
    revision: int,
    revisions: int,
    reportNo: z.string(),
    createdAt: z.string(),
    reason: z.string(),
    members: z.array(z.object({ personId: z.string(), name: z.string() })),
    figures: z.array(
      z.object({
        personId: z.string().nullable(),
        memberName: z.string(),
        kind: z.string(),
        kindName: z.string(),
        declared: int,
        verified: int.nullable(),
        difference: int.nullable(),
        declaredText: z.string(),
        verifiedText: z.string(),
        differenceText: z.string(),
        complete: z.boolean().describe('确认该项的各部门均已答复（否则为部分结果）'),
        sources: z.array(z.object({ code: z.string(), name: z.string() })),
        flags: z.array(z.object({ code: z.string(), label: z.string() })),
        corrected: z.boolean().describe('复核更正'),
      }),
    ),
    flags: z.array(flagSchema),
    gaps: z.array(
      z.object({
        source: z.string(),
        sourceName: z.string(),
        state: z.enum(['failed', 'timed_out']),
        kinds: z.array(z.string()),
        text: z.string(),
      }),
    ),
    civil: z.array(
      z.object({
        personId: z.string(),
        name: z.string(),
        business: z.boolean().nullable(),
        deathDate: z.string().nullable(),
      }),
    ),
    conclusion: z.object({
      month: z.string(),
      programs: z.array(
        z.object({
          program: z.string(),
          name: z.string(),
          forPurpose: z.boolean(),
          eligible: z.boolean(),
          amountFen: int,
          reasons: z.array(z.string()),
          explanation: z.string(),
          error: z.string().optional(),
        }),
      ),
      warnings: z.array(z.string()),
    }),
    revisedBy: z.object({ objectionId: z.string(), claims: z.array(claimSchema) }).nullable(),
    objection: z.object({
      due: z.string().nullable().describe('复核申请的最后一天'),
      open: objectionSchema.nullable(),
    }),
  })
  .describe('核对报告（汇总数据、提示与结论；不含各部门原始答复）');

const rawSchema = z.object({
  requestId: z.string(),
  requestNo: z.string(),
  householdId: z.string(),
  purpose: z.string(),
  sources: z.array(
    z.object({
      source: z.string(),
      sourceName: z.string(),
      rows: z.array(
        z.object({
          personId: z.string(),
          memberName: z.string(),
          kind: z.string(),
          kindName: z.string(),
          value: z.string(),
          reference: z.string(),
          receivedAt: z.string(),
          late: z.boolean().describe('超时后到达：保留，不计入报告'),
        }),
      ),
    }),
  ),
});

function allowed(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

export function registerVerificationReportRoutes(app: ZodApp, { store }: ServerDeps): void {
  const key = (p: z.infer<typeof params>) => ({ districtCode: p.district, id: p.id });

  async function report(request: FastifyRequest, p: z.infer<typeof params>, revision?: number) {
    const user = allowed(request, 'verification.view');
    return getReport(store.db, verificationCaller(user), key(p), {
      revision,
      calendar: await calendarOf(store),
    });
  }

  app.get(
    '/api/verifications/:district/:id/report',
    {
      schema: {
        tags: [TAG],
        summary: '核对报告：各成员各项目的申报数、核对数、差额与提示，政策测算结论；不在数据范围内时 404',
        params,
        querystring: revisionQuery,
        response: { 200: reportSchema },
      },
    },
    (request) => report(request, request.params, request.query.revision),
  );

  app.get(
    '/api/verifications/:district/:id/report.pdf',
    {
      schema: {
        tags: [TAG],
        summary: '核对报告 PDF（A4，与 JSON 同一内容）',
        params,
        querystring: revisionQuery,
        produces: [PDF],
      },
    },
    async (request, reply) => {
      const view = await report(request, request.params, request.query.revision);
      const doc = reportDocument(view, shanghaiToday());
      return sendPdf(reply, doc, await renderPdf(doc));
    },
  );

  app.get(
    '/api/verifications/:district/:id/report/revisions',
    {
      schema: {
        tags: [TAG],
        summary: '核对报告的各个版本（复核更正后原报告保留）',
        params,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                revision: int,
                reportNo: z.string(),
                createdAt: z.string(),
                createdBy: z.string().nullable(),
                reason: z.string(),
                flagCount: int,
                objectionId: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const user = allowed(request, 'verification.view');
      return { items: await listReportRevisions(store.db, verificationCaller(user), key(request.params)) };
    },
  );

  app.get(
    '/api/verifications/:district/:id/answers',
    {
      schema: {
        tags: [TAG],
        summary: '各部门原始答复（仅核对人员；每次查看记入审计日志）',
        params,
        response: { 200: rawSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'verification.raw');
      const view = await getRawAnswers(store.db, verificationCaller(user), key(request.params));
      // Committed before a row is sent: who read which household's answers, for which request.
      await recordOnly(
        store,
        { userId: user.id, divisionCode: user.divisionCode, requestId: request.id },
        '查看部门原始答复',
        rawViewedChange(request.params.district, view),
      );
      return view;
    },
  );

  app.post(
    '/api/verifications/:district/:id/objections',
    {
      schema: {
        tags: [TAG],
        summary:
          '提出复核申请：理由、有异议的项目与主张的数值、证明材料（先上传为核对委托的附件）；超过期限 422',
        params,
        body: z.object({
          version,
          grounds: reasonText(4, 2000, '复核理由'),
          claims: z.array(claimSchema).min(1, '请至少指出一项有异议的核对结果').max(50),
          attachmentIds: z.array(z.string()).max(20).describe('核对委托的附件编号'),
        }),
        response: { 201: objectionSchema },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'verification.object');
      const calendar = await calendarOf(store);
      const { body } = request;
      const objection = await inUnitOfWork(store, actorOf(request, user, body.grounds), (tx) =>
        fileObjection(tx, verificationCaller(user), calendar, key(request.params), body),
      );
      return reply.code(201).send(objection);
    },
  );

  app.post(
    '/api/verifications/:district/:id/objections/:objectionId/decision',
    {
      schema: {
        tags: [TAG],
        summary:
          '复核决定（另一名核对人员）：uphold 按主张更正，出具新版报告并更正核对事实；dismiss 维持原报告（须说明理由）',
        params: params.extend({ objectionId: z.uuid('编号格式不正确') }),
        body: z.object({
          decision: z.enum(['uphold', 'dismiss']),
          version,
          reason: reasonText(2, 500, '复核意见'),
        }),
        response: {
          200: z.object({
            objection: objectionSchema,
            revision: int.nullable().describe('更正后的报告版本'),
          }),
        },
      },
    },
    async (request) => {
      const user = allowed(request, 'verification.review');
      const { body, params: p } = request;
      return inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        decideObjection(tx, verificationCaller(user), { ...key(p), objectionId: p.objectionId }, body),
      );
    },
  );
}
