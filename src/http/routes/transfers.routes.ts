import { z } from 'zod';
import { hasPermission, scopeOf } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { divisionIndex } from '../../registry/divisions.ts';
import {
  acceptTransfer,
  closeTransfer,
  getTransfer,
  listTransfers,
  startTransfer,
  type TransferCaller,
  type TransferView,
} from '../../registry/transfer/transfer.service.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { ageOn, todayIso } from '../presenters/registry.presenter.ts';
import { reasonText, timelineEvent } from '../schemas.ts';
import { editPipeline, int, isoDate, reason, relationCode, version } from './edit-pipeline.ts';
import { districtQuery } from './registry.routes.ts';

/**
 * 跨区迁移: a person moves to another district of the city, which completes the move (the transfer state
 * machine, registry/transfer); the person keeps their id. Writes follow edit-pipeline.ts.
 */

const transferSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  districtName: z.string().nullable(),
  fromCommitteeCode: z.string(),
  fromCommitteeName: z.string().nullable(),
  toDistrictCode: z.string(),
  toDistrictName: z.string().nullable(),
  toCommitteeCode: z.string().nullable(),
  toCommitteeName: z.string().nullable(),
  moveDate: z.string(),
  state: z.enum(['pending', 'accepted', 'refused', 'withdrawn']),
  stateName: z.string(),
  version: int,
  person: z.object({
    id: z.string(),
    name: z.string(),
    sex: int,
    sexName: z.string(),
    birthDate: z.string(),
    age: int,
    idNumberMasked: z.string(),
  }),
  toHouseholdId: z.string().nullable(),
  toRelationCode: z.string().nullable(),
  toRelationName: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  allowedActions: z.array(z.object({ action: z.string(), label: z.string() })),
});

function presentTransfer(view: TransferView) {
  return { ...view, person: { ...view.person, age: ageOn(view.person.birthDate, todayIso()) } };
}

export function registerTransferRoutes(app: ZodApp, deps: ServerDeps): void {
  const { store } = deps;
  const { edit, district } = editPipeline(deps);
  const caller = (user: AuthUser): TransferCaller => ({ scope: scopeOf(user), role: user.role });
  const transferParams = z.object({
    district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
    id: z.uuid('编号格式不正确'),
  });

  app.get(
    '/api/transfers/districts',
    {
      schema: {
        tags: ['跨区迁移'],
        summary: '本市各区（跨区迁移的迁入区）',
        response: { 200: z.array(z.object({ code: z.string(), name: z.string() })) },
      },
    },
    (request) => {
      requireUser(request);
      return divisionIndex()
        .children('31')
        .filter((d) => d.level === 'district')
        .map((d) => ({ code: d.code, name: d.name }));
    },
  );

  app.post(
    '/api/transfers',
    {
      schema: {
        tags: ['跨区迁移'],
        summary: '发起跨区迁移（迁出区）：待迁入区接收后生效',
        querystring: districtQuery,
        body: z.object({
          personId: z.uuid('编号格式不正确'),
          personVersion: version,
          toDistrictCode: z.string().regex(/^\d{6}$/, '迁入区代码应为 6 位数字'),
          toCommitteeCode: z
            .string()
            .regex(/^\d{12}$/, '居委会代码应为 12 位数字')
            .nullish(),
          moveDate: isoDate,
          reason,
        }),
        response: { 200: transferSchema },
      },
    },
    async (request) => {
      const { body } = request;
      const districtCode = district(request, request.query.district);
      const view = await edit(request, body.reason, (tx, _scope, user) =>
        startTransfer(tx, caller(user), {
          districtCode,
          personId: body.personId,
          personVersion: body.personVersion,
          toDistrictCode: body.toDistrictCode,
          toCommitteeCode: body.toCommitteeCode ?? null,
          moveDate: body.moveDate,
        }),
      );
      return presentTransfer(view);
    },
  );

  app.get(
    '/api/transfers',
    {
      schema: {
        tags: ['跨区迁移'],
        summary: '跨区迁移列表：incoming 为迁入本区的（待接收的迁入），outgoing 为本区发起的',
        querystring: z.object({
          direction: z.enum(['incoming', 'outgoing']).default('incoming'),
          state: z.enum(['pending', 'accepted', 'refused', 'withdrawn']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(transferSchema) }) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!hasPermission(user.role, 'registry.view')) throw new AppError('FORBIDDEN');
      const rows = await listTransfers(store.db, caller(user), request.query);
      return { items: rows.map(presentTransfer) };
    },
  );

  app.get(
    '/api/transfers/:district/:id',
    {
      schema: {
        tags: ['跨区迁移'],
        summary: '跨区迁移详情及办理过程（迁出区与迁入区可见）',
        params: transferParams,
        response: { 200: transferSchema.extend({ timeline: z.array(timelineEvent) }) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!hasPermission(user.role, 'registry.view')) throw new AppError('FORBIDDEN');
      const view = await getTransfer(store.db, caller(user), {
        districtCode: request.params.district,
        id: request.params.id,
      });
      return { ...presentTransfer(view), timeline: view.timeline };
    },
  );

  app.post(
    '/api/transfers/:district/:id/accept',
    {
      schema: {
        tags: ['跨区迁移'],
        summary: '接收（迁入区）：选择迁入的家庭户及与户主关系；人员随即迁入，人员编号不变',
        params: transferParams,
        body: z.object({
          version,
          householdId: z.uuid('请选择迁入的家庭户'),
          householdVersion: version.optional(),
          relationCode,
          reason,
        }),
        response: { 200: transferSchema },
      },
    },
    async (request) => {
      const { body, params } = request;
      const result = await edit(request, body.reason, (tx, _scope, user) =>
        acceptTransfer(tx, caller(user), {
          districtCode: params.district,
          id: params.id,
          version: body.version,
          householdId: body.householdId,
          householdVersion: body.householdVersion,
          relationCode: body.relationCode,
        }),
      );
      return presentTransfer(result.value);
    },
  );

  for (const action of ['refuse', 'withdraw'] as const) {
    app.post(
      `/api/transfers/:district/:id/${action}`,
      {
        schema: {
          tags: ['跨区迁移'],
          summary: action === 'refuse' ? '退回（迁入区），须说明理由' : '撤回（迁出区），接收前可撤回',
          params: transferParams,
          body: z.object({
            version,
            reason: reasonText(2, 200, action === 'refuse' ? '退回理由' : '撤回原因'),
          }),
          response: { 200: transferSchema },
        },
      },
      async (request) => {
        const { body, params } = request;
        const view = await edit(request, body.reason, (tx, _scope, user) =>
          closeTransfer(
            tx,
            caller(user),
            { districtCode: params.district, id: params.id, version: body.version },
            action,
          ),
        );
        return presentTransfer(view);
      },
    );
  }
}
