import { z } from 'zod';
import { auditActionList, auditActionName, isAuditAction } from '../../audit/actions.ts';
import { listAudit } from '../../audit/audit.service.ts';
import { redactSnapshot } from '../../audit/redact.ts';
import { auditPolicy } from '../../auth/policies/audit.policy.ts';
import { scopeOf } from '../../auth/roles.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { pageOf, pageQuery } from '../schemas.ts';

const auditRow = z.object({
  id: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorDivision: z.string().nullable(),
  action: z.string(),
  actionName: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  hash: z.string(),
  district: z.string(),
});

export function registerAuditRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/audit',
    {
      schema: {
        tags: ['审计'],
        summary: '审计日志（审计员、系统管理员），新的在前',
        querystring: pageQuery.extend({
          entity: z.string().max(40).optional().describe('实体类型，如 person、household、user'),
          entityId: z.string().max(120).optional(),
          actor: z.string().max(64).optional().describe('操作人用户编号'),
          action: z.enum(auditActionList).optional(),
        }),
        response: { 200: pageOf(auditRow) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!auditPolicy.canRead(user)) throw new AppError('FORBIDDEN');
      const { entity, entityId, actor, action, limit, offset } = request.query;
      const page = await listAudit(store, {
        scope: scopeOf(user),
        entityType: entity,
        entityId,
        actorIds: actor ? [actor] : undefined,
        action,
        limit,
        offset,
      });
      return {
        total: page.total,
        totalExact: page.totalExact,
        items: page.items.map(({ prevHash: _prev, hashVersion: _version, ...row }) => ({
          ...row,
          before: redactSnapshot(row.before),
          after: redactSnapshot(row.after),
          actionName: isAuditAction(row.action) ? auditActionName(row.action) : row.action,
        })),
      };
    },
  );
}
