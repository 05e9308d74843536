import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { listAudit } from '../audit/audit.service.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { ALL } from '../auth/scope.ts';
import { divisionIndex } from '../registry/divisions.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import type { Store } from '../db/store.ts';
import { createHousehold } from '../registry/registry.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { addUser, loginAs, seedTwoStreets, TEST_PASSWORD, testServer, type Agent } from './test-helpers.ts';

interface UserItem {
  id: string;
  username: string;
  role: string;
  roleName: string;
  divisionCode: string;
  divisionName: string;
  disabled: boolean;
  locked: boolean;
}
interface Page<T> {
  items: T[];
  total: number;
}

const XUHUI_HEAD = '徐汇测试户主';

/** One household in 徐汇区 (310104), outside a Yangpu user's reach. */
async function seedXuhui(store: Store): Promise<void> {
  const street = divisionIndex().children('310104')[0]?.code ?? '';
  const committee = divisionIndex().children(street)[0]?.code ?? '';
  await inUnitOfWork(store, { userId: 'seed', divisionCode: '310104', reason: '测试数据' }, (tx) =>
    createHousehold(tx, ALL, {
      householdNo: 'XH-0001',
      committeeCode: committee,
      address: '徐汇某路1号',
      validFrom: '2020-01-01',
      members: [
        {
          relationCode: '02',
          person: {
            idNumber: makeIdNumber('310104', '1955-05-05', 31),
            name: XUHUI_HEAD,
            sex: 1,
            birthDate: '1955-05-05',
            hukouDivisionCode: committee,
          },
        },
      ],
    }),
  );
}

describeStores('user routes: reach, city scope, disable / unlock / change role', (ctx) => {
  let app: FastifyInstance;
  let districtAdmin: Agent;
  let cityAdmin: Agent;
  let cityAuditorId: string;
  let districtAdminId: string;

  const patch = (agent: Agent, id: string, body: unknown): Promise<LightMyRequestResponse> =>
    app.inject({
      method: 'PATCH',
      url: `/api/users/${id}`,
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf },
      payload: body as Record<string, unknown>,
    });
  const login = (username: string, password = TEST_PASSWORD) =>
    app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const userNamed = async (agent: Agent, username: string): Promise<UserItem> => {
    const page = (await agent.get(`/api/users?limit=200&q=${encodeURIComponent(username)}`)).json<
      Page<UserItem>
    >();
    const found = page.items.find((u) => u.username === username);
    if (!found) throw new Error(`no user ${username}`);
    return found;
  };

  beforeAll(async () => {
    app = await testServer(ctx.store);
    await seedTwoStreets(ctx.store);
    await seedXuhui(ctx.store);
    districtAdminId = await addUser(ctx.store, 'admin', 'admin', '310110');
    await addUser(ctx.store, 'city.admin', 'admin', '310000');
    cityAuditorId = await addUser(ctx.store, 'city.auditor', 'auditor', '310000');
    await addUser(ctx.store, 'worker', 'street_caseworker', '310110012');
    districtAdmin = await loginAs(app, 'admin');
    cityAdmin = await loginAs(app, 'city.admin');
  });
  afterAll(() => app.close());

  it('the reported attack: a district admin cannot mint a city auditor nor take one over', async () => {
    const minted = await districtAdmin.post('/api/users', {
      username: 'mole',
      displayName: '越权审计员',
      role: 'auditor',
      divisionCode: '310000',
    });
    expect(minted.statusCode).toBe(403);
    expect(minted.json<{ error: { message: string } }>().error.message).toMatch(/管辖范围/);
    const cityAdminTry = await districtAdmin.post('/api/users', {
      username: 'mole2',
      displayName: '越权管理员',
      role: 'admin',
      divisionCode: '310000',
    });
    expect(cityAdminTry.statusCode).toBe(403);
    // Out of reach reads as absent, exactly like a user that does not exist.
    const takeover = await districtAdmin.post(`/api/users/${cityAuditorId}/reset-password`);
    expect(takeover.statusCode).toBe(404);
    expect(
      (await patch(districtAdmin, cityAuditorId, { disabled: true, reason: '测试越权' })).statusCode,
    ).toBe(404);
    expect((await login('city.auditor')).statusCode).toBe(200);
    // The city administrator may.
    expect((await cityAdmin.post(`/api/users/${cityAuditorId}/reset-password`)).statusCode).toBe(200);
    const byCity = await cityAdmin.post('/api/users', {
      username: 'city.auditor2',
      displayName: '市审计员',
      role: 'auditor',
      divisionCode: '310000',
    });
    expect(byCity.statusCode).toBe(201);
    expect(byCity.json<{ user: UserItem }>().user).toMatchObject({ divisionName: '上海市' });
  });

  it('a district auditor its admin creates sees its district only; a city auditor sees the city', async () => {
    const created = await districtAdmin.post('/api/users', {
      username: 'yp.auditor',
      displayName: '杨浦审计员',
      role: 'auditor',
      divisionCode: '310110',
    });
    expect(created.statusCode).toBe(201);
    await addUser(ctx.store, 'yp.auditor.t', 'auditor', '310110');
    const districtAuditor = await loginAs(app, 'yp.auditor.t');
    const xuhui = encodeURIComponent(XUHUI_HEAD);
    expect((await districtAuditor.get(`/api/persons?q=${xuhui}`)).json<Page<unknown>>().total).toBe(0);
    expect((await districtAuditor.get('/api/persons?limit=50')).json<Page<unknown>>().total).toBe(4);
    await addUser(ctx.store, 'city.auditor.t', 'auditor', '310000');
    const city = await loginAs(app, 'city.auditor.t');
    expect((await city.get(`/api/persons?q=${xuhui}`)).json<Page<unknown>>().total).toBe(1);
    expect((await city.get('/api/persons?limit=50')).json<Page<unknown>>().total).toBe(5);
    const me = (await city.get('/api/auth/me')).json<{ user: { divisionName: string } }>();
    expect(me.user.divisionName).toBe('上海市');
  });

  it('a role must fit its division level, with a Chinese message; an unknown division is refused', async () => {
    const cases: [string, string, RegExp][] = [
      ['committee_assistant', '310110012', /居委会助理员须属于居委会/],
      ['street_caseworker', '310110012001', /街道经办人须属于街道/],
      ['street_caseworker', '310110', /街道经办人须属于街道/],
      ['district_approver', '310110012', /区审批人须属于区/],
      ['finance_officer', '310000', /财务人员须属于区/],
      ['auditor', '310110012', /审计员须属于区（6 位区划代码）或全市/],
    ];
    for (const [role, divisionCode, message] of cases) {
      const response = await cityAdmin.post('/api/users', {
        username: 'misfit',
        displayName: '不符',
        role,
        divisionCode,
      });
      expect(response.statusCode, `${role} ${divisionCode}`).toBe(400);
      const body = response.json<{
        error: { code: string; message: string; details: { field: string }[] };
      }>();
      expect(body.error.code).toBe('VALIDATION');
      expect(body.error.message).toMatch(message);
      expect(body.error.details[0]?.field).toBe('divisionCode');
    }
    const unknown = await districtAdmin.post('/api/users', {
      username: 'nowhere',
      displayName: '无',
      role: 'street_caseworker',
      divisionCode: '310110999',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ error: { message: string } }>().error.message).toContain('不存在');
    expect((await cityAdmin.get('/api/users?limit=200&q=misfit')).json<Page<unknown>>().total).toBe(0);
  });

  it('disables and enables a user: sessions end, login is refused, audited with before/after', async () => {
    await addUser(ctx.store, 'leaver', 'street_caseworker', '310110012');
    const leaver = await loginAs(app, 'leaver');
    const target = await userNamed(districtAdmin, 'leaver');
    const noReason = await patch(districtAdmin, target.id, { disabled: true });
    expect(noReason.statusCode).toBe(400);
    const invisible = await patch(districtAdmin, target.id, { disabled: true, reason: '\u200b\u200b\u200b' });
    expect(invisible.statusCode).toBe(400);
    const disabled = await patch(districtAdmin, target.id, { disabled: true, reason: '调离本单位' });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json<{ user: UserItem }>().user).toMatchObject({ disabled: true });
    expect((await leaver.get('/api/auth/me')).statusCode).toBe(401);
    expect((await login('leaver')).statusCode).toBe(401);
    expect((await userNamed(districtAdmin, 'leaver')).disabled).toBe(true);
    const audit = await listAudit(ctx.store, { scope: ALL, action: 'user.updated', limit: 10, offset: 0 });
    const row = audit.items.find((item) => item.entityId === target.id);
    expect(row).toMatchObject({
      reason: '调离本单位',
      before: { disabled: false },
      after: { disabled: true },
    });

    const enabled = await patch(districtAdmin, target.id, { disabled: false, reason: '重新入职' });
    expect(enabled.statusCode).toBe(200);
    expect((await login('leaver')).statusCode).toBe(200);
    const again = await patch(districtAdmin, target.id, { disabled: false, reason: '重新入职' });
    expect(again.statusCode).toBe(400);
  });

  it('unlocks a locked account', async () => {
    await addUser(ctx.store, 'forgetful', 'committee_assistant', '310110012001');
    for (let i = 0; i < 5; i += 1) await login('forgetful', `wrong-password-${i}`);
    expect((await login('forgetful')).statusCode).toBe(423);
    const target = await userNamed(districtAdmin, 'forgetful');
    expect(target.locked).toBe(true);
    const locked = (await districtAdmin.get('/api/users?limit=200&status=locked')).json<Page<UserItem>>();
    expect(locked.items.map((u) => u.username)).toEqual(['forgetful']);
    const unlocked = await patch(districtAdmin, target.id, { unlock: true, reason: '本人电话确认' });
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json<{ user: UserItem }>().user.locked).toBe(false);
    expect((await login('forgetful')).statusCode).toBe(200);
  });

  it('changes role and division within reach: sessions end; misfits and out-of-reach refused', async () => {
    await addUser(ctx.store, 'mover', 'street_caseworker', '310110012');
    const mover = await loginAs(app, 'mover');
    const target = await userNamed(districtAdmin, 'mover');
    // The current division does not fit the new role.
    const misfit = await patch(districtAdmin, target.id, { role: 'committee_assistant', reason: '岗位调整' });
    expect(misfit.statusCode).toBe(400);
    expect(misfit.json<{ error: { message: string } }>().error.message).toMatch(/居委会助理员须属于居委会/);
    const outside = await patch(districtAdmin, target.id, {
      role: 'district_approver',
      divisionCode: '310104',
      reason: '岗位调整',
    });
    expect(outside.statusCode).toBe(403);
    const cityLevel = await patch(districtAdmin, target.id, {
      role: 'auditor',
      divisionCode: '310000',
      reason: '岗位调整',
    });
    expect(cityLevel.statusCode).toBe(403);
    expect((await mover.get('/api/auth/me')).statusCode).toBe(200);

    const committee = divisionIndex().children('310110012')[1]?.code ?? '';
    const moved = await patch(districtAdmin, target.id, {
      role: 'committee_assistant',
      divisionCode: committee,
      reason: '岗位调整',
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json<{ user: UserItem }>().user).toMatchObject({
      role: 'committee_assistant',
      roleName: '居委会助理员',
      divisionCode: committee,
    });
    expect((await mover.get('/api/auth/me')).statusCode).toBe(401);
    const audit = await listAudit(ctx.store, { scope: ALL, action: 'user.updated', limit: 50, offset: 0 });
    expect(audit.items.find((item) => item.entityId === target.id)).toMatchObject({
      before: { role: 'street_caseworker', divisionCode: '310110012' },
      after: { role: 'committee_assistant', divisionCode: committee },
    });
  });

  it('an admin cannot disable or demote itself', async () => {
    for (const change of [{ disabled: true }, { role: 'auditor' }, { divisionCode: '310110012' }]) {
      const response = await patch(districtAdmin, districtAdminId, { ...change, reason: '自我调整' });
      expect(response.statusCode, JSON.stringify(change)).toBe(403);
    }
    expect((await districtAdmin.get('/api/auth/me')).statusCode).toBe(200);
  });

  it('lists users in reach with Chinese role names, division names and filters', async () => {
    const own = (await districtAdmin.get('/api/users?limit=200')).json<Page<UserItem>>();
    expect(own.items.every((u) => u.divisionCode.startsWith('310110'))).toBe(true);
    expect(own.items.map((u) => u.username)).not.toContain('city.auditor');
    const worker = own.items.find((u) => u.username === 'worker');
    expect(worker).toMatchObject({ roleName: '街道经办人', divisionName: '杨浦区 控江路街道' });
    const auditors = (await districtAdmin.get('/api/users?limit=200&role=auditor')).json<Page<UserItem>>();
    expect(auditors.items.length).toBeGreaterThan(0);
    expect(auditors.items.every((u) => u.role === 'auditor')).toBe(true);
    const street = (await districtAdmin.get('/api/users?limit=200&division=310110012')).json<
      Page<UserItem>
    >();
    expect(street.items.every((u) => u.divisionCode.startsWith('310110012'))).toBe(true);
    expect((await districtAdmin.get('/api/users?division=310104')).statusCode).toBe(404);
    const disabled = (await districtAdmin.get('/api/users?limit=200&status=disabled')).json<Page<UserItem>>();
    expect(disabled.items.every((u) => u.disabled)).toBe(true);
    const city = (await cityAdmin.get('/api/users?limit=200&q=city.auditor')).json<Page<UserItem>>();
    expect(city.items.map((u) => u.divisionName)).toContain('上海市');
    const everyone = (await cityAdmin.get('/api/users?limit=200')).json<Page<UserItem>>();
    const wholeCity = (await cityAdmin.get('/api/users?limit=200&division=310000')).json<Page<UserItem>>();
    expect(wholeCity.total).toBe(everyone.total);
    expect(everyone.items.map((u) => u.username)).toContain('worker');
  });

  it('offers the roles and divisions the admin may assign', async () => {
    const roles = (await districtAdmin.get('/api/users/roles')).json<{
      items: { role: string; name: string; levels: string[] }[];
    }>();
    expect(roles.items.find((r) => r.role === 'auditor')).toEqual({
      role: 'auditor',
      name: '审计员',
      levels: ['district', 'city'],
    });
    const roots = (await districtAdmin.get('/api/users/divisions')).json<unknown>();
    expect(roots).toEqual([{ code: '310110', name: '杨浦区', level: 'district', leaf: false }]);
    const streets = (await districtAdmin.get('/api/users/divisions?parent=310110')).json<
      { code: string }[]
    >();
    expect(streets.map((s) => s.code)).toContain('310110012');
    expect((await districtAdmin.get('/api/users/divisions?parent=310104')).statusCode).toBe(404);
    const cityRoots = (await cityAdmin.get('/api/users/divisions')).json<unknown>();
    expect(cityRoots).toEqual([{ code: '310000', name: '上海市', level: 'city', leaf: false }]);
    const districts = (await cityAdmin.get('/api/users/divisions?parent=310000')).json<{ level: string }[]>();
    expect(districts).toHaveLength(16);
    expect(districts.every((d) => d.level === 'district')).toBe(true);
    const committees = (await cityAdmin.get('/api/users/divisions?parent=310110012')).json<
      { leaf: boolean }[]
    >();
    expect(committees.every((c) => c.leaf)).toBe(true);
  });

  it('refuses all of it to a non-admin', async () => {
    const worker = await loginAs(app, 'worker');
    expect((await worker.get('/api/users/roles')).statusCode).toBe(403);
    expect((await worker.get('/api/users/divisions')).statusCode).toBe(403);
    expect((await patch(worker, districtAdminId, { disabled: true, reason: '越权操作' })).statusCode).toBe(
      403,
    );
  });

  it('left an intact audit chain', async () => {
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });
});
