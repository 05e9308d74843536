import type { FastifyInstance } from 'fastify';

/**
 * Response headers every page and API answer carries. The console is served from the same origin and
 * needs no inline script; Element Plus sets inline styles, hence 'unsafe-inline' for styles only.
 * The API docs page sets its own CSP (swagger-ui's staticCSP).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function registerSecurityHeaders(app: FastifyInstance, options: { secureCookies: boolean }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    reply.header('x-request-id', request.id);
    if (options.secureCookies) reply.header('strict-transport-security', 'max-age=31536000');
    if (!request.url.startsWith('/api/docs')) reply.header('content-security-policy', CSP);
    // Personal data must not linger in shared caches or the browser's history cache.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
