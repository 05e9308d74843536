import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { verifyAuditChain } from '../audit/audit.service.ts';
import { listAudit } from '../audit/audit.service.ts';
import { addUser, loginAs, TEST_PASSWORD, testServer } from './test-helpers.ts';

describeStores('auth routes', (ctx) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'street_a', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'locky', 'committee_assistant', '310110012001');
    await addUser(ctx.store, 'boss', 'admin', '310110');
  });
  afterAll(() => app.close());

  it('logs in, reports the user with permissions and menus, and logs out for good', async () => {
    const agent = await loginAs(app, 'street_a');
    const me = await agent.get('/api/auth/me');
    expect(me.statusCode).toBe(200);
    const body = me.json<{ user: Record<string, unknown>; csrfToken: string }>();
    expect(body.user).toMatchObject({
      username: 'street_a',
      role: 'street_caseworker',
      roleName: '街道经办人',
      divisionCode: '310110012',
      divisionName: '杨浦区 控江路街道',
    });
    expect(body.user.permissions).toContain('person.unmask');
    expect(body.user.menus).toEqual([
      'dashboard',
      'persons',
      'households',
      'import',
      'calculator',
      'parameters',
    ]);
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(body.csrfToken).toBe(agent.csrf);

    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'street_a', password: TEST_PASSWORD },
    });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);

    expect((await agent.post('/api/auth/logout')).statusCode).toBe(204);
    const replay = await agent.get('/api/auth/me');
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
  });

  it('refuses a wrong password and an unknown user alike, and audits both', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'street_a', password: 'nope-nope-nope' },
    });
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<{ error: { message: string } }>().error.message).toBe(
      unknown.json<{ error: { message: string } }>().error.message,
    );
    const failures = await listAudit(ctx.store, { action: 'auth.login_failed', limit: 10, offset: 0 });
    expect(failures.total).toBeGreaterThanOrEqual(2);
  });

  it('locks an account after 5 failures, even for the right password', async () => {
    for (let i = 0; i < 4; i += 1) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'locky', password: `wrong-${i}` },
      });
      expect(r.statusCode).toBe(401);
    }
    const fifth = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'locky', password: 'wrong-5' },
    });
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json()).toMatchObject({ error: { code: 'AUTH_LOCKED' } });
    const right = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'locky', password: TEST_PASSWORD },
    });
    expect(right.statusCode).toBe(423);
  });

  it('requires the CSRF token on unsafe methods and a session before that', async () => {
    const agent = await loginAs(app, 'boss');
    const noToken = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: agent.cookie },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ error: { code: 'CSRF_INVALID' } });
    const badToken = await agent.post('/api/auth/logout', undefined, { 'x-csrf-token': 'x'.repeat(32) });
    expect(badToken.statusCode).toBe(403);
    const noSession = await app.inject({ method: 'POST', url: '/api/auth/logout' });
    expect(noSession.statusCode).toBe(401);
    // The session survived the refused attempts.
    expect((await agent.get('/api/auth/me')).statusCode).toBe(200);
  });

  it('changes the password and ends the other sessions', async () => {
    const first = await loginAs(app, 'street_a');
    const second = await loginAs(app, 'street_a');
    const weak = await first.post('/api/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'short',
    });
    expect(weak.statusCode).toBe(400);
    const ok = await first.post('/api/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'Another-password-9',
    });
    expect(ok.statusCode).toBe(204);
    expect((await second.get('/api/auth/me')).statusCode).toBe(401);
    const me = await first.get('/api/auth/me');
    expect(me.json<{ user: { mustChangePassword: boolean } }>().user.mustChangePassword).toBe(false);
    await loginAs(app, 'street_a', 'Another-password-9');
  });

  it('the admin creates users and resets passwords; others may not', async () => {
    const admin = await loginAs(app, 'boss');
    const created = await admin.post('/api/users', {
      username: 'new.user',
      displayName: '新用户',
      role: 'verification_officer',
      divisionCode: '310110',
    });
    expect(created.statusCode).toBe(201);
    const { user, password } = created.json<{ user: { id: string }; password: string }>();
    expect(password).toHaveLength(16);
    const fresh = await loginAs(app, 'new.user', password);
    expect((await fresh.get('/api/users')).statusCode).toBe(403);
    const reset = await admin.post(`/api/users/${user.id}/reset-password`);
    expect(reset.statusCode).toBe(200);
    expect((await fresh.get('/api/auth/me')).statusCode).toBe(401);
    await loginAs(app, 'new.user', reset.json<{ password: string }>().password);
    const list = await admin.get('/api/users?limit=50');
    const listed = list.json<{ items: Record<string, unknown>[] }>().items;
    expect(listed.map((u) => u.username)).toContain('new.user');
    expect(JSON.stringify(listed)).not.toMatch(/argon2|passwordHash/);
    const outside = await admin.post('/api/users', {
      username: 'other.district',
      displayName: '外区',
      role: 'admin',
      divisionCode: '310101',
    });
    expect(outside.statusCode).toBe(403);
  });

  it('a one-time password allows only me, password change, logout, health and docs until it is changed', async () => {
    await addUser(ctx.store, 'fresh', 'street_caseworker', '310110012', { mustChangePassword: true });
    const agent = await loginAs(app, 'fresh');
    const refusals = [
      await agent.get('/api/persons'),
      await agent.get('/api/households?limit=1'),
      await agent.get('/api/divisions/310110012/children'),
      await agent.get('/api/policy/programs'),
      await agent.post('/api/policy/calculate', {}),
      await agent.get('/api/nope'),
      await app.inject({ method: 'HEAD', url: '/api/persons', headers: { cookie: agent.cookie } }),
    ];
    for (const response of refusals) {
      expect(response.statusCode).toBe(403);
      if (response.body) {
        expect(response.json()).toMatchObject({
          error: { code: 'PASSWORD_CHANGE_REQUIRED', message: '请先修改初始密码' },
        });
      }
    }
    const me = await agent.get('/api/auth/me');
    expect(me.statusCode).toBe(200);
    expect(me.json<{ user: { mustChangePassword: boolean } }>().user.mustChangePassword).toBe(true);
    expect((await agent.get('/api/health')).statusCode).toBe(200);
    expect((await agent.get('/api/openapi.json')).statusCode).toBe(200);
    expect((await agent.get('/api/docs/')).statusCode).toBe(200);
    // Logging out is allowed (a second session, since changing the password ends the others).
    const other = await loginAs(app, 'fresh');
    expect((await other.post('/api/auth/logout')).statusCode).toBe(204);
    // CSRF is still checked first on the routes that stay open.
    const forged = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie: agent.cookie },
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'Brand-new-secret-77' },
    });
    expect(forged.json()).toMatchObject({ error: { code: 'CSRF_INVALID' } });

    const changed = await agent.post('/api/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'Brand-new-secret-77',
    });
    expect(changed.statusCode).toBe(204);
    expect((await agent.get('/api/persons')).statusCode).toBe(200);
    expect(
      (await agent.get('/api/auth/me')).json<{ user: { mustChangePassword: boolean } }>().user,
    ).toMatchObject({ mustChangePassword: false });

    // An administrator's reset hands out a new one-time password: refused again until it is changed.
    const admin = await loginAs(app, 'boss');
    const freshId = (await admin.get('/api/users?limit=50'))
      .json<{ items: { id: string; username: string }[] }>()
      .items.find((u) => u.username === 'fresh')?.id;
    const reset = await admin.post(`/api/users/${freshId ?? ''}/reset-password`);
    expect(reset.statusCode).toBe(200);
    const again = await loginAs(app, 'fresh', reset.json<{ password: string }>().password);
    const refused = await again.get('/api/persons');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
  });

  it('every write above left an intact audit chain', async () => {
    const result = await verifyAuditChain(ctx.store);
    expect(result.ok).toBe(true);
  });
});
