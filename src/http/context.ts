import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import type { Store } from '../db/store.ts';
import type { ActiveSession } from '../auth/session.repository.ts';
import type { AuthUser } from '../auth/user.ts';
import type { AuditActor } from '../audit/audit.service.ts';
import type { Permission } from '../auth/roles.ts';
import { hasPermission } from '../auth/roles.ts';
import { AppError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The live session named by the mz_session cookie, or null (set by the auth plugin). */
    auth: ActiveSession | null;
  }
}

/** The Fastify instance routes are registered on: zod schemas type the handlers. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What every route module receives. */
export interface ServerDeps {
  config: Config;
  store: Store;
  version: string;
}

export const SESSION_COOKIE = 'mz_session';

/** authenticate: the session's user, or 401. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.auth) throw new AppError('AUTH_REQUIRED');
  return request.auth.user;
}

/** authenticate + a role permission, or 401/403. */
export function requirePermission(request: FastifyRequest, permission: Permission): AuthUser {
  const user = requireUser(request);
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
  return user;
}

/** The actor of a write, for the audit log. */
export function actorOf(request: FastifyRequest, user: AuthUser): AuditActor {
  return { userId: user.id, divisionCode: user.divisionCode, requestId: request.id };
}
