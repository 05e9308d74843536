import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { resetParametersInForce } from '../parameter-changes/parameters-in-force.ts';
import { addUser, loginAs, testServer, type Agent } from './test-helpers.ts';

interface Change {
  id: string;
  version: number;
  state: string;
  backdated: boolean;
  allowedActions: { action: string }[];
}
interface Parameter {
  path: string;
  values: { from: string; value: number; origin: string }[];
  current: { value: number; origin: string } | null;
}

describeStores('parameter changes API', (ctx) => {
  let app: FastifyInstance;
  let city: Agent;
  let city2: Agent;
  let district: Agent;
  let caseworker: Agent;

  beforeAll(async () => {
    resetParametersInForce();
    await addUser(ctx.store, 'pc.city', 'policy_officer', '310000');
    await addUser(ctx.store, 'pc.city2', 'policy_officer', '310000');
    await addUser(ctx.store, 'pc.district', 'policy_officer', '310110');
    await addUser(ctx.store, 'pc.caseworker', 'street_caseworker', '310110012');
    app = await testServer(ctx.store);
    city = await loginAs(app, 'pc.city');
    city2 = await loginAs(app, 'pc.city2');
    district = await loginAs(app, 'pc.district');
    caseworker = await loginAs(app, 'pc.caseworker');
  });
  afterAll(async () => {
    await app.close();
    resetParametersInForce();
  });

  const proposal = {
    path: 'dibao.standard',
    value: 172_000,
    effective: '2025-09-01',
    decidedOn: '2025-11-20',
    documentNo: '沪民规〔2025〕11号',
    source: '关于调整本市最低生活保障标准的通知',
    status: 'given',
    reason: '本市调整低保标准',
  };

  it('one officer proposes, another approves; the list shows the value as an approved change', async () => {
    const proposed = await city.post('/api/parameters/changes', proposal);
    expect(proposed.statusCode, proposed.body).toBe(200);
    const change = proposed.json<Change>();
    expect(change.backdated).toBe(true);
    expect(change.allowedActions.map((a) => a.action)).toEqual(['withdraw']);

    const self = await city.post(`/api/parameters/changes/${change.id}/approve`, {
      version: 1,
      reason: '同意',
    });
    expect(self.statusCode).toBe(403);
    expect(self.json<{ error: { message: string } }>().error.message).toContain('不能审批本人提出的');

    const pending = (await city2.get('/api/parameters/changes?state=proposed')).json<Change[]>();
    expect(pending.map((c) => [c.id, c.allowedActions.map((a) => a.action)])).toEqual([
      [change.id, ['approve', 'reject']],
    ]);
    const approved = await city2.post(`/api/parameters/changes/${change.id}/approve`, {
      version: 1,
      reason: '同意',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<Change>().state).toBe('approved');

    const list = (await caseworker.get('/api/parameters?month=2025-10')).json<Parameter[]>();
    const standard = list.find((p) => p.path === 'dibao.standard');
    expect(standard?.current).toMatchObject({ value: 172_000, origin: 'change' });
    expect(standard?.values.find((v) => v.from === '2025-07-01')?.origin).toBe('file');
    const history = await caseworker.get('/api/parameters/dibao.standard/history');
    expect(history.statusCode).toBe(200);
    expect(history.json<{ changes: Change[] }>().changes).toEqual([]); // a caseworker reads values only
    const officer = (await district.get('/api/parameters/dibao.standard/history')).json<{
      changes: Change[];
    }>();
    expect(officer.changes.map((c) => c.state)).toEqual(['approved']);
  });

  it('refuses bad input and the wrong level with a Chinese message', async () => {
    const wrongLevel = await district.post('/api/parameters/changes', proposal);
    expect(wrongLevel.statusCode).toBe(403);
    expect(wrongLevel.json<{ error: { message: string } }>().error.message).toContain('市级政策管理员');
    const early = await city.post('/api/parameters/changes', { ...proposal, effective: '2010-01-01' });
    expect([early.statusCode, early.json<{ error: { message: string } }>().error.message]).toEqual([
      400,
      expect.stringContaining('早于'),
    ]);
    const unknown = await city.post('/api/parameters/changes', { ...proposal, path: 'dibao.nothing' });
    expect(unknown.statusCode).toBe(400);
    const shape = await city.post('/api/parameters/changes', { ...proposal, value: '1720元' });
    expect(shape.json<{ error: { message: string } }>().error.message).toContain('数字');
    const notOfficer = await caseworker.post('/api/parameters/changes', proposal);
    expect(notOfficer.statusCode).toBe(403);
  });
});
