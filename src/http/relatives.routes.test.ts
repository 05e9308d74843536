import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface Declaration {
  id: string;
  districtCode: string;
  relationName: string;
  idNumberMasked: string;
  state: string;
  version: number;
}
interface Conflict {
  staff: { name: string; roleName: string; divisionName: string };
  member: { name: string; idNumberMasked: string };
  relation: { name: string };
  foundBy: string;
  foundByName: string;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { reason: string }[] };
}

/**
 * 近亲属备案 through the API: a caseworker links their own record and declares a relative; an approver
 * lists the staff of the district and checks applicants against them; who may do what; bad input refused.
 */
describeStores('close-relative routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent; // 控江路街道 caseworker, the head of household a
  let newcomer: Agent; // a caseworker who has not linked their record
  let approver: Agent;
  let admin: Agent;
  let otherAdmin: Agent; // an administrator of another district
  let bHead: { personId: string; name: string };
  let aWife: { personId: string; name: string };
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'kj2', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'sp', 'district_approver', '310110');
    await addUser(ctx.store, 'ad', 'admin', '310110');
    await addUser(ctx.store, 'ad2', 'admin', '310104');
    street = await loginAs(app, 'kj');
    newcomer = await loginAs(app, 'kj2');
    approver = await loginAs(app, 'sp');
    admin = await loginAs(app, 'ad');
    otherAdmin = await loginAs(app, 'ad2');
    const members = async (id: string) =>
      (await approver.get(`/api/households/${id}`)).json<{ members: { personId: string; name: string }[] }>()
        .members;
    bHead = (await members(data.b.householdId))[0]!;
    aWife = (await members(data.a.householdId)).find((m) => m.personId !== data.a.personId)!;
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it('links the caseworker to their own record once, and shows it masked', async () => {
    const linked = await street.post('/api/relatives/me/link', { idNumber: data.a.idNumber });
    expect(linked.statusCode).toBe(201);
    expect(linked.json<{ idNumberMasked: string; inRegistry: boolean }>()).toMatchObject({
      inRegistry: true,
    });
    expect(linked.body).not.toContain(data.a.idNumber);
    const again = await street.post('/api/relatives/me/link', { idNumber: data.b.idNumber });
    expect(again.statusCode).toBe(409);
    const me = (await street.get('/api/relatives/me')).json<{
      link: { divisionName: string };
      relationKinds: { code: string; name: string }[];
    }>();
    expect(me.link.divisionName).toContain('控江路街道');
    expect(me.relationKinds.find((k) => k.code === '51')?.name).toBe('父亲');
  });

  it('declares a relative; the approver finds the declared and the registry relation, masked', async () => {
    const declared = await street.post('/api/relatives/me', {
      relationCode: '71',
      relativeName: bHead.name,
      idNumber: data.b.idNumber,
    });
    expect(declared.statusCode).toBe(201);
    expect(declared.json<Declaration>()).toMatchObject({ relationName: '兄', state: 'active' });

    const check = await approver.post('/api/relatives/conflicts', {
      personIds: [bHead.personId, aWife.personId],
    });
    expect(check.statusCode).toBe(200);
    const items = check.json<{ items: Conflict[] }>().items;
    expect(items.map((c) => [c.member.name, c.relation.name, c.foundByName]).sort()).toEqual(
      [
        [bHead.name, '兄', '本人备案'],
        [aWife.name, '配偶', '户籍登记（现同户）'],
      ].sort(),
    );
    expect(items[0]!.staff).toMatchObject({ name: 'kj', roleName: '街道经办人' });
    expect(check.body).not.toContain(data.b.idNumber);

    const list = (await approver.get('/api/relatives')).json<{
      items: { name: string; activeDeclarations: number }[];
    }>();
    expect(list.items).toEqual([expect.objectContaining({ name: 'kj', activeDeclarations: 1 })]);
  });

  it('ends a declaration: kept in the history, no longer a conflict', async () => {
    const mine = (await street.get('/api/relatives/me')).json<{ declarations: Declaration[] }>();
    const d = mine.declarations[0]!;
    const ended = await street.post(`/api/relatives/declarations/${d.districtCode}/${d.id}/end`, {
      version: d.version,
      reason: '关系登记有误',
    });
    expect(ended.statusCode).toBe(200);
    expect(ended.json<Declaration>().state).toBe('ended');
    const stale = await street.post(`/api/relatives/declarations/${d.districtCode}/${d.id}/end`, {
      version: d.version,
      reason: '再次结束',
    });
    expect(stale.statusCode).toBe(400);
    const check = await approver.post('/api/relatives/conflicts', { personIds: [bHead.personId] });
    expect(check.json<{ items: Conflict[] }>().items).toEqual([]);
  });

  it('refuses bad input with a Chinese message and every problem, and writes nothing', async () => {
    const bad = await street.post('/api/relatives/me', {
      relationCode: '81',
      relativeName: '某人',
      idNumber: '310110196003150000',
    });
    expect(bad.statusCode).toBe(400);
    const body = bad.json<ErrorBody>();
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details?.map((p) => p.reason).join('；')).toMatch(/近亲属范围.*身份证号/);
    const unlinked = await newcomer.post('/api/relatives/me', {
      relationCode: '10',
      relativeName: '某人',
      idNumber: makeIdNumber('310110', '1980-01-01', 12),
    });
    expect(unlinked.statusCode).toBe(422);
    expect(unlinked.json<ErrorBody>().error.message).toContain('尚未关联');
    const mine = (await street.get('/api/relatives/me')).json<{ declarations: Declaration[] }>();
    expect(mine.declarations).toHaveLength(1);
  });

  it('lets only the approver and administrator read the list; a caseworker is refused', async () => {
    expect((await street.get('/api/relatives')).statusCode).toBe(403);
    expect((await street.post('/api/relatives/conflicts', { personIds: [bHead.personId] })).statusCode).toBe(
      403,
    );
    expect(
      (
        await approver.post('/api/relatives/committee-members', {
          committeeCode: data.a.committeeCode,
          name: '周庚',
          committeeRole: '委员',
          idNumber: makeIdNumber('310110', '1968-08-08', 551),
        })
      ).statusCode,
    ).toBe(403);
  });

  it('lets an administrator keep the committee list and declare for a member, within the district only', async () => {
    const added = await admin.post('/api/relatives/committee-members', {
      committeeCode: data.a.committeeCode,
      name: '周庚',
      committeeRole: '委员',
      idNumber: makeIdNumber('310110', '1968-08-08', 551),
    });
    expect(added.statusCode).toBe(201);
    const member = added.json<{ id: string; districtCode: string; version: number; kindName: string }>();
    expect(member.kindName).toBe('居委会成员');
    const declared = await admin.post(`/api/relatives/${member.districtCode}/${member.id}/declarations`, {
      relationCode: '10',
      relativeName: bHead.name,
      idNumber: data.b.idNumber,
    });
    expect(declared.statusCode).toBe(201);
    const foreign = await otherAdmin.get(`/api/relatives/${member.districtCode}/${member.id}`);
    expect(foreign.statusCode).toBe(404);
    const outside = await otherAdmin.post('/api/relatives/committee-members', {
      committeeCode: data.a.committeeCode,
      name: '吴辛',
      committeeRole: '委员',
      idNumber: makeIdNumber('310110', '1969-09-09', 553),
    });
    expect(outside.statusCode).toBe(400);
    const left = await admin.post(`/api/relatives/${member.districtCode}/${member.id}/end`, {
      version: member.version,
      reason: '换届离任',
    });
    expect(left.json<{ endedOn: string }>().endedOn).toBe('2026-12-01');
    const check = await approver.post('/api/relatives/conflicts', { personIds: [bHead.personId] });
    expect(check.json<{ items: Conflict[] }>().items).toEqual([]);
  });

  it('documents every route in OpenAPI', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    for (const path of [
      '/api/relatives/me',
      '/api/relatives/me/link',
      '/api/relatives',
      '/api/relatives/links',
      '/api/relatives/committee-members',
      '/api/relatives/conflicts',
      '/api/relatives/declarations/{district}/{id}/end',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
