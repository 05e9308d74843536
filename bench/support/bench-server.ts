/**
 * A benchmark's server and one signed-in user: a user of `role` in `divisionCode` is created, the server is
 * built on the store (no console, no log) and the user logs in; requests go through `inject`.
 */
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/auth/roles.ts';
import { createUser } from '../../src/auth/user.service.ts';
import { loadConfig } from '../../src/config.ts';
import type { Store } from '../../src/db/store.ts';
import { buildServer } from '../../src/http/server.ts';

export interface BenchSession {
  app: FastifyInstance;
  /** `mz_session=…`, for the cookie header. */
  cookie: string;
  csrfToken: string;
}

export async function benchSession(store: Store, role: Role, divisionCode: string): Promise<BenchSession> {
  const username = `bench_${role}_${process.pid}`;
  const password = `Bench-${process.pid}-2026`;
  await createUser(
    store,
    { userId: null, divisionCode: null },
    { username, displayName: username, role, divisionCode, password },
    '基准测试',
    { mustChangePassword: false },
  );
  const app = await buildServer({
    config: loadConfig({ LOG_LEVEL: 'silent', MINZHENG_WEB_DIST: '/nonexistent' }),
    store,
    logger: false,
  });
  await app.ready();
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const cookie = String(login.headers['set-cookie']).split(';', 1)[0] ?? '';
  return { app, cookie, csrfToken: login.json<{ csrfToken: string }>().csrfToken };
}
