import { desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { listAudit } from '../audit/audit.service.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { auditLog } from '../audit/schema.ts';
import { ALL } from '../auth/scope.ts';
import { makeIdNumber } from '../registry/id-number.ts';
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
    // The side menu as the console builds it: id, Chinese title and path, in order (src/auth declarations).
    expect(body.user.menus).toEqual([
      { id: 'dashboard', title: '首页', path: '/dashboard' },
      { id: 'tasks', title: '待办', path: '/tasks' },
      { id: 'statistics', title: '统计报表', path: '/statistics' },
      { id: 'persons', title: '人口信息', path: '/persons' },
      { id: 'households', title: '家庭户', path: '/households' },
      { id: 'transfers', title: '跨区迁移', path: '/transfers' },
      { id: 'cases', title: '救助申请', path: '/cases' },
      { id: 'online-applications', title: '网上申请（待匹配）', path: '/online-applications' },
      { id: 'verifications', title: '核对委托', path: '/verifications' },
      { id: 'entitlements', title: '救助待遇', path: '/entitlements' },
      { id: 'adviser-assignments', title: '救助顾问', path: '/advisers/assignments' },
      { id: 'relatives', title: '近亲属备案', path: '/relatives' },
      { id: 'import', title: '台账导入', path: '/import' },
      { id: 'calculator', title: '政策计算器', path: '/calculator' },
      { id: 'parameters', title: '政策参数', path: '/parameters' },
      { id: 'calendar', title: '工作日历', path: '/calendar' },
      { id: 'jobs', title: '任务', path: '/jobs' },
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
    const failures = await listAudit(ctx.store, {
      scope: ALL,
      action: 'auth.login_failed',
      limit: 10,
      offset: 0,
    });
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
    const freshId = (await admin.get('/api/users?limit=50&q=fresh'))
      .json<{ items: { id: string; username: string }[] }>()
      .items.find((u) => u.username === 'fresh')?.id;
    const reset = await admin.post(`/api/users/${freshId ?? ''}/reset-password`);
    expect(reset.statusCode).toBe(200);
    const again = await loginAs(app, 'fresh', reset.json<{ password: string }>().password);
    const refused = await again.get('/api/persons');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
  });

  /** The `after` of the latest stored failed-login rows, as stored (not as the audit API shows them). */
  const storedFailures = async (n: number) =>
    (
      await ctx.store.db
        .select({ after: auditLog.after, actorId: auditLog.actorId })
        .from(auditLog)
        .where(eq(auditLog.action, 'auth.login_failed'))
        .orderBy(desc(auditLog.id))
        .limit(n)
    ).map((row) => row.after as { username?: string; reason?: string });

  it('answers 400 to a login with NUL or a lone surrogate, and audits the attempt with the name made safe', async () => {
    for (const [username, stored] of [
      ['a\u0000b', 'a\\u0000b'],
      ['x\udfffy', 'x\\udfffy'],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        // JSON.stringify writes both as escapes, as a hostile client would send them.
        payload: JSON.stringify({ username, password: 'whatever-1' }),
      });
      expect(response.statusCode, JSON.stringify(username)).toBe(400);
      const body = response.json<{ error: { code: string; details: { field: string }[] } }>();
      expect(body.error.code).toBe('VALIDATION');
      expect(body.error.details[0]?.field).toBe('body.username');
      const [row] = await storedFailures(1);
      expect(row).toEqual({ username: stored, reason: 'bad_input' });
    }
    // A body that is not even the right shape is refused and audited too.
    const shapeless = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 7 } });
    expect(shapeless.statusCode).toBe(400);
    expect((await storedFailures(1))[0]).toEqual({ username: '', reason: 'bad_input' });
    const before = (
      await listAudit(ctx.store, { scope: ALL, action: 'auth.login_failed', limit: 1, offset: 0 })
    ).total;
    const garbled = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":"a\u0000',
    });
    expect(garbled.statusCode).toBe(400);
    expect(
      (await listAudit(ctx.store, { scope: ALL, action: 'auth.login_failed', limit: 1, offset: 0 })).total,
    ).toBe(before + 1);
  });

  it('stores the username of a failed login masked when it is an ID number or a phone number', async () => {
    const idNumber = makeIdNumber('310110', '1960-03-15', 77);
    const phone = '13912345678';
    for (const username of [idNumber, phone, `${idNumber}\u0000`]) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: 'whatever-1' },
      });
      expect([400, 401]).toContain(response.statusCode);
    }
    const stored = JSON.stringify(await storedFailures(3));
    expect(stored).not.toContain(idNumber);
    expect(stored).not.toContain(idNumber.slice(6, 14));
    expect(stored).not.toContain(phone);
    expect(stored).toContain(idNumber.slice(0, 6));
  });

  it('counts wrong current passwords like failed logins: the fifth locks the account and ends the session', async () => {
    await addUser(ctx.store, 'guesser', 'street_caseworker', '310110012');
    const agent = await loginAs(app, 'guesser');
    const other = await loginAs(app, 'guesser');
    for (let i = 0; i < 4; i += 1) {
      const wrong = await agent.post('/api/auth/password', {
        currentPassword: `wrong-current-${i}`,
        newPassword: 'Another-password-9',
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json<{ error: { message: string } }>().error.message).toBe('当前密码错误');
    }
    const fifth = await agent.post('/api/auth/password', {
      currentPassword: 'wrong-current-5',
      newPassword: 'Another-password-9',
    });
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json()).toMatchObject({ error: { code: 'AUTH_LOCKED' } });
    expect((await agent.get('/api/auth/me')).statusCode).toBe(401);
    expect((await other.get('/api/auth/me')).statusCode).toBe(401);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'guesser', password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(423);
    const failures = await listAudit(ctx.store, {
      scope: ALL,
      action: 'auth.password_change_failed',
      limit: 10,
      offset: 0,
    });
    expect(failures.total).toBe(4);
    const locks = await listAudit(ctx.store, { scope: ALL, action: 'auth.locked', limit: 10, offset: 0 });
    expect(locks.items[0]).toMatchObject({ after: { reason: 'wrong_current_password', failedAttempts: 5 } });
  });

  it('a wrong current password counts with failed logins towards the same lock-out', async () => {
    await addUser(ctx.store, 'mixer', 'street_caseworker', '310110012');
    const agent = await loginAs(app, 'mixer');
    for (let i = 0; i < 3; i += 1) {
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'mixer', password: `wrong-${i}` },
      });
    }
    expect(
      (
        await agent.post('/api/auth/password', {
          currentPassword: 'nope-1',
          newPassword: 'Another-password-9',
        })
      ).statusCode,
    ).toBe(401);
    const last = await agent.post('/api/auth/password', {
      currentPassword: 'nope-2',
      newPassword: 'Another-password-9',
    });
    expect(last.statusCode).toBe(423);
  });

  it('every write above left an intact audit chain', async () => {
    const result = await verifyAuditChain(ctx.store);
    expect(result.ok).toBe(true);
  });
});
