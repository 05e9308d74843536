import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { shanghaiMonth } from '../../core/clock.ts';
import { decisionOf, prepareDecision } from '../../entitlements/decision.service.ts';
import { determineCase } from '../../entitlements/determination.service.ts';
import { ENTITLEMENT_ACTIONS } from '../../entitlements/entitlement.machine.ts';
import {
  actOnEntitlement,
  getEntitlement,
  listEntitlements,
} from '../../entitlements/entitlement.service.ts';
import type { EntitlementCaller } from '../../entitlements/entitlements.caller.ts';
import { PROGRAM_CODES } from '../../policy/index.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { pageOf, pageQuery, reasonText } from '../schemas.ts';
import { actorOf, int, version } from './edit-pipeline.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/**
 * 联合认定、决定明细与待遇 (src/entitlements): the case's determination (GET: the engine runs, nothing is
 * written) and decision lines (PUT: the caseworker prepares them), and `/api/entitlements` — what payroll
 * reads — with its history and the suspend, stop and restart actions. Approving or denying a case is the
 * cases module's action, which calls the decision service in its own unit of work.
 */

const TAG = '待遇';
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM');
const program = z.enum(PROGRAM_CODES);
const money = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const keyParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});

const parameterRead = z.object({
  parameter: z.string(),
  value: z.number(),
  unit: z.string(),
  effective: z.string(),
  status: z.string(),
  source: z.string(),
  decided: z.string().optional(),
});

const memberResult = z.object({
  personId: z.string(),
  name: z.string(),
  birthDate: z.string(),
  age: int,
  amountFen: z.number(),
});

const determinationSchema = z.object({
  districtCode: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  householdId: z.string(),
  committeeCode: z.string(),
  month: z.string(),
  report: z.object({
    requestId: z.string(),
    revision: int,
    reportNo: z.string(),
    issuedOn: z.string(),
    ageDays: int,
  }),
  members: z.array(memberResult),
  adultAge: int,
  programs: z.array(
    z.object({
      program,
      name: z.string(),
      level: z.enum(['household', 'person']),
      eligible: z.boolean(),
      amountFen: z.number(),
      members: z.array(memberResult).nullable().describe('个人项目：各成员的金额（含 0）'),
      reasons: z.array(z.string()),
      explanation: z.string().describe('政策引擎的中文说明'),
      parameters: z.array(parameterRead).describe('测算所用的参数取值（含生效日期、出处、核实状态）'),
      warnings: z.array(z.string()),
      error: z.string().nullable(),
      applied: z.boolean().describe('本次申请的项目'),
      reportMaxAgeDays: int,
      reportFresh: z.boolean().describe('核对报告未超过该项目允许的天数（否则不能批准）'),
    }),
  ),
});

const beneficiarySchema = z.object({
  kind: z.enum(['household', 'person']),
  id: z.string(),
  name: z.string(),
  amountFen: z.number(),
  payeePersonId: z.string(),
  payeeRole: z.enum(['beneficiary', 'guardian', 'household_member']),
  payeeRoleName: z.string(),
  bankName: z.string(),
  accountNo: z.string(),
  accountMasked: z.boolean(),
});

const decisionSchema = z.object({
  districtCode: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  householdId: z.string(),
  decided: z.boolean(),
  lines: z.array(
    z.object({
      program: z.string(),
      programName: z.string(),
      outcome: z.enum(['granted', 'denied']),
      outcomeName: z.string(),
      amountFen: z.number(),
      startMonth: z.string(),
      reasons: z.array(z.string()),
      engineEligible: z.boolean().nullable(),
      engineAmountFen: z.number().nullable(),
      explanation: z.string(),
      parameters: z.unknown(),
      schedule: z.string().nullable(),
      scheduleName: z.string().nullable(),
      beneficiaries: z.array(beneficiarySchema),
      report: z
        .object({ requestId: z.string(), revision: int, reportNo: z.string(), issuedOn: z.string() })
        .nullable(),
      preparedBy: z.string().nullable(),
      preparedAt: z.string(),
      decidedBy: z.string().nullable(),
      decidedAt: z.string().nullable(),
    }),
  ),
});

const personLabel = z.object({ personId: z.string(), name: z.string(), idNumberMasked: z.string() });
const basisSchema = z.union([
  z.object({ kind: z.literal('decision'), caseId: z.string(), program: z.string() }),
  z.object({ kind: z.literal('pay_first'), caseId: z.string() }).describe('先行救助：依据救助申请先行发放'),
  z.object({ kind: z.literal('rule'), rule: z.string() }),
]);

const entitlementSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  program: z.string(),
  programName: z.string(),
  beneficiaryKind: z.enum(['household', 'person']),
  beneficiaryId: z.string(),
  householdId: z.string(),
  person: personLabel.nullable(),
  committeeCode: z.string(),
  payee: personLabel.extend({
    role: z.enum(['beneficiary', 'guardian', 'household_member']),
    roleName: z.string(),
    bankName: z.string().nullable(),
    accountNo: z.string().nullable().describe('无“查看完整收款账号”权限时脱敏'),
    accountMasked: z.boolean(),
  }),
  schedule: z.enum(['monthly', 'quarterly', 'once']),
  scheduleName: z.string(),
  amountFen: z.number(),
  fromMonth: z.string(),
  toMonth: z.string().nullable().describe('发放至该月（含）；null 为持续发放'),
  state: z.enum(['active', 'suspended', 'stopped']),
  stateName: z.string(),
  basis: basisSchema,
  version: int,
  allowedActions: z.array(z.object({ action: z.string(), label: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const entitlementDetailSchema = entitlementSchema.extend({
  history: z.array(
    z.object({
      seq: int,
      kind: z.string(),
      kindName: z.string(),
      before: z.unknown(),
      after: z.unknown(),
      reason: z.string(),
      basis: basisSchema.nullable(),
      actorId: z.string().nullable(),
      changedOn: z.string(),
      changedAt: z.string(),
    }),
  ),
});

function caller(user: AuthUser): EntitlementCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function allowed(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

export function registerEntitlementRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store, config } = deps;

  app.get(
    '/api/cases/:district/:id/determination',
    {
      schema: {
        tags: [TAG],
        summary:
          '联合认定：按核对后的家庭情况对每个项目运行政策引擎，给出结果、说明与所用参数（不写入任何数据）；无核对报告 422 REPORT_MISSING，报告超过申请项目允许的天数 422 REPORT_STALE',
        params: keyParams,
        querystring: z.object({
          month: month.optional().describe('认定月份（即起始月份），默认本月'),
          temporaryAssistanceMonths: z.coerce.number().int().min(0).max(120).optional(),
          renovationCostFen: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
        }),
        response: { 200: determinationSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'entitlements.view');
      const q = request.query;
      return determineCase({ db: store.db }, scopeOf(user), {
        districtCode: request.params.district,
        caseId: request.params.id,
        month: q.month ?? shanghaiMonth(),
        temporaryAssistanceMonths: q.temporaryAssistanceMonths,
        renovationCostFen: q.renovationCostFen,
      });
    },
  );

  app.get(
    '/api/cases/:district/:id/decision',
    {
      schema: {
        tags: [TAG],
        summary: '救助申请的决定明细（每个项目一行；账号按权限脱敏）',
        params: keyParams,
        response: { 200: decisionSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'entitlements.view');
      return decisionOf(
        store.db,
        scopeOf(user),
        { districtCode: request.params.district, caseId: request.params.id },
        { unmaskAccounts: hasPermission(user.role, 'entitlements.account') },
      );
    },
  );

  app.put(
    '/api/cases/:district/:id/decision',
    {
      schema: {
        tags: [TAG],
        summary:
          '拟定决定明细：重新运行联合认定，每个申请项目一行（可对引擎认定符合的项目不予批准并写明理由；引擎认定不符合的项目不能批准，422 ENGINE_DENIES）；批准的项目须为每个受益对象指定收款人与账户；已决定的申请 409 ALREADY_DECIDED',
        params: keyParams,
        body: z.object({
          month: month.describe('认定月份，即起始月份'),
          temporaryAssistanceMonths: z.number().int().min(0).max(120).optional(),
          renovationCostFen: money.optional(),
          lines: z
            .array(
              z.object({
                program: z.string().max(40),
                outcome: z.enum(['granted', 'denied']),
                reasons: z.array(z.string().trim().max(200)).max(10).optional(),
              }),
            )
            .min(1, '请至少填写一个项目的决定')
            .max(PROGRAM_CODES.length),
          payees: z
            .array(
              z.object({
                beneficiaryId: z
                  .uuid('受益对象编号格式不正确')
                  .describe('家庭户编号（家庭项目）或人员编号（个人项目）'),
                payeePersonId: z.uuid('收款人编号格式不正确'),
                bankName: z.string().trim().max(40),
                accountNo: z.string().trim().max(32),
              }),
            )
            .max(100)
            .default([]),
          reason: reasonText(2, 200, '拟定原因').default('联合认定，拟定决定明细'),
        }),
        response: { 200: decisionSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'entitlements.prepare');
      const { body, params } = request;
      return inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        prepareDecision(tx, caller(user), {
          districtCode: params.district,
          caseId: params.id,
          month: body.month,
          temporaryAssistanceMonths: body.temporaryAssistanceMonths,
          renovationCostFen: body.renovationCostFen,
          lines: body.lines,
          payees: body.payees,
        }),
      );
    },
  );

  app.get(
    '/api/entitlements',
    {
      schema: {
        tags: [TAG],
        summary:
          '待遇列表（数据范围内，新者在前）：按项目、状态、街道/居委会、家庭户、人员（受益人或收款人）筛选',
        querystring: districtQuery.extend(pageQuery.shape).extend({
          program: program.optional(),
          state: z.enum(['active', 'suspended', 'stopped']).optional(),
          division: z
            .string()
            .regex(/^(\d{9}|\d{12})$/, '街道或居委会代码应为 9 位或 12 位数字')
            .optional(),
          householdId: z.uuid().optional(),
          personId: z.uuid().optional(),
          caseId: z.uuid().optional(),
        }),
        response: { 200: pageOf(entitlementSchema) },
      },
    },
    async (request) => {
      const user = allowed(request, 'entitlements.view');
      const q = request.query;
      // A city-level user may name a district; anyone else may only name their own (else 404).
      const districtCode = q.district ? districtOf(scopeOf(user), q.district, config) : undefined;
      const page = await listEntitlements(store.db, caller(user), {
        districtCode,
        program: q.program,
        state: q.state,
        division: q.division,
        householdId: q.householdId,
        personId: q.personId,
        caseId: q.caseId,
        limit: q.limit,
        offset: q.offset,
      });
      return { ...page, totalExact: true };
    },
  );

  app.get(
    '/api/entitlements/:district/:id',
    {
      schema: {
        tags: [TAG],
        summary: '待遇详情与变动记录（新增、金额变更、暂停、停发、恢复、收款人变更）',
        params: keyParams,
        response: { 200: entitlementDetailSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'entitlements.view');
      return getEntitlement(store.db, caller(user), {
        districtCode: request.params.district,
        id: request.params.id,
      });
    },
  );

  app.post(
    '/api/entitlements/:district/:id/actions/:action',
    {
      schema: {
        tags: [TAG],
        summary:
          '暂停（suspend）、恢复（restart）或停发（stop，自 fromMonth 起不再发放）待遇：须写明原因并带页面读到的版本号（已被他人修改 409）',
        params: keyParams.extend({ action: z.enum(ENTITLEMENT_ACTIONS) }),
        body: z.object({
          version,
          reason: reasonText(2, 200, '原因'),
          fromMonth: month.optional().describe('停发：自该月起停发'),
        }),
        response: { 200: entitlementDetailSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'entitlements.change');
      const { body, params } = request;
      return inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        actOnEntitlement(tx, caller(user), {
          districtCode: params.district,
          id: params.id,
          action: params.action,
          version: body.version,
          reason: body.reason,
          fromMonth: body.fromMonth,
        }),
      );
    },
  );
}
