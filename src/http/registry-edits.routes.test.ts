import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL } from '../auth/scope.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold } from '../registry/registry.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface HouseholdDetail {
  household: { version: number; address: string };
  members: { personId: string; name: string; personVersion: number; relationName: string }[];
}
interface ErrorBody {
  error: { code: string; message: string };
  current?: { state: string | null; version: number | null; allowedActions: string[] };
}
interface Transfer {
  id: string;
  districtCode: string;
  state: string;
  stateName: string;
  version: number;
  allowedActions: { action: string; label: string }[];
  person: { name: string; idNumberMasked: string };
  timeline?: { actionLabel: string; toStateLabel: string; actorName: string; reason: string }[];
}

describeStores('registry edit routes: births, deaths, corrections, members on a date, transfers', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let kj: Agent; // 控江路街道 caseworker (Yangpu)
  let yh: Agent; // 殷行街道 caseworker (Yangpu, another street)
  let hk: Agent; // 虹口区 caseworker
  let approver: Agent; // Yangpu district approver: reads, does not write
  let hongkouHousehold: string;

  const patch = (agent: Agent, url: string, body: unknown) =>
    app.inject({
      method: 'PATCH',
      url,
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf },
      payload: body as Record<string, unknown>,
    });
  const household = async (agent: Agent, id: string, district = '') =>
    (await agent.get(`/api/households/${id}${district}`)).json<HouseholdDetail>();

  beforeAll(async () => {
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    const created = await inUnitOfWork(
      ctx.store,
      { userId: 'seed', divisionCode: '310109', reason: '测试数据' },
      (tx) =>
        createHousehold(tx, ALL, {
          householdNo: 'HK-R1',
          committeeCode: '310109009002',
          validFrom: '2015-01-01',
          members: [
            {
              relationCode: '02',
              person: {
                idNumber: makeIdNumber('310109', '1966-06-06', 41),
                name: '虹口户主',
                sex: 1,
                birthDate: '1966-06-06',
                hukouDivisionCode: '310109009',
              },
            },
          ],
        }),
    );
    hongkouHousehold = created.value.id;
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'hk', 'street_caseworker', '310109009');
    await addUser(ctx.store, 'approver', 'district_approver', '310110');
    kj = await loginAs(app, 'kj');
    yh = await loginAs(app, 'yh');
    hk = await loginAs(app, 'hk');
    approver = await loginAs(app, 'approver');
  });
  afterAll(() => app.close());

  it('registers a birth with the version read; a stale version is 409 in Chinese and writes nothing', async () => {
    const url = `/api/households/${data.a.householdId}`;
    const before = await household(kj, data.a.householdId);
    const birth = (version: number) =>
      kj.post(`${url}/births`, {
        version,
        relationCode: '41',
        reason: '新生儿落户',
        person: {
          idNumber: makeIdNumber('310110', '2026-09-09', 61),
          name: '张小新',
          sex: 1,
          birthDate: '2026-09-09',
          hukouDivisionCode: '310110012',
        },
      });
    const ok = await birth(before.household.version);
    expect(ok.statusCode, ok.body).toBe(200);
    const after = await household(kj, data.a.householdId);
    expect(after.household.version).toBe(before.household.version + 1);
    expect(after.members.map((m) => [m.name, m.relationName])).toContainEqual(['张小新', '孙子']);

    const stale = await birth(before.household.version);
    expect(stale.statusCode).toBe(409);
    const body = stale.json<ErrorBody>();
    expect(body.error.code).toBe('STALE_VERSION');
    expect(body.error.message).toMatch(/^家庭户「KJ-0001」已被他人修改（当前版本 \d+），请刷新后重新操作$/);
    expect(body.current?.version).toBe(after.household.version);
    expect((await household(kj, data.a.householdId)).members).toHaveLength(after.members.length);
  });

  it('refuses writers without registry.write (403) and households outside the street (404)', async () => {
    const { household: h } = await household(approver, data.a.householdId);
    const body = { version: h.version, address: '新地址 1 号', reason: '地址更正' };
    expect((await patch(approver, `/api/households/${data.a.householdId}`, body)).statusCode).toBe(403);
    const outside = await patch(yh, `/api/households/${data.a.householdId}`, body);
    expect(outside.statusCode).toBe(404);
    expect(outside.json<ErrorBody>().error.message).toBe('记录不存在');
    const blank = await patch(kj, `/api/households/${data.a.householdId}`, { ...body, reason: ' ' });
    expect(blank.statusCode).toBe(400);
    const ok = await patch(kj, `/api/households/${data.a.householdId}`, body);
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await household(kj, data.a.householdId)).household.address).toBe('新地址 1 号');
  });

  it('corrects a name (the head name follows) and records a death, each refused in Chinese when wrong', async () => {
    const detail = await household(kj, data.a.householdId);
    const head = detail.members.find((m) => m.relationName === '户主')!;
    const corrected = await patch(kj, `/api/persons/${head.personId}`, {
      version: head.personVersion,
      changes: { name: '张建华' },
      reason: '户口簿姓名有误',
    });
    expect(corrected.statusCode, corrected.body).toBe(200);
    const list = await kj.get(`/api/households?q=${encodeURIComponent('张建华')}`);
    expect(list.json<{ items: { headName: string }[] }>().items.map((i) => i.headName)).toEqual(['张建华']);
    const version = corrected.json<{ personVersion: number }>().personVersion;

    const early = await kj.post(`/api/persons/${head.personId}/death`, {
      version,
      deathDate: '1960-03-14',
      reason: '死亡登记',
    });
    expect(early.statusCode).toBe(400);
    expect(early.json<ErrorBody>().error.message).toBe('死亡日期 1960-03-14 不能早于出生日期 1960-03-15');
    const died = await kj.post(`/api/persons/${head.personId}/death`, {
      version,
      deathDate: '2026-01-31',
      reason: '死亡登记：医院死亡证明',
    });
    expect(died.statusCode, died.body).toBe(200);
    expect(died.json<{ notice: string }>().notice).toBe('户主已死亡：户「KJ-0001」现无户主，请办理变更户主');
    // The household on a day before and after.
    const on = async (date: string) =>
      (await kj.get(`/api/households/${data.a.householdId}/members?date=${date}`))
        .json<{ members: { name: string }[] }>()
        .members.map((m) => m.name);
    expect(await on('2026-01-31')).toContain('张建华');
    expect(await on('2026-02-01')).not.toContain('张建华');
    expect((await kj.get(`/api/households/${data.a.householdId}/members?date=2026-02-30`)).statusCode).toBe(
      400,
    );
  });

  it('moves a person to another district only through a transfer the receiving district accepts', async () => {
    const wife = (await household(yh, data.b.householdId)).members.find((m) => m.relationName === '配偶')!;
    const direct = await yh.post(`/api/persons/${wife.personId}/move`, {
      version: wife.personVersion,
      toHouseholdId: hongkouHousehold,
      relationCode: '99',
      date: '2026-11-01',
      reason: '投亲',
    });
    // The household is not in the caller's district: it does not exist for them.
    expect(direct.statusCode).toBe(404);

    const started = await yh.post('/api/transfers', {
      personId: wife.personId,
      personVersion: wife.personVersion,
      toDistrictCode: '310109',
      moveDate: '2026-11-01',
      reason: '随女儿迁居虹口',
    });
    expect(started.statusCode, started.body).toBe(200);
    const transfer = started.json<Transfer>();
    expect(transfer).toMatchObject({ state: 'pending', stateName: '待接收', person: { name: '李卫东妻' } });

    const incoming = (await hk.get('/api/transfers?direction=incoming&state=pending')).json<{
      items: Transfer[];
    }>();
    expect(incoming.items.map((t) => [t.id, t.allowedActions.map((a) => a.label)])).toEqual([
      [transfer.id, ['接收', '退回']],
    ]);
    expect((await kj.get('/api/transfers?direction=incoming')).json<{ items: Transfer[] }>().items).toEqual(
      [],
    );
    const url = `/api/transfers/${transfer.districtCode}/${transfer.id}`;
    const wrongSide = await yh.post(`${url}/accept`, {
      version: 1,
      householdId: hongkouHousehold,
      relationCode: '99',
      reason: '接收',
    });
    expect(wrongSide.statusCode).toBe(403);
    expect(wrongSide.json<ErrorBody>().error.message).toBe('只有迁入区（虹口区）可以接收');

    const accepted = await hk.post(`${url}/accept`, {
      version: 1,
      householdId: hongkouHousehold,
      relationCode: '99',
      reason: '材料齐全，同意接收',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json<Transfer>()).toMatchObject({ state: 'accepted', version: 2, allowedActions: [] });
    const again = await hk.post(`${url}/refuse`, { version: 2, reason: '重复办理' });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorBody>()).toMatchObject({
      error: { code: 'WRONG_STATE', message: '当前状态为「已接收」，不能退回；可执行的操作：无' },
      current: { state: 'accepted', version: 2, allowedActions: [] },
    });
    const shown = (await hk.get(url)).json<Transfer>();
    expect(shown.timeline?.map((e) => [e.actionLabel, e.toStateLabel, e.actorName, e.reason])).toEqual([
      ['发起迁移', '待接收', 'yh（yh）', '随女儿迁居虹口'],
      ['接收', '已接收', 'hk（hk）', '材料齐全，同意接收'],
    ]);
    // The person is Hongkou's now: same id, found there, gone from Yangpu's street.
    expect((await hk.get(`/api/persons/${wife.personId}`)).statusCode).toBe(200);
    expect((await yh.get(`/api/persons/${wife.personId}`)).statusCode).toBe(404);
    const districts = (await hk.get('/api/transfers/districts')).json<{ code: string; name: string }[]>();
    expect(districts).toHaveLength(16);
    expect(districts).toContainEqual({ code: '310109', name: '虹口区' });
  });
});
