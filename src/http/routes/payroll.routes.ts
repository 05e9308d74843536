import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { jobQueued } from '../../jobs/notify.ts';
import { PROGRAM_CODES } from '../../policy/index.ts';
import {
  RECOVERY_CAUSES,
  RECOVERY_STATES,
  RECOVERY_USER_ACTIONS,
} from '../../payroll/recovery/recovery.machine.ts';
import { listRecoveries, presentRecoveries } from '../../payroll/recovery/recovery.present.ts';
import { actOnRecovery, raiseRecovery } from '../../payroll/recovery/recovery.service.ts';
import { reviewHeldLines } from '../../payroll/runs/review.service.ts';
import { RUN_STATES, RUN_USER_ACTIONS } from '../../payroll/runs/run.machine.ts';
import { getRun, listLines, listRuns } from '../../payroll/runs/runs.read.ts';
import { presentRuns } from '../../payroll/runs/runs.present.ts';
import type { RunRow } from '../../payroll/runs/runs.repository.ts';
import { actOnRun, startRun, type PayrollCaller } from '../../payroll/runs/runs.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { pageOf, pageQuery, reasonText } from '../schemas.ts';
import { actorOf, int, version } from './edit-pipeline.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/**
 * 发放管理 (src/payroll/runs, src/payroll/recovery): a month's run — started by finance (202: the computing
 * job runs it), checked by a second finance officer, approved by the district approver (never the same
 * person twice; not while held lines or blocking findings remain), cancelled before approval — its totals
 * by program and its lines; the review of held lines; recovery items (追缴). Bank files and returns are
 * bank routes (H3); findings are internal control's.
 */

const TAG = '发放管理';
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM');
const period = z.string().regex(/^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$/, '期间格式应为 YYYY-MM 或 YYYY-Qn');
const keyParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});
const actorLabel = z.object({ id: z.string(), name: z.string() });
const step = z.object({ action: z.string(), label: z.string() });

const runSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  month: z.string(),
  state: z.enum(RUN_STATES),
  stateName: z.string(),
  jobId: z.string().nullable(),
  preparedBy: actorLabel.describe('制单人'),
  preparedAt: z.string(),
  checkedBy: actorLabel.nullable().describe('复核人'),
  checkedAt: z.string().nullable(),
  approvedBy: actorLabel.nullable().describe('审批人'),
  approvedAt: z.string().nullable(),
  exportedBy: actorLabel.nullable(),
  exportedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  lineCount: int,
  totalFen: z.number(),
  heldCount: int,
  heldFen: z.number(),
  version: int,
  allowedActions: z.array(step).describe('当前用户在此状态可执行的操作'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const runDetailSchema = runSchema.extend({
  totals: z.array(
    z.object({
      program: z.string(),
      programName: z.string(),
      lines: int.describe('人次（待发放、放行、已发放、发放失败）'),
      households: int.describe('户次'),
      amountFen: z.number(),
      heldLines: int,
      excludedLines: int,
      byState: z.array(
        z.object({ state: z.string(), stateName: z.string(), lines: int, amountFen: z.number() }),
      ),
    }),
  ),
  timeline: z.array(
    z.object({
      id: int,
      action: z.string(),
      actionLabel: z.string(),
      fromState: z.string().nullable(),
      fromStateLabel: z.string().nullable(),
      toState: z.string(),
      toStateLabel: z.string(),
      actorId: z.string().nullable(),
      actorName: z.string(),
      actorDivision: z.string().nullable(),
      reason: z.string(),
      attachments: z.array(z.string()),
      at: z.string(),
    }),
  ),
});

const personRef = z.object({ personId: z.string(), name: z.string(), idNumberMasked: z.string() });

const lineSchema = z.object({
  lineNo: int,
  program: z.string(),
  programName: z.string(),
  period: z.string(),
  kind: z.string(),
  kindName: z.string(),
  amountFen: z.number(),
  entitlementAmountFen: z.number().nullable(),
  engineAmountFen: z.number().nullable(),
  basisKind: z.string(),
  state: z.string(),
  stateName: z.string(),
  holdReason: z.string().nullable(),
  committeeCode: z.string(),
  committeeName: z.string().nullable(),
  householdId: z.string().nullable(),
  person: personRef.nullable(),
  payee: personRef,
  bankName: z.string().nullable(),
  accountNo: z.string().nullable().describe('无“查看完整收款账号”权限时脱敏'),
  accountMasked: z.boolean(),
  failureReason: z.string().nullable(),
  paidOn: z.string().nullable(),
  reviewedBy: z.string().nullable(),
});

const recoverySchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  payableId: z.string(),
  program: z.string(),
  programName: z.string(),
  period: z.string(),
  amountFen: z.number(),
  recoveredFen: z.number(),
  cause: z.enum(RECOVERY_CAUSES),
  causeName: z.string(),
  note: z.string(),
  person: personRef.nullable(),
  householdId: z.string().nullable(),
  state: z.enum(RECOVERY_STATES),
  stateName: z.string(),
  raisedBy: z.string(),
  raisedAt: z.string(),
  closedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
  version: int,
  allowedActions: z.array(step),
});

function caller(user: AuthUser): PayrollCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function allowed(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

export function registerPayrollRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store, config } = deps;
  const presentRunsOf = (user: AuthUser, rows: readonly RunRow[]) =>
    presentRuns(store.db, user.role, rows, user.id);

  app.get(
    '/api/payroll/runs',
    {
      schema: {
        tags: [TAG],
        summary: '发放批次列表（本区，新月份在前）：按月份、状态筛选；制单、复核、审批人以姓名显示',
        querystring: districtQuery.extend(pageQuery.shape).extend({
          month: month.optional(),
          state: z.enum(RUN_STATES).optional(),
        }),
        response: { 200: pageOf(runSchema) },
      },
    },
    async (request) => {
      const user = allowed(request, 'payroll.view');
      const q = request.query;
      const districtCode = q.district ? districtOf(scopeOf(user), q.district, config) : undefined;
      const page = await listRuns(store.db, caller(user), {
        districtCode,
        month: q.month,
        state: q.state,
        limit: q.limit,
        offset: q.offset,
      });
      return { ...page, totalExact: true };
    },
  );

  app.post(
    '/api/payroll/runs',
    {
      schema: {
        tags: [TAG],
        summary:
          '发起发放（202）：新建该月批次（计算中，制单人为当前用户）并提交计算任务；该月已有未撤销的批次 409 CONFLICT（重算须先撤销）',
        querystring: districtQuery,
        body: z.object({
          month: month.describe('发放月份'),
          reason: reasonText(2, 200, '原因').default('发起本月发放'),
        }),
        response: { 202: z.object({ run: runSchema, jobId: z.string() }) },
      },
    },
    async (request, reply) => {
      const user = allowed(request, 'payroll.prepare');
      const districtCode = districtOf(scopeOf(user), request.query.district, config);
      const started = await inUnitOfWork(store, actorOf(request, user, request.body.reason), (tx) =>
        startRun(tx, caller(user), { districtCode, month: request.body.month }),
      );
      jobQueued();
      const [run] = await presentRunsOf(user, [started.run]);
      return reply.status(202).send({ run: run!, jobId: started.jobId });
    },
  );

  app.get(
    '/api/payroll/runs/:district/:id',
    {
      schema: {
        tags: [TAG],
        summary: '发放批次详情：按项目汇总（人次、户次、金额，各状态条数）与办理过程',
        params: keyParams,
        response: { 200: runDetailSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'payroll.view');
      return getRun(store.db, caller(user), {
        districtCode: request.params.district,
        runId: request.params.id,
      });
    },
  );

  app.get(
    '/api/payroll/runs/:district/:id/lines',
    {
      schema: {
        tags: [TAG],
        summary:
          '发放明细（数据范围内）：按项目、状态、类别、街道/居委会、姓名或身份证号筛选；身份证号与账号脱敏（账号按权限）',
        params: keyParams,
        querystring: pageQuery.extend({
          program: z.enum(PROGRAM_CODES).optional(),
          state: z.enum(['held', 'pending', 'released', 'excluded', 'paid', 'failed']).optional(),
          kind: z.enum(['regular', 'arrears', 'carried', 'offset']).optional(),
          committee: z
            .string()
            .regex(/^(\d{9}|\d{12})$/, '街道或居委会代码应为 9 位或 12 位数字')
            .optional(),
          q: z.string().trim().min(1).max(40).optional().describe('姓名（部分）或完整身份证号'),
        }),
        response: { 200: pageOf(lineSchema) },
      },
    },
    async (request) => {
      const user = allowed(request, 'payroll.view');
      const q = request.query;
      const page = await listLines(
        store.db,
        caller(user),
        { districtCode: request.params.district, runId: request.params.id },
        {
          program: q.program,
          state: q.state,
          kind: q.kind,
          committee: q.committee,
          search: q.q,
          limit: q.limit,
          offset: q.offset,
        },
      );
      return { ...page, totalExact: true };
    },
  );

  app.post(
    '/api/payroll/runs/:district/:id/actions/:action',
    {
      schema: {
        tags: [TAG],
        summary:
          '复核（check：财务人员，非制单人）、审批（approve：区审批人，非制单人与复核人；尚有挂起明细或须处理的内控发现时 422 CHECK_FAILED）、撤销（cancel：审批前，冲销已计提的应付）。须写明原因并带页面读到的版本号（已被他人修改 409）',
        params: keyParams.extend({ action: z.enum(RUN_USER_ACTIONS) }),
        body: z.object({ version, reason: reasonText(2, 200, '原因') }),
        response: { 200: runSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'payroll.view');
      const { params, body } = request;
      const run = await inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        actOnRun(tx, caller(user), {
          districtCode: params.district,
          runId: params.id,
          action: params.action,
          version: body.version,
        }),
      );
      const [view] = await presentRunsOf(user, [run]);
      return view!;
    },
  );

  app.post(
    '/api/payroll/runs/:district/:id/review',
    {
      schema: {
        tags: [TAG],
        summary:
          '复核挂起明细（审批前）：放行（release，按待遇金额或测算金额，减去该期已计提，记入应付）或不予发放（exclude）；指定明细序号，或按项目、居委会、挂起原因批量',
        params: keyParams,
        body: z.object({
          decision: z.enum(['release', 'exclude']),
          amountFrom: z.enum(['entitlement', 'engine']).optional().describe('放行：按待遇金额或测算金额'),
          lineNos: z.array(int.min(1)).min(1).max(5000).optional(),
          program: z.enum(PROGRAM_CODES).optional(),
          committee: z
            .string()
            .regex(/^(\d{9}|\d{12})$/)
            .optional(),
          holdReason: z.string().max(200).optional(),
          version,
          reason: reasonText(2, 200, '复核意见'),
        }),
        response: { 200: z.object({ lines: int, fen: z.number(), version: int }) },
      },
    },
    async (request) => {
      const user = allowed(request, 'payroll.prepare');
      const { params, body } = request;
      return inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        reviewHeldLines(tx, caller(user), {
          districtCode: params.district,
          runId: params.id,
          decision: body.decision,
          amountFrom: body.amountFrom,
          filter: {
            lineNos: body.lineNos,
            program: body.program,
            committee: body.committee,
            holdReason: body.holdReason,
          },
          version: body.version,
          reason: body.reason,
        }),
      );
    },
  );

  app.get(
    '/api/payroll/recoveries',
    {
      schema: {
        tags: [TAG],
        summary: '追缴列表（本区）：按状态、原因、项目、人员筛选',
        querystring: districtQuery.extend(pageQuery.shape).extend({
          state: z.enum(RECOVERY_STATES).optional(),
          cause: z.enum(RECOVERY_CAUSES).optional(),
          program: z.enum(PROGRAM_CODES).optional(),
          personId: z.uuid().optional(),
        }),
        response: { 200: pageOf(recoverySchema) },
      },
    },
    async (request) => {
      const user = allowed(request, 'payroll.view');
      const q = request.query;
      const districtCode = q.district ? districtOf(scopeOf(user), q.district, config) : undefined;
      const page = await listRecoveries(store.db, caller(user), {
        districtCode,
        state: q.state,
        cause: q.cause,
        program: q.program,
        personId: q.personId,
        limit: q.limit,
        offset: q.offset,
      });
      return { ...page, totalExact: true };
    },
  );

  app.post(
    '/api/payroll/recoveries',
    {
      schema: {
        tags: [TAG],
        summary: '登记追缴：待遇、期间、原因、金额（不超过该期已发放减去已追缴）',
        querystring: districtQuery,
        body: z.object({
          payableId: z.uuid('待遇编号格式不正确'),
          period,
          cause: z.enum(RECOVERY_CAUSES),
          amountFen: int.min(1),
          note: reasonText(2, 200, '说明'),
          reason: reasonText(2, 200, '原因').default('登记追缴'),
        }),
        response: { 200: recoverySchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'payroll.prepare');
      const districtCode = districtOf(scopeOf(user), request.query.district, config);
      const b = request.body;
      const item = await inUnitOfWork(store, actorOf(request, user, b.reason), (tx) =>
        raiseRecovery(tx, caller(user), {
          districtCode,
          payableId: b.payableId,
          period: b.period,
          cause: b.cause,
          amountFen: b.amountFen,
          note: b.note,
        }),
      );
      const [view] = await presentRecoveries(store.db, user.role, [item]);
      return view!;
    },
  );

  app.post(
    '/api/payroll/recoveries/:district/:id/actions/:action',
    {
      schema: {
        tags: [TAG],
        summary:
          '追缴办理：收回（collect）、核销（write_off：区审批人，非登记人）、撤销（cancel）；须写明原因并带版本号',
        params: keyParams.extend({ action: z.enum(RECOVERY_USER_ACTIONS) }),
        body: z.object({ version, reason: reasonText(2, 200, '原因') }),
        response: { 200: recoverySchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'payroll.view');
      const { params, body } = request;
      const item = await inUnitOfWork(store, actorOf(request, user, body.reason), (tx) =>
        actOnRecovery(tx, caller(user), {
          districtCode: params.district,
          id: params.id,
          action: params.action,
          version: body.version,
        }),
      );
      const [view] = await presentRecoveries(store.db, user.role, [item]);
      return view!;
    },
  );
}
