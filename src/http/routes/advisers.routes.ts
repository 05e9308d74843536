import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import type { AdviserCaller } from '../../advisers/advisers.caller.ts';
import { advisersInScope, assignAdviser, endAssignment } from '../../advisers/assignment.service.ts';
import { caseload } from '../../advisers/caseload.service.ts';
import {
  COMMON_SERVICES,
  DIMENSIONS,
  NEED_LEVELS,
  PLAN_KINDS,
  REFERRAL_KINDS,
  VISIT_MODES,
  ACTION_STATUSES,
} from '../../advisers/codes.ts';
import { householdAdviserRecord } from '../../advisers/household-record.service.ts';
import {
  closeReferral,
  draftPlan,
  editPlan,
  movePlan,
  recordAssessment,
  recordVisit,
  refer,
  reviseAssessment,
  reviseReferral,
  reviseVisit,
} from '../../advisers/records.service.ts';
import { now } from '../../core/clock.ts';
import { PROGRAMS } from '../../policy/index.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText, text, timelineEvent } from '../schemas.ts';
import { actorOf, int, isoDate, version } from './edit-pipeline.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/** 社区救助顾问 (src/advisers): caseloads, assignments, a household's adviser record and its writes. */

const TAG = '社区救助顾问';

const params = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});
const caseId = z
  .uuid('个案编号格式不正确')
  .nullable()
  .optional()
  .describe('所属个案（社会救助一件事），可空');
const step = z.object({ action: z.string(), label: z.string() });
const written = z.object({ id: z.string(), districtCode: z.string(), state: z.string(), version: int });

const assignmentSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  householdId: z.string(),
  adviserId: z.string(),
  adviserName: z.string(),
  assignedOn: z.string(),
  endedOn: z.string().nullable(),
  state: z.string(),
  stateName: z.string(),
  version: int,
});

const caseloadItem = z.object({
  householdId: z.string(),
  districtCode: z.string(),
  householdNo: z.string(),
  headName: z.string().nullable(),
  memberCount: int,
  address: z.string(),
  streetName: z.string().nullable(),
  committeeName: z.string().nullable(),
  assignment: assignmentSchema,
  lastVisitOn: z.string().nullable(),
  nextDue: z
    .object({ title: z.string(), dueOn: z.string(), kind: z.enum(['action', 'review']) })
    .nullable()
    .describe('帮扶计划中最早到期的措施或复评'),
  overdueCount: int.describe('已逾期的措施与复评数'),
});

const recordBase = {
  id: z.string(),
  districtCode: z.string(),
  caseId: z.string().nullable(),
  version: int,
  recordedBy: z.string(),
};

const recordSchema = z.object({
  household: z.object({
    id: z.string(),
    districtCode: z.string(),
    householdNo: z.string(),
    address: z.string(),
    committeeCode: z.string(),
    streetName: z.string().nullable(),
    committeeName: z.string().nullable(),
  }),
  members: z.array(
    z.object({
      personId: z.string(),
      name: z.string(),
      relationName: z.string(),
      sex: int,
      birthDate: z.string(),
      idNumberMasked: z.string(),
    }),
  ),
  mayRecord: z.boolean().describe('本人是该家庭当前的救助顾问，可以记录'),
  assignment: assignmentSchema.nullable(),
  assignments: z.array(assignmentSchema),
  visits: z.array(
    z.object({
      ...recordBase,
      visitedOn: z.string(),
      mode: z.string(),
      modeName: z.string(),
      notes: z.string(),
    }),
  ),
  assessments: z.array(
    z.object({
      ...recordBase,
      assessedOn: z.string(),
      items: z.array(
        z.object({
          dimension: z.string(),
          dimensionName: z.string(),
          level: int,
          levelName: z.string(),
          signs: z.array(z.object({ code: z.string(), name: z.string() })),
          note: z.string(),
        }),
      ),
      priorities: z.array(z.string()),
      summary: z.string(),
    }),
  ),
  plans: z.array(
    z.object({
      ...recordBase,
      kind: z.string(),
      kindName: z.string(),
      goals: z.string(),
      reviewOn: z.string(),
      reviewOverdue: z.boolean(),
      state: z.string(),
      stateName: z.string(),
      editable: z.boolean(),
      actions: z.array(
        z.object({
          seq: int,
          title: z.string(),
          dueOn: z.string(),
          status: z.string(),
          statusName: z.string(),
          doneOn: z.string().nullable(),
          overdue: z.boolean(),
        }),
      ),
      allowedActions: z.array(step),
    }),
  ),
  referrals: z.array(
    z.object({
      ...recordBase,
      referredOn: z.string(),
      targetKind: z.string(),
      targetKindName: z.string(),
      target: z.string(),
      targetName: z.string(),
      notes: z.string(),
      state: z.string(),
      stateName: z.string(),
      outcome: z.string().nullable(),
      outcomeOn: z.string().nullable(),
      editable: z.boolean(),
      allowedActions: z.array(step),
    }),
  ),
  timeline: z.array(
    timelineEvent.extend({ subject: z.string(), entityType: z.string(), entityId: z.string() }),
  ),
});

const visitBody = z.object({
  visitedOn: isoDate,
  mode: z.enum(['home', 'phone', 'interview']).describe('上门 home、电话 phone、约谈 interview'),
  notes: text(4000),
  caseId,
});
const assessmentBody = z.object({
  assessedOn: isoDate,
  items: z
    .array(
      z.object({
        dimension: z.string().max(40),
        level: int.min(0).max(3).describe('0 无困难、1 轻度、2 中度、3 重度'),
        signs: z.array(z.string().max(40)).max(10).default([]),
        note: text(500).default(''),
      }),
    )
    .max(20),
  summary: text(2000),
  caseId,
});
const planBody = z.object({
  kind: z.enum(['companion', 'long_term', 'whole_course']).describe('陪伴式、长效式、全程式'),
  goals: text(2000),
  reviewOn: isoDate,
  actions: z
    .array(
      z.object({
        title: text(200),
        dueOn: isoDate,
        status: z.enum(['open', 'done', 'dropped']).default('open'),
        doneOn: isoDate.nullable().optional(),
      }),
    )
    .max(50),
  caseId,
});
const referralBody = z.object({
  referredOn: isoDate,
  targetKind: z.enum(['program', 'service', 'agency']),
  target: text(100).describe('救助项目代码（program）或服务、机构名称'),
  notes: text(2000),
  caseId,
});

function callerOf(user: AuthUser): AdviserCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function holding(request: FastifyRequest, ...anyOf: Permission[]): AuthUser {
  const user = requireUser(request);
  if (!anyOf.some((p) => hasPermission(user.role, p))) throw new AppError('FORBIDDEN');
  return user;
}

export function registerAdviserRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store, config } = deps;
  const district = (user: AuthUser, requested: string | undefined) =>
    districtOf(scopeOf(user), requested, config);
  const reading = (request: FastifyRequest) => holding(request, 'adviser.record', 'adviser.view');
  const writing = (request: FastifyRequest) => holding(request, 'adviser.record');
  const work = <T>(
    request: FastifyRequest,
    user: AuthUser,
    why: string,
    fn: Parameters<typeof inUnitOfWork<T>>[2],
  ) => inUnitOfWork(store, actorOf(request, user, why), fn);

  app.get(
    '/api/advisers/codes',
    {
      schema: {
        tags: [TAG],
        summary:
          '代码表：走访方式、帮扶类型、措施状态、转介去向、需求评估清单（维度与表现）、常用服务、救助项目',
        response: {
          200: z.object({
            visitModes: z.record(z.string(), z.string()),
            planKinds: z.record(z.string(), z.string()),
            actionStatuses: z.record(z.string(), z.string()),
            referralKinds: z.record(z.string(), z.string()),
            needLevels: z.array(z.string()),
            dimensions: z.array(
              z.object({
                code: z.string(),
                name: z.string(),
                signs: z.array(z.object({ code: z.string(), name: z.string() })),
              }),
            ),
            services: z.array(z.string()),
            programs: z.array(z.object({ code: z.string(), name: z.string() })),
          }),
        },
      },
    },
    (request) => {
      reading(request);
      return Promise.resolve({
        visitModes: VISIT_MODES,
        planKinds: PLAN_KINDS,
        actionStatuses: ACTION_STATUSES,
        referralKinds: REFERRAL_KINDS,
        needLevels: [...NEED_LEVELS],
        dimensions: Object.entries(DIMENSIONS).map(([code, d]) => ({
          code,
          name: d.name,
          signs: Object.entries(d.signs).map(([c, name]) => ({ code: c, name })),
        })),
        services: [...COMMON_SERVICES],
        programs: Object.entries(PROGRAMS).map(([code, p]) => ({ code, name: p.name })),
      });
    },
  );

  app.get(
    '/api/advisers/caseload',
    {
      schema: {
        tags: [TAG],
        summary:
          '救助对象（跟进中的家庭）：救助顾问看本人的；街道经办人看辖区内各顾问的，可按顾问筛选；逾期的在前',
        querystring: districtQuery.extend({
          adviserId: z.uuid().optional(),
          overdue: z.enum(['true', 'false']).optional(),
        }),
        response: { 200: z.object({ items: z.array(caseloadItem), total: int }) },
      },
    },
    async (request) => {
      const user = reading(request);
      const q = request.query;
      return caseload(store.db, callerOf(user), {
        districtCode: district(user, q.district),
        adviserId: q.adviserId,
        overdueOnly: q.overdue === 'true',
      });
    },
  );

  app.get(
    '/api/advisers/advisers',
    {
      schema: {
        tags: [TAG],
        summary: '辖区内的社区救助顾问（分派时选择）',
        response: {
          200: z.object({
            items: z.array(z.object({ id: z.string(), name: z.string(), divisionCode: z.string() })),
          }),
        },
      },
    },
    async (request) => {
      const user = holding(request, 'adviser.assign', 'adviser.view');
      return { items: await advisersInScope(store.db, callerOf(user), now()) };
    },
  );

  app.post(
    '/api/advisers/assignments',
    {
      schema: {
        tags: [TAG],
        summary: '分派救助顾问（已有顾问的家庭改派，原分派同时结束）',
        querystring: districtQuery,
        body: z.object({
          householdId: z.uuid('家庭户编号格式不正确'),
          adviserId: z.uuid('请选择救助顾问'),
          assignedOn: isoDate.optional(),
          reason: reasonText(2, 200, '分派原因').default('分派救助顾问'),
        }),
        response: { 201: written },
      },
    },
    async (request, reply) => {
      const user = holding(request, 'adviser.assign');
      const { body } = request;
      const districtCode = district(user, request.query.district);
      const result = await work(request, user, body.reason, (tx) =>
        assignAdviser(tx, callerOf(user), {
          districtCode,
          householdId: body.householdId,
          adviserId: body.adviserId,
          assignedOn: body.assignedOn,
        }),
      );
      void reply.status(201);
      return result;
    },
  );

  app.post(
    '/api/advisers/assignments/:district/:id/end',
    {
      schema: {
        tags: [TAG],
        summary: '结束跟进（家庭移出顾问的救助对象，记录保留）',
        params,
        body: z.object({ version, reason: reasonText(2, 200, '结束原因') }),
        response: { 200: written },
      },
    },
    async (request) => {
      const user = holding(request, 'adviser.assign');
      const { body, params: p } = request;
      return work(request, user, body.reason, (tx) =>
        endAssignment(tx, callerOf(user), { districtCode: p.district, id: p.id, version: body.version }),
      );
    },
  );

  app.get(
    '/api/advisers/households/:district/:id',
    {
      schema: {
        tags: [TAG],
        summary: '家庭的救助顾问记录：成员、走访、需求评估、帮扶计划与措施、转介、办理过程',
        params,
        response: { 200: recordSchema },
      },
    },
    async (request) => {
      const user = reading(request);
      return householdAdviserRecord(store.db, callerOf(user), {
        districtCode: request.params.district,
        householdId: request.params.id,
      });
    },
  );

  const created = <B extends z.ZodObject>(
    path: string,
    summary: string,
    body: B,
    why: string,
    write: (
      tx: Parameters<typeof recordVisit>[0],
      caller: AdviserCaller,
      key: { districtCode: string; householdId: string },
      input: z.infer<B>,
    ) => Promise<z.infer<typeof written>>,
  ) =>
    app.post(
      `/api/advisers/households/:district/:id/${path}`,
      { schema: { tags: [TAG], summary, params, body, response: { 201: written } } },
      async (request, reply) => {
        const user = writing(request);
        const result = await work(request, user, why, (tx) =>
          write(
            tx,
            callerOf(user),
            { districtCode: request.params.district, householdId: request.params.id },
            request.body as z.infer<B>,
          ),
        );
        void reply.status(201);
        return result;
      },
    );

  const edited = <B extends z.ZodObject>(
    path: string,
    summary: string,
    body: B,
    why: string,
    write: (
      tx: Parameters<typeof recordVisit>[0],
      caller: AdviserCaller,
      key: { districtCode: string; id: string; version: number },
      input: z.infer<B>,
    ) => Promise<z.infer<typeof written>>,
  ) =>
    app.put(
      `/api/advisers/${path}/:district/:id`,
      {
        schema: { tags: [TAG], summary, params, body: body.extend({ version }), response: { 200: written } },
      },
      async (request) => {
        const user = writing(request);
        const input = request.body as z.infer<B> & { version: number };
        return work(request, user, why, (tx) =>
          write(
            tx,
            callerOf(user),
            { districtCode: request.params.district, id: request.params.id, version: input.version },
            input,
          ),
        );
      },
    );

  created('visits', '记录走访（上门、电话、约谈）', visitBody, '记录走访', recordVisit);
  edited('visits', '修改走访记录（版本号已变则 409）', visitBody, '修改走访记录', reviseVisit);
  created(
    'assessments',
    '需求评估：清单的每个维度评定困难程度并勾选表现',
    assessmentBody,
    '需求评估',
    recordAssessment,
  );
  edited('assessments', '修改需求评估', assessmentBody, '修改需求评估', reviseAssessment);
  created(
    'plans',
    '草拟帮扶计划（陪伴式、长效式、全程式），含措施与完成期限',
    planBody,
    '草拟帮扶计划',
    draftPlan,
  );
  edited('plans', '修改（草拟中）或调整（执行中）帮扶计划及其措施', planBody, '修改帮扶计划', editPlan);
  created('referrals', '转介到救助项目、服务或部门机构', referralBody, '转介', refer);
  edited('referrals', '修改转介（受理结果登记前）', referralBody, '修改转介', reviseReferral);

  app.post(
    '/api/advisers/plans/:district/:id/actions/:action',
    {
      schema: {
        tags: [TAG],
        summary: '帮扶计划的状态：开始执行 start、完成 complete（须无待办措施）、终止 terminate',
        params: params.extend({ action: z.enum(['start', 'complete', 'terminate']) }),
        body: z.object({ version, reason: reasonText(2, 200, '原因') }),
        response: { 200: written },
      },
    },
    async (request) => {
      const user = writing(request);
      const { body, params: p } = request;
      return work(request, user, body.reason, (tx) =>
        movePlan(tx, callerOf(user), { districtCode: p.district, id: p.id, version: body.version }, p.action),
      );
    },
  );

  app.post(
    '/api/advisers/referrals/:district/:id/actions/:action',
    {
      schema: {
        tags: [TAG],
        summary: '登记转介结果：已受理 accept、未受理 decline',
        params: params.extend({ action: z.enum(['accept', 'decline']) }),
        body: z.object({
          version,
          outcome: text(1000).describe('对方的答复或办理结果'),
          outcomeOn: isoDate,
          reason: reasonText(2, 200, '原因').default('登记转介结果'),
        }),
        response: { 200: written },
      },
    },
    async (request) => {
      const user = writing(request);
      const { body, params: p } = request;
      return work(request, user, body.reason, (tx) =>
        closeReferral(
          tx,
          callerOf(user),
          { districtCode: p.district, id: p.id, version: body.version },
          p.action,
          {
            outcome: body.outcome,
            outcomeOn: body.outcomeOn,
          },
        ),
      );
    },
  );
}
