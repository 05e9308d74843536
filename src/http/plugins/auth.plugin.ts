import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from '../../auth/auth.service.ts';
import type { Store } from '../../db/store.ts';
import { SESSION_COOKIE } from '../context.ts';
import { AppError } from '../errors.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The one unsafe request that cannot carry a CSRF token: there is no session yet. */
const CSRF_EXEMPT = new Set(['/api/auth/login']);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const pathOf = (request: FastifyRequest) => request.url.split('?', 1)[0] ?? request.url;

/**
 * Resolves the session cookie on every /api request (request.auth) and enforces CSRF on unsafe methods:
 * an unsafe request needs a session (401) and the session's token in x-csrf-token (403).
 */
export function registerAuth(app: FastifyInstance, store: Store): void {
  app.decorateRequest('auth', null);
  app.addHook('preHandler', async (request) => {
    const path = pathOf(request);
    if (!path.startsWith('/api/')) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token && token.length <= 128) request.auth = (await authenticate(store, token)) ?? null;
    if (!UNSAFE.has(request.method) || CSRF_EXEMPT.has(path)) return;
    if (!request.auth) throw new AppError('AUTH_REQUIRED');
    const header = request.headers['x-csrf-token'];
    if (typeof header !== 'string' || !sameToken(header, request.auth.csrfToken)) {
      throw new AppError('CSRF_INVALID');
    }
  });
}
