import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { pdfBytes } from '../files/files.fixtures.ts';
import { multipart } from './multipart.fixtures.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface Member {
  personId: string;
  name: string;
}
interface RequestBody {
  id: string;
  districtCode: string;
  requestNo: string;
  state: string;
  version: number;
  purposeName: string;
  householdNo: string;
  members: { name: string; idNumberMasked: string }[];
  due: { due: string };
  sources?: { sourceName: string; stateName: string }[];
  timeline?: { actionLabel: string; actorName: string; reason: string }[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * 核对委托 through the API: the signed paper uploaded as a household attachment, the authorisation
 * registered, the request accepted, listed, shown and withdrawn; who may do what, and what each role sees.
 */
describeStores('verification routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent; // 控江路街道 caseworker
  let otherStreet: Agent; // 殷行街道 caseworker
  let committee: Agent; // a committee assistant: may not request
  let officer: Agent; // Yangpu verification officer
  let members: Member[];
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'jw', 'committee_assistant', data.a.committeeCode);
    await addUser(ctx.store, 'hd', 'verification_officer', '310110');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    committee = await loginAs(app, 'jw');
    officer = await loginAs(app, 'hd');
    const detail = (await street.get(`/api/households/${data.a.householdId}`)).json<{ members: Member[] }>();
    members = detail.members;
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  async function uploadPaper(agent: Agent, kind = 'authorisation'): Promise<string> {
    const body = multipart({ name: '授权书.pdf', content: pdfBytes('signed') }, { kind });
    const response = await agent.post(
      `/api/attachments/household/${data.a.householdId}`,
      body.payload,
      body.headers,
    );
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  }

  it('refuses a request before the adults have signed, with their names, and a committee assistant outright', async () => {
    const refused = await street.post('/api/verifications', {
      householdId: data.a.householdId,
      purpose: 'dibao',
    });
    expect(refused.statusCode).toBe(422);
    const body = refused.json<ErrorBody>();
    expect(body.error.code).toBe('AUTHORISATION_MISSING');
    for (const m of members) expect(body.error.message).toContain(m.name);
    const forbidden = await committee.post('/api/verifications', {
      householdId: data.a.householdId,
      purpose: 'dibao',
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('registers the authorisation only with a paper of kind 授权书', async () => {
    const income = await uploadPaper(street, 'income');
    const wrongKind = await street.post('/api/verifications/authorisations', {
      householdId: data.a.householdId,
      purpose: 'dibao',
      personIds: members.map((m) => m.personId),
      signedOn: '2026-11-30',
      attachmentId: income,
    });
    expect(wrongKind.statusCode).toBe(404);
    expect(wrongKind.json<ErrorBody>().error.message).toContain('不是授权书');
    const paper = await uploadPaper(street);
    const ok = await street.post('/api/verifications/authorisations', {
      householdId: data.a.householdId,
      purpose: 'dibao',
      personIds: members.map((m) => m.personId),
      signedOn: '2026-11-30',
      attachmentId: paper,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json<{ validUntil: string; current: boolean; purposeName: string }>()).toMatchObject({
      validUntil: '2027-05-29',
      current: true,
      purposeName: '最低生活保障',
    });
    const listed = await officer.get(`/api/verifications/authorisations?householdId=${data.a.householdId}`);
    expect(listed.json<{ items: { signers: Member[] }[] }>().items[0]!.signers.map((s) => s.name)).toEqual(
      members.map((m) => m.name),
    );
  });

  it('accepts the request, lists it in scope, shows each source and the timeline, and withdraws it', async () => {
    const created = await street.post('/api/verifications', {
      householdId: data.a.householdId,
      purpose: 'dibao',
      reason: '低保申请受理',
    });
    expect(created.statusCode).toBe(201);
    const request = created.json<RequestBody>();
    expect(request).toMatchObject({
      state: 'received',
      purposeName: '最低生活保障',
      due: { due: '2026-12-22' },
    });
    expect(request.members[0]!.idNumberMasked).toMatch(/\*{4}/);

    const mine = (await street.get('/api/verifications')).json<{ items: RequestBody[]; total: number }>();
    expect(mine.items.map((i) => i.requestNo)).toContain(request.requestNo);
    const theirs = (await otherStreet.get('/api/verifications')).json<{ total: number }>();
    expect(theirs.total).toBe(0);
    const hidden = await otherStreet.get(`/api/verifications/310110/${request.id}`);
    expect(hidden.statusCode).toBe(404);

    const shown = (await officer.get(`/api/verifications/310110/${request.id}`)).json<RequestBody>();
    expect(shown.sources!.map((s) => s.sourceName)).toContain('银行业金融机构');
    expect(shown.timeline!.map((e) => [e.actionLabel, e.reason])).toEqual([['受理核对委托', '低保申请受理']]);

    const stale = await street.post(`/api/verifications/310110/${request.id}/withdraw`, {
      version: request.version + 1,
      reason: '申请人撤回',
    });
    expect(stale.statusCode).toBe(409);
    const done = await street.post(`/api/verifications/310110/${request.id}/withdraw`, {
      version: shown.version,
      reason: '申请人撤回',
    });
    expect(done.statusCode).toBe(200);
    expect(done.json<RequestBody>().state).toBe('withdrawn');
  });

  it('validates at the edge: a malformed id, a purpose that does not exist', async () => {
    expect((await street.post('/api/verifications', { householdId: 'x', purpose: 'dibao' })).statusCode).toBe(
      400,
    );
    const purpose = await street.post('/api/verifications', {
      householdId: data.a.householdId,
      purpose: 'lottery',
    });
    expect(purpose.statusCode).toBe(400);
    expect(purpose.json<ErrorBody>().error.message).toContain('核对用途「lottery」不存在');
  });
});
