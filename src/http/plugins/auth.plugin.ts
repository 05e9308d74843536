import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from '../../auth/auth.service.ts';
import type { SessionCache } from '../../auth/session-cache.ts';
import type { Store } from '../../db/store.ts';
import { SESSION_COOKIE } from '../context.ts';
import { AppError } from '../errors.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Unsafe requests that cannot carry a CSRF token: there is no session (login, the residents' public forms). */
const CSRF_EXEMPT = new Set(['/api/auth/login', '/api/public/applications', '/api/public/status']);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const pathOf = (request: FastifyRequest) => request.url.split('?', 1)[0] ?? request.url;

/**
 * What a user who must still replace a one-time password may do: see who they are, change the password,
 * log out (or log in afresh), check health and read the API docs. Matched on the route (method and
 * pattern), not on the raw URL, so that no spelling of a URL reaches another route through the list.
 */
const OPEN_BEFORE_PASSWORD_CHANGE = new Set([
  'GET /api/auth/me',
  'POST /api/auth/password',
  'POST /api/auth/logout',
  'POST /api/auth/login',
  'GET /api/health',
  'GET /api/openapi.json',
]);

function openBeforePasswordChange(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route === undefined) return false;
  if (route === '/api/docs' || route.startsWith('/api/docs/')) return true;
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  return OPEN_BEFORE_PASSWORD_CHANGE.has(`${method} ${route}`);
}

/**
 * Resolves the session cookie on every /api request (request.auth) and enforces CSRF on unsafe methods:
 * an unsafe request needs a session (401) and the session's token in x-csrf-token (403). A user whose
 * password is a one-time password (mustChangePassword) is then refused everything but the few routes
 * above (403 PASSWORD_CHANGE_REQUIRED): this is the one place it is enforced, for every route.
 */
export function registerAuth(app: FastifyInstance, store: Store, sessions?: SessionCache): void {
  app.decorateRequest('auth', null);
  // onRequest (after @fastify/cookie's own): authentication comes before body parsing and validation, so
  // a refused request is refused whatever its body, and an upload is not read for nobody.
  app.addHook('onRequest', async (request) => {
    const path = pathOf(request);
    if (!path.startsWith('/api/')) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token && token.length <= 128)
      request.auth = (await authenticate(store, token, new Date(), sessions)) ?? null;
    if (UNSAFE.has(request.method) && !CSRF_EXEMPT.has(path)) {
      if (!request.auth) throw new AppError('AUTH_REQUIRED');
      const header = request.headers['x-csrf-token'];
      if (typeof header !== 'string' || !sameToken(header, request.auth.csrfToken)) {
        throw new AppError('CSRF_INVALID');
      }
    }
    if (request.auth?.user.mustChangePassword && !openBeforePasswordChange(request)) {
      throw new AppError('PASSWORD_CHANGE_REQUIRED');
    }
  });
}
