import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { listAudit } from '../audit/audit.service.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { ALL } from '../auth/scope.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface Page {
  items: Record<string, unknown>[];
  total: number;
}

describeStores('registry routes: scope, masking, unmask', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let streetA: Agent;
  let committee: Agent;
  let auditor: Agent;
  let finance: Agent;
  beforeAll(async () => {
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'street_a', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'committee_a', 'committee_assistant', data.a.committeeCode);
    await addUser(ctx.store, 'auditor', 'auditor', '310110');
    await addUser(ctx.store, 'finance', 'finance_officer', '310110');
    [streetA, committee, auditor, finance] = await Promise.all([
      loginAs(app, 'street_a'),
      loginAs(app, 'committee_a'),
      loginAs(app, 'auditor'),
      loginAs(app, 'finance'),
    ]);
  });
  afterAll(() => app.close());

  it('a street user lists only their street', async () => {
    const households = (await streetA.get('/api/households')).json<Page>();
    expect(households.items.map((h) => h.householdNo)).toEqual(['KJ-0001']);
    expect(households.items[0]).toMatchObject({
      headName: '张建国',
      memberCount: 2,
      streetName: '控江路街道',
    });
    const persons = (await streetA.get('/api/persons?limit=50')).json<Page>();
    expect(persons.total).toBe(2);
    expect(persons.items.map((p) => p.name).sort()).toEqual(['张建国', '张建国妻']);
    const byName = (await streetA.get(`/api/persons?q=${encodeURIComponent('李卫东')}`)).json<Page>();
    expect(byName.total).toBe(0);
    const byId = (await streetA.get(`/api/persons?q=${data.b.idNumber}`)).json<Page>();
    expect(byId.total).toBe(0);
    const other = await streetA.get('/api/households?division=310110016');
    expect(other.json<Page>().total).toBe(0);
  });

  it("another street's records by id are 404, indistinguishable from absent", async () => {
    for (const url of [
      `/api/households/${data.b.householdId}`,
      `/api/persons/${data.b.personId}`,
      '/api/households/00000000-0000-4000-8000-000000000000',
    ]) {
      const response = await streetA.get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: '记录不存在' } });
    }
    const unmask = await streetA.post(`/api/persons/${data.b.personId}/unmask`, { purpose: '核实身份信息' });
    expect(unmask.statusCode).toBe(404);
    expect((await streetA.get(`/api/households/${data.a.householdId}`)).statusCode).toBe(200);
  });

  it('masks ID numbers and phones in lists and details', async () => {
    const persons = await streetA.get(`/api/persons?q=${encodeURIComponent('张建国')}`);
    const detail = await streetA.get(`/api/persons/${data.a.personId}`);
    const household = await streetA.get(`/api/households/${data.a.householdId}`);
    for (const response of [persons, detail, household]) {
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain(data.a.idNumber);
      expect(response.body).not.toContain(data.a.phone);
      expect(response.body).toContain(`${data.a.idNumber.slice(0, 6)}********${data.a.idNumber.slice(-4)}`);
    }
    const person = detail.json<{ person: Record<string, unknown>; household: Record<string, unknown> }>();
    expect(person.person.phoneMasked).toBe(`${data.a.phone.slice(0, 3)}****${data.a.phone.slice(-4)}`);
    expect(person.household).toMatchObject({
      id: data.a.householdId,
      householdNo: 'KJ-0001',
      relationCode: '02',
    });
    const body = household.json<{ members: Record<string, unknown>[]; history: unknown[] }>();
    expect(body.members.map((m) => m.relationName)).toEqual(['户主', '配偶']);
    expect(body.history).toHaveLength(2);
  });

  it('unmasks for a permitted role with a purpose, and audits it', async () => {
    const short = await streetA.post(`/api/persons/${data.a.personId}/unmask`, { purpose: '看' });
    expect(short.statusCode).toBe(400);
    const ok = await streetA.post(`/api/persons/${data.a.personId}/unmask`, {
      purpose: '电话联系申请人核实住址',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ idNumber: data.a.idNumber, phone: data.a.phone });
    const rows = await listAudit(ctx.store, { scope: ALL, action: 'person.unmask', limit: 10, offset: 0 });
    expect(rows.total).toBe(1);
    expect(rows.items[0]).toMatchObject({
      entityType: 'person',
      entityId: data.a.personId,
      reason: '电话联系申请人核实住址',
      actorDivision: '310110012',
    });
    expect(JSON.stringify(rows.items[0])).not.toContain(data.a.idNumber);
    const refused = await committee.post(`/api/persons/${data.a.personId}/unmask`, {
      purpose: '电话联系申请人',
    });
    expect(refused.statusCode).toBe(403);
    expect(
      (await listAudit(ctx.store, { scope: ALL, action: 'person.unmask', limit: 10, offset: 0 })).total,
    ).toBe(1);
  });

  it('the auditor sees every street; finance staff do not browse the registry', async () => {
    const all = (await auditor.get('/api/households')).json<Page>();
    expect(all.total).toBe(2);
    expect((await auditor.get(`/api/households/${data.b.householdId}`)).statusCode).toBe(200);
    expect((await finance.get('/api/persons')).statusCode).toBe(403);
    expect((await finance.get('/api/households')).statusCode).toBe(403);
  });

  it('lists division children within the scope only', async () => {
    const district = await streetA.get('/api/divisions/310110/children');
    expect(district.json()).toEqual([{ code: '310110012', name: '控江路街道', level: 'street' }]);
    expect((await streetA.get('/api/divisions/310110016/children')).statusCode).toBe(404);
    const all = await auditor.get('/api/divisions/310110/children');
    expect(all.json<unknown[]>()).toHaveLength(12);
  });

  it('the audit API is for auditors and admins only', async () => {
    expect((await streetA.get('/api/audit')).statusCode).toBe(403);
    const page = (await auditor.get('/api/audit?action=person.unmask')).json<Page>();
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ action: 'person.unmask', actionName: '查看完整身份证号/电话' });
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });
});
