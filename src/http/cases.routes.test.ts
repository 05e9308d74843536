import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface CaseBody {
  id: string;
  districtCode: string;
  caseNo: string;
  state: string;
  version: number;
  dueOn: string | null;
  overdue: boolean;
  contactPhone: string;
  requiredSteps: string[];
  allowedActions: string[];
  timeline: { action: string; actionLabel: string; reason: string }[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

/** 救助申请 through the API: registration, the queue, one case, actions; who may do what, in which scope. */
describeStores('case routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent;
  let otherStreet: Agent;
  let committee: Agent;
  let approver: Agent;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'jw', 'committee_assistant', data.a.committeeCode);
    await addUser(ctx.store, 'sp', 'district_approver', '310110');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    committee = await loginAs(app, 'jw');
    approver = await loginAs(app, 'sp');
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  const application = () => ({
    householdId: data.a.householdId,
    programs: ['dibao'],
    applicantPersonId: data.a.personId,
    contactPhone: '13912345678',
    materials: { application: true },
  });

  it('registers at the counter, lists by due date and shows the case with its timeline', async () => {
    const created = await committee.post('/api/cases', application());
    expect(created.statusCode).toBe(201);
    const body = created.json<CaseBody>();
    expect(body.caseNo).toMatch(/^SA310110-2026-\d{6}$/);
    expect(body.state).toBe('draft');
    expect(body.contactPhone).toBe('139****5678');
    expect(body.dueOn).toBe('2026-12-04');
    const list = (await street.get('/api/cases?state=draft')).json<{ items: CaseBody[]; total: number }>();
    expect(list.items.map((i) => i.id)).toContain(body.id);
    const shown = await street.get(`/api/cases/310110/${body.id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json<CaseBody>().allowedActions).toEqual(
      expect.arrayContaining(['accept', 'not_accept', 'withdraw']),
    );
    expect(shown.json<CaseBody>().timeline[0]?.actionLabel).toBe('窗口登记申请');
  });

  it('refuses what a role or scope does not allow, bad programs, and an action from the wrong state', async () => {
    const bad = await street.post('/api/cases', { ...application(), programs: ['nonsense'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.message).toContain('nonsense');
    const approverIntake = await approver.post('/api/cases', application());
    expect(approverIntake.statusCode).toBe(403);
    const body = (await street.post('/api/cases', application())).json<CaseBody>();
    expect((await otherStreet.get(`/api/cases/310110/${body.id}`)).statusCode).toBe(404);
    const accept = await committee.post(`/api/cases/310110/${body.id}/actions/accept`, { version: 1 });
    expect(accept.statusCode).toBe(403);
    const early = await street.post(`/api/cases/310110/${body.id}/actions/record_review`, {
      version: 1,
      record: { opinion: '同意' },
    });
    expect(early.statusCode).toBe(409);
    const noReason = await street.post(`/api/cases/310110/${body.id}/actions/not_accept`, { version: 1 });
    expect(noReason.statusCode).toBe(400);
  });

  it('accepts with the steps of the day, refuses a stale version, and does not accept with a reason', async () => {
    const one = (await street.post('/api/cases', application())).json<CaseBody>();
    const accepted = await street.post(`/api/cases/310110/${one.id}/actions/accept`, {
      version: 1,
      reason: '材料齐全，予以受理',
    });
    expect(accepted.statusCode).toBe(200);
    const view = accepted.json<CaseBody>();
    expect(view.state).toBe('accepted');
    expect(view.requiredSteps).toEqual(['verify', 'visit', 'evaluation', 'review', 'publicity', 'decide']);
    expect(view.timeline.at(-1)?.reason).toBe('材料齐全，予以受理');
    const stale = await street.post(`/api/cases/310110/${one.id}/actions/withdraw`, {
      version: 1,
      reason: '申请人撤回',
    });
    expect(stale.statusCode).toBe(409);
    const two = (await street.post('/api/cases', application())).json<CaseBody>();
    const refused = await street.post(`/api/cases/310110/${two.id}/actions/not_accept`, {
      version: 1,
      reason: '申请人户籍不在本区',
    });
    expect(refused.json<CaseBody>().state).toBe('not_accepted');
    const overdue = (await street.get('/api/cases?overdue=true')).json<{ items: CaseBody[] }>();
    expect(overdue.items.every((i) => i.overdue)).toBe(true);
  });

  it('documents the routes in OpenAPI', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/cases',
        '/api/cases/{district}/{id}',
        '/api/cases/{district}/{id}/actions/{action}',
      ]),
    );
  });
});
