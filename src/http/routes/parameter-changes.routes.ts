import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { now, shanghaiMonth } from '../../core/clock.ts';
import { CHANGE_ACTIONS, CHANGE_STATES, type ChangeState } from '../../parameter-changes/change.machine.ts';
import {
  listChangeViews,
  parametersWithOrigins,
  presentChanges,
} from '../../parameter-changes/change.present.ts';
import { findChange } from '../../parameter-changes/change.repository.ts';
import {
  actOnChange,
  proposeChange,
  withRefusalAudit,
  type ChangeCaller,
} from '../../parameter-changes/change.service.ts';
import { CHANGE_NOT_FOUND, ParameterChangeError } from '../../parameter-changes/parameter-changes.errors.ts';
import { ensureCurrentParameters, parametersInForce } from '../../parameter-changes/parameters-in-force.ts';
import { PARAMETER_STATUSES } from '../../policy/engine/parameter.schema.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText, text } from '../schemas.ts';
import { actorOf, int, version } from './edit-pipeline.ts';

/**
 * 政策参数调整 (src/parameter-changes, docs/parameter-changes.md): the parameters with the origin of each
 * value (内置文件 / 已批准变更), the changes (proposed by one policy officer, approved by another), and each
 * parameter's history. Refusals by the module's rules are audited.
 */

const TAG = '政策参数调整';
const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM');
const pathSchema = z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, '参数路径格式错误');

const originValue = z.object({
  from: z.string().describe('生效日期（或统计年度）'),
  value: z.number(),
  status: z.string(),
  source: z.string(),
  decided: z.string().optional(),
  note: z.string().optional(),
  origin: z.enum(['file', 'change']).describe('file：内置参数文件；change：已批准的参数调整'),
  originName: z.string(),
  changeId: z.string().optional(),
  documentNo: z.string().optional(),
});

const parameterSchema = z.object({
  path: z.string(),
  description: z.string(),
  unit: z.string(),
  unitName: z.string(),
  keyedBy: z.enum(['date', 'year']),
  values: z.array(originValue).describe('全市取值'),
  districts: z.array(z.object({ code: z.string(), name: z.string(), values: z.array(originValue) })),
  current: originValue.nullable().describe('该月全市计算使用的取值'),
});

const changeSchema = z.object({
  id: z.string(),
  path: z.string(),
  description: z.string(),
  unit: z.string(),
  unitName: z.string(),
  keyedBy: z.enum(['date', 'year']),
  districtCode: z.string().nullable().describe('null：全市取值；否则该区自行设定的取值'),
  districtName: z.string(),
  value: z.number(),
  effective: z.string(),
  decidedOn: z.string().nullable(),
  documentNo: z.string(),
  source: z.string(),
  status: z.string(),
  note: z.string().nullable(),
  state: z.enum(['proposed', 'approved', 'rejected', 'withdrawn']),
  stateName: z.string(),
  version: int,
  proposedBy: z.string(),
  proposedByName: z.string(),
  proposedAt: z.string(),
  reason: z.string(),
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
  backdated: z.boolean().describe('生效日期早于批准当月：批准后将触发补发'),
  previousValue: z.number().nullable(),
  allowedActions: z.array(z.object({ action: z.enum(CHANGE_ACTIONS), label: z.string() })),
});

function caller(user: AuthUser): ChangeCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id, divisionCode: user.divisionCode };
}

function allowed(request: FastifyRequest, ...anyOf: Permission[]): AuthUser {
  const user = requireUser(request);
  if (!anyOf.some((p) => hasPermission(user.role, p))) throw new AppError('FORBIDDEN');
  return user;
}

const CHANGE_READERS: Permission[] = ['parameters.view', 'parameters.propose', 'parameters.approve'];

export function registerParameterChangeRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store } = deps;

  app.get(
    '/api/parameters',
    {
      schema: {
        tags: [TAG],
        summary: '政策参数及其取值：内置文件与已批准调整合并后的取值，每个取值注明来源',
        querystring: z.object({ month: monthSchema.optional().describe('现行值按哪个月，默认本月') }),
        response: { 200: z.array(parameterSchema) },
      },
    },
    (request) => {
      allowed(request, 'policy.view');
      return parametersWithOrigins(parametersInForce(), request.query.month ?? shanghaiMonth());
    },
  );

  app.get(
    '/api/parameters/changes',
    {
      schema: {
        tags: [TAG],
        summary: '参数调整记录（区级用户只看到全市与本区的调整）',
        querystring: z.object({
          state: z.enum(Object.keys(CHANGE_STATES) as [ChangeState, ...ChangeState[]]).optional(),
          parameter: pathSchema.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(200),
        }),
        response: { 200: z.array(changeSchema) },
      },
    },
    async (request) => {
      const user = allowed(request, ...CHANGE_READERS);
      const q = request.query;
      return listChangeViews(
        store.db,
        caller(user),
        { state: q.state, path: q.parameter, limit: q.limit },
        parametersInForce(),
        now(),
      );
    },
  );

  app.post(
    '/api/parameters/changes',
    {
      schema: {
        tags: [TAG],
        summary:
          '提出参数调整（政策管理员）：全市取值由市级、区级取值由本区的政策管理员提出；取值为参数单位的整数（金额为分）；不合规的调整 400/403 并记入审计',
        body: z.object({
          path: pathSchema,
          districtCode: z
            .string()
            .regex(/^31\d{4}$/, '区代码应为 6 位')
            .nullable()
            .default(null),
          value: z.union([z.number(), z.string()]).describe('参数单位的整数：金额为分，年龄为周岁……'),
          unit: z.string().optional().describe('提出人认为的单位；与参数单位不符则拒绝'),
          effective: z.string().describe('生效日期 YYYY-MM-DD；按年度的统计数值为年份 YYYY'),
          decidedOn: z.string().optional().describe('文件决定（印发）日期'),
          documentNo: text(100).describe('文号'),
          source: text(500).describe('文件名称或出处'),
          status: z.enum(PARAMETER_STATUSES),
          note: text(500).optional(),
          reason: reasonText(2, 200, '调整原因'),
        }),
        response: { 200: changeSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'parameters.propose');
      const { body } = request;
      const who = caller(user);
      const actor = actorOf(request, user, body.reason);
      const id = await withRefusalAudit(
        store,
        actor,
        { action: 'propose', path: body.path, districtCode: body.districtCode },
        () => inUnitOfWork(store, actor, (tx) => proposeChange(tx, who, body)),
      );
      const row = await findChange(store.db, who.scope, id);
      if (!row) throw new ParameterChangeError('not_found', CHANGE_NOT_FOUND);
      const [view] = await presentChanges(store.db, who, [row], parametersInForce(), now());
      return view;
    },
  );

  app.post(
    '/api/parameters/changes/:id/:action',
    {
      schema: {
        tags: [TAG],
        summary:
          '批准（approve）、驳回（reject）或撤回（withdraw，仅提出人）参数调整：不能审批本人提出的调整；须带页面读到的版本号（已被他人修改 409）；批准后各进程立即使用新取值',
        params: z.object({ id: z.uuid('编号格式不正确'), action: z.enum(CHANGE_ACTIONS) }),
        body: z.object({ version, reason: reasonText(2, 200, '审批意见') }),
        response: { 200: changeSchema },
      },
    },
    async (request) => {
      const user = allowed(request, 'parameters.propose', 'parameters.approve');
      const { body, params } = request;
      const who = caller(user);
      const actor = actorOf(request, user, body.reason);
      await withRefusalAudit(store, actor, { action: params.action, id: params.id }, () =>
        inUnitOfWork(store, actor, (tx) =>
          actOnChange(tx, who, {
            id: params.id,
            action: params.action,
            expectedVersion: body.version,
            reason: body.reason,
          }),
        ),
      );
      if (params.action === 'approve') await ensureCurrentParameters(store.db);
      const row = await findChange(store.db, who.scope, params.id);
      if (!row) throw new ParameterChangeError('not_found', CHANGE_NOT_FOUND);
      const [view] = await presentChanges(store.db, who, [row], parametersInForce(), now());
      return view;
    },
  );

  app.get(
    '/api/parameters/:path/history',
    {
      schema: {
        tags: [TAG],
        summary: '一个参数的历史：全市与各区的取值（注明来自内置文件还是已批准调整）及全部调整记录',
        params: z.object({ path: pathSchema }),
        response: {
          200: z.object({ parameter: parameterSchema, changes: z.array(changeSchema) }),
        },
      },
    },
    async (request) => {
      const user = allowed(request, 'policy.view');
      const store_ = parametersInForce();
      const [parameter] = parametersWithOrigins(store_, shanghaiMonth(), request.params.path);
      if (!parameter) throw new AppError('NOT_FOUND', `未定义的参数：${request.params.path}`);
      const mayReadChanges = CHANGE_READERS.some((p) => hasPermission(user.role, p));
      const changes = mayReadChanges
        ? await listChangeViews(
            store.db,
            caller(user),
            { path: request.params.path, limit: 500 },
            store_,
            now(),
          )
        : [];
      return { parameter, changes };
    },
  );
}
