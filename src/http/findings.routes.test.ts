import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { addLine, check, seedHousehold, seedRun } from '../controls/controls.fixtures.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { addUser, loginAs, testServer, type Agent } from './test-helpers.ts';

interface Finding {
  districtCode: string;
  id: string;
  rule: string;
  ruleName: string;
  severity: string;
  state: string;
  version: number;
  description: string;
  ownerName: string | null;
  actions: string[];
}
interface FindingList {
  items: Finding[];
  total: number;
  rules: { code: string; name: string }[];
}

/** /api/findings: list and filters, four eyes on blocking findings, stale versions, roles. */
describeStores('finding routes', (ctx) => {
  let app: FastifyInstance;
  let preparer: Agent;
  let checker: Agent;
  let auditor: Agent;
  let street: Agent;
  let runId: string;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-02T10:00:00+08:00'));
    app = await testServer(ctx.store);
    const preparerId = await addUser(ctx.store, 'cw1', 'finance_officer', '310110');
    await addUser(ctx.store, 'cw2', 'finance_officer', '310110');
    await addUser(ctx.store, 'sj', 'auditor', '310110');
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    preparer = await loginAs(app, 'cw1');
    checker = await loginAs(app, 'cw2');
    auditor = await loginAs(app, 'sj');
    street = await loginAs(app, 'kj');
    const run = await seedRun(ctx.store, { month: '2026-12', preparedBy: preparerId });
    runId = run.runId;
    const dead = await seedHousehold(ctx.store, [{ name: '钱已故', deathDate: '2026-09-01' }]);
    await addLine(ctx.store, run, { householdId: dead.householdId, payeePersonId: dead.persons[0]!.id });
    await check(ctx.store, run);
  });
  afterAll(async () => {
    await app.close();
    restore();
  });

  it('lists a run’s findings with Chinese rule names; filters by rule and severity', async () => {
    const res = await preparer.get(`/api/findings?runId=${runId}&severity=blocking`);
    expect(res.statusCode).toBe(200);
    const body = res.json<FindingList>();
    expect(body.items.map((f) => f.rule)).toEqual(['payee_dead']);
    expect(body.items[0]!.ruleName).toBe('收款人已死亡');
    expect(body.items[0]!.ownerName).not.toBeNull();
    expect(body.rules).toHaveLength(10);
    const noBasis = (await preparer.get(`/api/findings?runId=${runId}&rule=no_basis`)).json<FindingList>();
    expect(noBasis.items.map((f) => f.severity)).toEqual(['warning']);
    expect((await preparer.get(`/api/findings?rule=nope`)).statusCode).toBe(400);
  });

  it('refuses the preparer a blocking dismissal, lets a second finance officer do it, once', async () => {
    const [f] = (await checker.get(`/api/findings?runId=${runId}&rule=payee_dead`)).json<FindingList>().items;
    expect(f!.actions).toEqual(['resolve', 'dismiss']);
    const url = `/api/findings/${f!.districtCode}/${f!.id}/dismiss`;
    const refused = await preparer.post(url, { version: f!.version, reason: '家属称已通知银行' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain('制单人以外');
    expect((await auditor.post(url, { version: f!.version, reason: '看看' })).statusCode).toBe(403);
    const ok = await checker.post(url, { version: f!.version, reason: '死亡登记有误，已更正' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<Finding>().state).toBe('dismissed');
    const again = await checker.post(url, { version: f!.version, reason: '死亡登记有误，已更正' });
    expect(again.statusCode).toBe(409);
    const detail = await auditor.get(`/api/findings/${f!.districtCode}/${f!.id}`);
    expect(detail.json<Finding>().state).toBe('dismissed');
  });

  it('lets the preparer resolve a warning; a street caseworker sees nothing', async () => {
    const [f] = (await preparer.get(`/api/findings?runId=${runId}&rule=no_basis`)).json<FindingList>().items;
    const res = await preparer.post(`/api/findings/${f!.districtCode}/${f!.id}/resolve`, {
      version: f!.version,
      resolution: '已补录决定依据',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<Finding>().state).toBe('resolved');
    expect((await street.get('/api/findings')).statusCode).toBe(403);
  });
});
