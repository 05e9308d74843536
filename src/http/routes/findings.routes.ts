import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { RULE_CODES } from '../../controls/rules/index.ts';
import {
  closeFindingAs,
  getFinding,
  listFindingViews,
  ruleViews,
  type FindingsCaller,
} from '../../controls/controls.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { pageQuery, reasonText } from '../schemas.ts';
import { actorOf, int, version } from './edit-pipeline.ts';

/**
 * 内控发现 (src/controls): the findings the control rules filed when a run was computed, as tasks — list with
 * filters, detail, 整改完成 (resolve) and 排除 (dismiss). Blocking findings of a run are closed only by a holder
 * of findings.resolve who did not prepare the run.
 */

const TAG = '内控';

const keyParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});

const severity = z.enum(['blocking', 'warning']);
const state = z.enum(['open', 'resolved', 'dismissed']);

const findingSchema = z.object({
  districtCode: z.string(),
  id: z.string(),
  rule: z.string(),
  ruleName: z.string(),
  severity,
  severityName: z.string(),
  runId: z.string().nullable(),
  month: z.string().nullable(),
  lineNo: int.nullable(),
  subjectKind: z.string(),
  personName: z.string().nullable(),
  householdNo: z.string().nullable(),
  householdHeadName: z.string().nullable(),
  description: z.string().describe('触发的事实（中文；身份证号、账号只显示尾号）'),
  state,
  stateName: z.string(),
  resolution: z.string().nullable().describe('整改情况或排除理由'),
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  dueOn: z.string().describe('处理期限（工作日，自发现之日起）'),
  overdue: z.boolean(),
  foundAt: z.string(),
  resolvedByName: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  version: int,
  actions: z.array(z.enum(['resolve', 'dismiss'])).describe('当前用户可执行的操作'),
});

const ruleSchema = z.object({
  code: z.string(),
  name: z.string(),
  severity,
  severityName: z.string(),
  description: z.string(),
});

function caller(user: AuthUser): FindingsCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function allowed(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

const flag = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => v === 'true');

export function registerFindingRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store } = deps;

  app.get(
    '/api/findings',
    {
      schema: {
        tags: [TAG],
        summary: '内控发现列表：按批次、规则、级别、状态、责任人筛选；待处理、阻断类在前，按处理期限排序',
        querystring: pageQuery.extend({
          districtCode: z
            .string()
            .regex(/^\d{6}$/, '区代码应为 6 位数字')
            .optional(),
          runId: z.uuid('批次编号格式不正确').optional(),
          rule: z.enum(RULE_CODES as [string, ...string[]]).optional(),
          severity: severity.optional(),
          state: state.optional(),
          month: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM')
            .optional(),
          mine: flag.describe('只看我负责的'),
          overdue: flag.describe('只看已逾期的'),
        }),
        response: {
          200: z.object({ items: z.array(findingSchema), total: int, rules: z.array(ruleSchema) }),
        },
      },
    },
    async (request) => {
      const user = allowed(request, 'findings.view');
      const q = request.query;
      const page = await listFindingViews(store.db, caller(user), q);
      return { ...page, rules: ruleViews() };
    },
  );

  app.get(
    '/api/findings/:district/:id',
    {
      schema: {
        tags: [TAG],
        summary: '内控发现详情',
        params: keyParams,
        response: { 200: findingSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'findings.view');
      return getFinding(store.db, caller(user), request.params.district, request.params.id);
    },
  );

  app.post(
    '/api/findings/:district/:id/resolve',
    {
      schema: {
        tags: [TAG],
        summary:
          '整改完成：填写整改情况（阻断类须由批次制单人以外的人员办理，否则 403）；版本已变 409 STALE_VERSION',
        params: keyParams,
        body: z.object({ version, resolution: reasonText(2, 500, '整改情况') }),
        response: { 200: findingSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'findings.resolve');
      const { body, params } = request;
      return inUnitOfWork(store, actorOf(request, user, `内控发现整改：${body.resolution}`), (tx) =>
        closeFindingAs(tx, caller(user), 'resolve', {
          districtCode: params.district,
          id: params.id,
          version: body.version,
          text: body.resolution,
        }),
      );
    },
  );

  app.post(
    '/api/findings/:district/:id/dismiss',
    {
      schema: {
        tags: [TAG],
        summary:
          '排除：说明不构成问题的理由（阻断类须由批次制单人以外的人员办理，否则 403）；版本已变 409 STALE_VERSION',
        params: keyParams,
        body: z.object({ version, reason: reasonText(2, 500, '排除理由') }),
        response: { 200: findingSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'findings.resolve');
      const { body, params } = request;
      return inUnitOfWork(store, actorOf(request, user, `内控发现排除：${body.reason}`), (tx) =>
        closeFindingAs(tx, caller(user), 'dismiss', {
          districtCode: params.district,
          id: params.id,
          version: body.version,
          text: body.reason,
        }),
      );
    },
  );
}
