import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasPermission, scopeOf } from '../../auth/roles.ts';
import type { DataScope } from '../../auth/scope.ts';
import type { AuthUser } from '../../auth/user.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';
import { districtOf } from './registry.routes.ts';

/**
 * The pipeline every registry write route follows (登记变更, 跨区迁移): authenticate → validate (zod) →
 * authorise (registry.write; the scope is the user's) → one unit of work with the user's reason → the
 * registry service → a small answer with the versions the console needs next. The shared body fields
 * are here so that every form says the same things in the same words.
 */

export const int = z.number().int();
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
export const relationCode = z.string().regex(/^\d{2}$/, '与户主关系代码应为两位数字（GB/T 4761）');
export const reason = reasonText(2, 200, '变更原因');
export const version = int.min(1).describe('页面读到的版本号；已被他人修改则 409');

/** The writer: registry.write, else 403; its scope. */
export function writer(request: FastifyRequest): { user: AuthUser; scope: DataScope } {
  const user = requireUser(request);
  if (!hasPermission(user.role, 'registry.write')) throw new AppError('FORBIDDEN');
  return { user, scope: scopeOf(user) };
}

export function actorOf(request: FastifyRequest, user: AuthUser, why: string): ActingContext {
  return { userId: user.id, divisionCode: user.divisionCode, requestId: request.id, reason: why };
}

/** One edit in one unit of work on behalf of the signed-in writer, and the district a request names. */
export function editPipeline({ store, config }: ServerDeps) {
  const edit = <T>(
    request: FastifyRequest,
    why: string,
    work: (tx: WorkTx, scope: DataScope, user: AuthUser) => Promise<T>,
  ): Promise<T> => {
    const { user, scope } = writer(request);
    return inUnitOfWork(store, actorOf(request, user, why), (tx) => work(tx, scope, user));
  };
  const district = (request: FastifyRequest, requested: string | undefined) =>
    districtOf(scopeOf(requireUser(request)), requested, config);
  return { edit, district };
}
