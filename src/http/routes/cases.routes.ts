import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { actOnCase } from '../../cases/case.actions.ts';
import type { CaseCaller } from '../../cases/case.deps.ts';
import { getCase, intakeCase, listCases } from '../../cases/case.service.ts';
import { caseDeps } from '../../cases/case.wiring.ts';
import { CASE_PROGRAMS } from '../../cases/cases.handles.ts';
import { CASE_STATES } from '../../cases/cases.machine.ts';
import { STEP_ORDER } from '../../cases/cases.steps.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText, timelineEvent } from '../schemas.ts';
import { actorOf, int, version } from './edit-pipeline.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/**
 * 社会救助一件事: 救助申请 (src/cases, docs/cases.md). Registration at the counter, the queue by due date,
 * one case with its steps and timeline, and every step as `POST /api/cases/:district/:id/actions/:action`
 * with the version the page read (409 when stale or in the wrong state) and the step's record.
 */

const TAG = '救助申请';

const caseSchema = z.object({
  districtCode: z.string(),
  id: z.string(),
  caseNo: z.string().describe('申请编号（SA区代码-年份-序号），申请人查询进度用'),
  kind: z.string(),
  householdId: z.string(),
  householdNo: z.string().nullable(),
  committeeCode: z.string(),
  programs: z.array(z.string()),
  channel: z.string(),
  state: z.enum(CASE_STATES),
  stateName: z.string(),
  version: int,
  appliedOn: z.string(),
  acceptedOn: z.string().nullable(),
  dueOn: z.string().nullable().describe('当前环节的办理期限（工作日；公示期为自然日）'),
  dueProvisional: z.boolean(),
  overdue: z.boolean(),
  requiredSteps: z.array(z.enum(STEP_ORDER)),
  stepNames: z.array(z.string()),
  decider: z.enum(['district', 'street']).describe('district 区审批，street 街道确认'),
  relativesFlagged: z.boolean().describe('申请人与工作人员有近亲属关系'),
  secondApproverRequired: z.boolean(),
  allowedActions: z.array(z.string()),
});

const stamp = z.object({ recordedBy: z.string(), recordedAt: z.string() });
const supporterRelation = z.enum(['spouse', 'parent', 'child']);
const supporterCandidate = z.object({
  personId: z.string(),
  name: z.string(),
  relation: supporterRelation,
  relationName: z.string(),
});
const assessedSupporter = z.object({
  personId: z.string().nullable().describe('本户成员；外户义务人为 null'),
  name: z.string(),
  relation: supporterRelation,
  relationName: z.string(),
  able: z.boolean().describe('有履行能力'),
  reason: z.string(),
});

const detailSchema = caseSchema.extend({
  applicantPersonId: z.string(),
  contactPhone: z.string().describe('脱敏'),
  materials: z.record(z.string(), z.boolean()),
  verificationRequestId: z.string().nullable(),
  relativesMatches: z.array(z.unknown()),
  relativesDeclared: z.boolean(),
  firstApprovedBy: z.string().nullable(),
  reason: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  steps: z.object({
    visit: stamp
      .extend({
        visitedOn: z.string(),
        visitors: z.array(z.string()),
        checklist: z.record(z.string(), z.boolean()),
        notes: z.string(),
        photoIds: z.array(z.string()),
      })
      .nullable(),
    evaluation: stamp
      .extend({
        heldOn: z.string(),
        participants: z.array(z.string()),
        votesFor: int,
        votesAgainst: int,
        votesAbstain: int,
        opinion: z.string(),
      })
      .nullable(),
    review: stamp.extend({ opinion: z.string() }).nullable(),
    publicity: stamp.extend({ startsOn: z.string(), endsOn: z.string(), days: int }).nullable(),
    objections: z.array(
      stamp.extend({ id: z.string(), receivedOn: z.string(), content: z.string(), handling: z.string() }),
    ),
  }),
  attachments: z.array(
    z.object({
      id: z.string(),
      districtCode: z.string(),
      entityType: z.string(),
      entityId: z.string(),
      kind: z.string(),
      kindName: z.string(),
      name: z.string(),
      size: int,
      contentType: z.string(),
      typeName: z.string(),
      sha256: z.string(),
      uploadedBy: z.string().nullable(),
      uploadedByName: z.string(),
      uploadedAt: z.string(),
      removedAt: z.string().nullable(),
      removedBy: z.string().nullable(),
      removedByName: z.string().nullable(),
      removalReason: z.string().nullable(),
    }),
  ),
  timeline: z.array(timelineEvent),
  tekun: z
    .object({
      candidates: z.array(
        z.object({ personId: z.string(), name: z.string(), supporters: z.array(supporterCandidate) }),
      ),
      assessments: z.array(
        stamp.extend({
          personId: z.string(),
          personName: z.string(),
          supporters: z.array(assessedSupporter),
          hasSupporter: z.boolean(),
          selfCare: z.enum(['capable', 'partial', 'none']),
          selfCareName: z.string(),
          eligible: z.boolean().describe('符合特困供养条件'),
          conclusion: z.string(),
          assessedOn: z.string(),
          assessor: z.string(),
          attachmentIds: z.array(z.string()),
        }),
      ),
    })
    .nullable()
    .describe('特困人员认定：本户登记的法定义务人与认定记录（无此环节时为 null）'),
  payFirst: z
    .array(
      stamp.extend({
        program: z.string(),
        programName: z.string(),
        amountFen: int,
        limitFen: int.describe('付款当日适用的先行救助上限（分）'),
        reason: z.string(),
        paidOn: z.string(),
        month: z.string(),
        entitlementId: z.string(),
        settledOutcome: z.enum(['granted', 'denied', 'withdrawn']).nullable(),
        settledOutcomeName: z.string().nullable(),
        countedFen: int.nullable().describe('计入批准金额的部分（分）'),
        overpaidFen: int.nullable().describe('多发、应予追回的部分（分）'),
        overpaidReason: z.string().nullable(),
        settledAt: z.string().nullable(),
      }),
    )
    .describe('先行救助及其在决定时的结算'),
});

const caseParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});

const ACTIONS = [
  'accept',
  'not_accept',
  'return',
  'start_verification',
  'verified',
  'record_visit',
  'record_tekun_assessment',
  'record_evaluation',
  'record_review',
  'start_publicity',
  'record_objection',
  'end_publicity',
  'declare_relatives',
  'pay_first',
  'approve_first',
  'approve',
  'deny',
  'withdraw',
] as const;

export function caseCaller(user: AuthUser): CaseCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function allowed(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

export function registerCaseRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  app.post(
    '/api/cases',
    {
      schema: {
        tags: [TAG],
        summary: '窗口登记救助申请（材料清单；材料作为申请附件上传，entityType=case）；登记后待受理',
        querystring: districtQuery,
        body: z.object({
          householdId: z.uuid('家庭户编号格式不正确'),
          programs: z
            .array(z.string().max(40))
            .min(1, '请至少选择一个申请项目')
            .max(10)
            .describe(`申请项目：${CASE_PROGRAMS.join('、')}`),
          applicantPersonId: z.uuid('申请人编号格式不正确'),
          contactPhone: z.string().max(20),
          materials: z
            .record(z.string().max(40), z.boolean())
            .default({})
            .describe('材料清单：项目 → 是否已交'),
          reason: reasonText(2, 200, '登记事由').default('窗口受理救助申请'),
        }),
        response: { 201: detailSchema },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'cases.intake');
      const { body } = request;
      const districtCode = districtOf(scopeOf(user), request.query.district, config);
      const deps = caseDeps(await calendarOf(store));
      const view = await inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        intakeCase(tx, caseCaller(user), deps, {
          districtCode,
          householdId: body.householdId,
          programs: body.programs,
          applicantPersonId: body.applicantPersonId,
          contactPhone: body.contactPhone,
          materials: body.materials,
        }),
      );
      void reply.status(201);
      return view;
    },
  );

  app.get(
    '/api/cases',
    {
      schema: {
        tags: [TAG],
        summary: '救助申请列表（数据范围内，按办理期限排序）；overdue=true 只列逾期未办结的',
        querystring: z.object({
          state: z.enum(CASE_STATES).optional(),
          program: z.string().max(40).optional(),
          division: z
            .string()
            .regex(/^\d{6}(\d{3}(\d{3})?)?$/, '区划代码应为 6、9 或 12 位数字')
            .optional()
            .describe('街道或居委会代码'),
          householdId: z.uuid().optional(),
          overdue: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(20),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: {
          200: z.object({
            items: z.array(caseSchema),
            total: int,
            totalExact: z.boolean().describe('false 时匹配多于 total 件（只数到本页之后 200 件）'),
          }),
        },
      },
    },
    async (request) => {
      const user = allowed(request, 'cases.view');
      const q = request.query;
      const today = shanghaiToday();
      return listCases(
        store.db,
        caseCaller(user),
        {
          state: q.state,
          program: q.program,
          division: q.division,
          householdId: q.householdId,
          overdueOn: q.overdue === 'true' ? today : undefined,
          limit: q.limit,
          offset: q.offset,
        },
        today,
      );
    },
  );

  app.get(
    '/api/cases/:district/:id',
    {
      schema: {
        tags: [TAG],
        summary: '救助申请详情：各环节记录、附件、近亲属提示、核对委托与办理过程',
        params: caseParams,
        response: { 200: detailSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'cases.view');
      return getCase(store.db, caseCaller(user), {
        districtCode: request.params.district,
        id: request.params.id,
      });
    },
  );

  app.post(
    '/api/cases/:district/:id/actions/:action',
    {
      schema: {
        tags: [TAG],
        summary:
          '办理一步：受理、不予受理、退回、先行救助、发起核对、完成核对、入户调查、特困人员认定、民主评议、审核、开始公示、登记异议、结束公示、确认近亲属备案、审批（两名审批人时先 approve_first）、不予批准、撤回',
        params: caseParams.extend({ action: z.enum(ACTIONS) }),
        body: z.object({
          version,
          reason: reasonText(2, 500, '办理理由').optional(),
          record: z
            .record(z.string(), z.unknown())
            .optional()
            .describe(
              '该步的记录：record_visit {visitedOn, visitors[], checklist{}, notes, photoIds[]}；record_tekun_assessment {assessedOn, assessor, attachmentIds[], members[{personId, supporters[{personId|null, name, relation, able, reason}], selfCare, eligible, conclusion}]}；pay_first {program?, amountFen, payeePersonId, bankName, accountNo}（理由写在 reason）；record_evaluation {heldOn, participants[], votesFor, votesAgainst, votesAbstain, opinion}；record_review {opinion}；start_publicity {startsOn?}；record_objection {receivedOn, content, handling}',
            ),
        }),
        response: { 200: detailSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'cases.view');
      const { body, params } = request;
      const deps = caseDeps(await calendarOf(store));
      const caller = caseCaller(user);
      const why = body.reason ?? `救助申请：${params.action}`;
      const key = { districtCode: params.district, id: params.id };
      await inUnitOfWork(store, actorOf(request, user, why), (tx) =>
        actOnCase(tx, caller, deps, {
          ...key,
          action: params.action,
          version: body.version,
          reason: body.reason,
          record: body.record,
        }),
      );
      return getCase(store.db, caller, key);
    },
  );
}
