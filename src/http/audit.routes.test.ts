import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { shanghaiToday } from '../core/clock.ts';
import { rewriteChain } from '../audit/tamper.test-helpers.ts';
import { ALL } from '../auth/scope.ts';
import { divisionIndex } from '../registry/divisions.ts';
import { makeIdNumber, maskIdNumber } from '../registry/id-number.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { createHousehold } from '../registry/registry.service.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface Row {
  id: number;
  actorName: string;
  district: string;
  districtName: string;
  action: string;
  actionName: string;
  entityType: string;
  entityTypeName: string;
  entityLabel: string | null;
  reason: string | null;
  after: unknown;
}
interface Page {
  items: Row[];
  total: number;
  totalExact: boolean;
}

const dataDir = mkdtempSync(join(tmpdir(), 'mz-audit-routes-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A household in 黄浦区 (310101), beside the two Yangpu streets of seedTwoStreets. */
async function seedHuangpu(ctx: { store: Parameters<typeof seedTwoStreets>[0] }) {
  const street = divisionIndex().children('310101')[0]?.code ?? '';
  const committeeCode = divisionIndex().children(street)[0]?.code ?? '';
  const idNumber = makeIdNumber('310101', '1955-05-05', 31);
  const result = await inUnitOfWork(
    ctx.store,
    { userId: 'seed', divisionCode: '310101', reason: '测试数据' },
    (tx) =>
      createHousehold(tx, ALL, {
        householdNo: 'HP-0001',
        committeeCode,
        validFrom: '2020-01-01',
        members: [
          {
            relationCode: '02',
            person: {
              idNumber,
              name: '王黄浦',
              sex: 1,
              birthDate: '1955-05-05',
              hukouDivisionCode: committeeCode,
            },
          },
        ],
      }),
  );
  return { personId: result.changes.find((c) => c.entityType === 'person')?.entityId ?? '', idNumber };
}

describeStores('audit routes: scope, names, filters, masking, export, verification, checkpoints', (ctx) => {
  let app: FastifyInstance;
  let yangpu: TwoStreets;
  let huangpu: { personId: string; idNumber: string };
  let adminYangpu: Agent;
  let adminHuangpu: Agent;
  let adminCity: Agent;
  let auditorYangpu: Agent;
  let auditorCity: Agent;
  let caseworker: Agent;

  const page = async (agent: Agent, query = '') => {
    const response = await agent.get(`/api/audit?limit=200${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page>();
  };

  beforeAll(async () => {
    app = await testServer(ctx.store, { MINZHENG_DATA_DIR: join(dataDir, ctx.kind) });
    yangpu = await seedTwoStreets(ctx.store);
    huangpu = await seedHuangpu(ctx);
    await addUser(ctx.store, 'admin_yp', 'admin', '310110');
    await addUser(ctx.store, 'admin_hp', 'admin', '310101');
    await addUser(ctx.store, 'admin_city', 'admin', '310000');
    await addUser(ctx.store, 'auditor_yp', 'auditor', '310110');
    await addUser(ctx.store, 'auditor_city', 'auditor', '310000');
    await addUser(ctx.store, 'kj_worker', 'street_caseworker', '310110012');
    adminYangpu = await loginAs(app, 'admin_yp');
    adminHuangpu = await loginAs(app, 'admin_hp');
    adminCity = await loginAs(app, 'admin_city');
    auditorYangpu = await loginAs(app, 'auditor_yp');
    auditorCity = await loginAs(app, 'auditor_city');
    caseworker = await loginAs(app, 'kj_worker');
    const unmask = await caseworker.post(`/api/persons/${yangpu.a.personId}/unmask`, {
      purpose: `电话 ${yangpu.a.phone} 核对身份证 ${yangpu.a.idNumber}`,
    });
    expect(unmask.statusCode, unmask.body).toBe(200);
    const other = await adminHuangpu.post(`/api/persons/${huangpu.personId}/unmask?district=310101`, {
      purpose: '核实黄浦区申请人身份',
    });
    expect(other.statusCode, other.body).toBe(200);
  });
  afterAll(() => app.close());

  it('a district reads its own district only; the city reads every district (item 3)', async () => {
    const yp = await page(adminYangpu, '&action=person.unmask');
    expect(yp.items.map((r) => r.district)).toEqual(['310110']);
    const hp = await page(adminHuangpu, '&action=person.unmask');
    expect(hp.items.map((r) => r.district)).toEqual(['310101']);
    const city = await page(auditorCity, '&action=person.unmask');
    expect(city.items.map((r) => r.district)).toEqual(['310101', '310110']);
    expect((await page(auditorYangpu)).items.every((r) => r.district === '310110')).toBe(true);
    // Logins of each user are filed under their own district; the city's under 310000.
    const logins = await page(auditorCity, '&action=auth.login');
    expect(new Set(logins.items.map((r) => r.district))).toEqual(new Set(['310110', '310101', '310000']));
    expect((await page(adminYangpu, '&action=auth.login')).items.map((r) => r.district)).not.toContain(
      '310000',
    );
    expect((await caseworker.get('/api/audit')).statusCode).toBe(403);
  });

  it('an unmask purpose holding a lone surrogate is refused at the edge; the chain still verifies (item 4)', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/api/persons/${yangpu.a.personId}/unmask`,
      headers: {
        cookie: caseworker.cookie,
        'x-csrf-token': caseworker.csrf,
        'content-type': 'application/json',
      },
      payload: '{"purpose":"核对\\ud800身份"}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'VALIDATION', details: [{ field: 'body.purpose' }] },
    });
    const verified = await auditorCity.post('/api/audit/verify');
    expect(verified.json()).toMatchObject({ chain: { ok: true, problems: [] } });
  });

  it('rows name the actor, the district, the action, the record and its type in Chinese', async () => {
    const [row] = (await page(auditorYangpu, '&action=person.unmask')).items;
    expect(row).toMatchObject({
      actorName: 'kj_worker（kj_worker）',
      districtName: '杨浦区',
      actionName: '查看完整身份证号/电话',
      entityTypeName: '人员',
      entityLabel: `张建国（${maskIdNumber(yangpu.a.idNumber)}）`,
    });
    const [created] = (await page(auditorCity, '&action=household.created&entity=household')).items;
    expect(created).toMatchObject({
      entityTypeName: '家庭户',
      entityLabel: '户编号 HP-0001',
      districtName: '黄浦区',
    });
    const [user] = (await page(auditorCity, '&action=user.created&entity=user')).items;
    expect(user?.entityLabel).toMatch(/（kj_worker）|（auditor_city）|（admin_\w+）|（auditor_yp）/);
  });

  it('ID numbers and phones are masked everywhere in a row for readers without the unmask right (item 12)', async () => {
    const shown = JSON.stringify(await page(auditorYangpu, '&action=person.unmask'));
    expect(shown).not.toContain(yangpu.a.idNumber);
    expect(shown).not.toContain(yangpu.a.phone);
    expect(shown).toContain(`核对身份证 ${maskIdNumber(yangpu.a.idNumber)}`);
    // An administrator may unmask: the purpose as typed.
    const admin = JSON.stringify(await page(adminYangpu, '&action=person.unmask'));
    expect(admin).toContain(yangpu.a.idNumber);
    // A failed login typed with an ID number: masked for the auditor.
    await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: yangpu.b.idNumber, password: 'wrong-password-1' },
    });
    const failed = JSON.stringify(await page(auditorCity, '&action=auth.login_failed'));
    expect(failed).not.toContain(yangpu.b.idNumber);
  });

  it('an export filter typed as an ID number is stored masked (item 12)', async () => {
    const response = await adminYangpu.get(`/api/households/export?q=${yangpu.a.idNumber}`);
    expect(response.statusCode).toBe(200);
    // The audit row commits once the file is written, after the last byte went out.
    const stored = () =>
      ctx.store.db
        .execute(
          sql`select after::text as after from audit_log where action = 'registry.export' order by id desc limit 1`,
        )
        .then((result) => JSON.stringify(result));
    await expect.poll(stored).toContain(maskIdNumber(yangpu.a.idNumber));
    expect(await stored()).not.toContain(yangpu.a.idNumber);
  });

  it('filters by actor name, by person (name or ID number), by action and by Shanghai dates', async () => {
    const byActor = await page(auditorCity, `&actor=${encodeURIComponent('kj_w')}`);
    expect(byActor.total).toBeGreaterThan(0);
    expect(byActor.items.every((r) => r.actorName === 'kj_worker（kj_worker）')).toBe(true);
    const nobody = await page(auditorCity, `&actor=${encodeURIComponent('无此人')}`);
    expect(nobody.total).toBe(0);

    const byName = await page(auditorYangpu, `&person=${encodeURIComponent('张建国')}`);
    const byId = await page(auditorYangpu, `&person=${yangpu.a.idNumber}`);
    // The seed households were written through units of work, so their creation is in the log too.
    expect(byName.items.map((r) => r.action)).toEqual([
      'person.unmask',
      ...byName.items.slice(1).map(() => 'household.created'),
    ]);
    expect(byName.items.length).toBeGreaterThan(1);
    // By ID number: his rows only; by name also his wife's (张建国妻), written with the same seed household.
    expect(byId.items.map((r) => r.action)).toEqual([
      'person.unmask',
      'household.created',
      'household.created',
    ]);
    expect(byName.items.map((r) => r.id)).toEqual(expect.arrayContaining(byId.items.map((r) => r.id)));
    // A person of another district is out of a district reader's reach; the city sees their rows:
    // the person's own, their membership, and the unmasking.
    expect((await page(auditorYangpu, `&person=${huangpu.idNumber}`)).total).toBe(0);
    const huangpuRows = await page(auditorCity, `&person=${huangpu.idNumber.slice(-4)}`);
    expect(huangpuRows.items.map((r) => [r.action, r.entityType, r.entityLabel])).toEqual([
      ['person.unmask', 'person', `王黄浦（${maskIdNumber(huangpu.idNumber)}）`],
      ['household.created', 'household_member', `王黄浦（${maskIdNumber(huangpu.idNumber)}）`],
      ['household.created', 'person', `王黄浦（${maskIdNumber(huangpu.idNumber)}）`],
    ]);

    const today = shanghaiToday();
    const all = (await page(auditorCity)).total;
    expect((await page(auditorCity, `&from=${today}&to=${today}`)).total).toBe(all);
    expect((await page(auditorCity, '&to=2000-01-01')).total).toBe(0);
    const reversed = await auditorCity.get('/api/audit?from=2026-02-01&to=2026-01-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({
      error: { details: [{ field: 'querystring.to', reason: '开始日期不能晚于结束日期' }] },
    });
    expect((await auditorCity.get('/api/audit?from=2026-13-45')).statusCode).toBe(400);
  });

  it('exports the filtered rows as shown, masked, and records the export', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/audit/export?action=person.unmask',
      headers: { cookie: auditorYangpu.cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toContain('filename*=UTF-8');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('审计日志');
    const values = (n: number) => (sheet?.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual([
      '序号',
      '时间（北京时间）',
      '操作人',
      '所属区',
      '操作',
      '对象类型',
      '对象',
      '对象编号',
      '事由',
      '变更前',
      '变更后',
      '请求编号',
    ]);
    expect(sheet?.rowCount).toBe(2);
    const row = values(2);
    expect(row.slice(2, 7)).toEqual([
      'kj_worker（kj_worker）',
      '杨浦区',
      '查看完整身份证号/电话',
      '人员',
      `张建国（${maskIdNumber(yangpu.a.idNumber)}）`,
    ]);
    expect(JSON.stringify(row)).not.toContain(yangpu.a.idNumber);
    await expect
      .poll(async () => (await page(auditorYangpu, '&action=audit.export')).items[0]?.after)
      .toMatchObject({ filters: { action: 'person.unmask' }, rows: 1 });
  });

  it('verifies while the server runs, lists every bad row, and checks signed checkpoints', async () => {
    expect((await auditorYangpu.post('/api/audit/checkpoints')).statusCode).toBe(403);
    const signed = await adminCity.post('/api/audit/checkpoints');
    expect(signed.statusCode, signed.body).toBe(201);
    const latest = (await auditorYangpu.get('/api/audit/checkpoints/latest')).json<{
      latest: { lastId: number };
      publicKey: string;
    }>();
    expect(latest.latest.lastId).toBe(signed.json<{ lastId: number }>().lastId);
    expect(latest.publicKey).toContain('BEGIN PUBLIC KEY');
    expect((await auditorYangpu.post('/api/audit/verify')).json()).toMatchObject({
      chain: { ok: true },
      checkpoints: { checked: 1, problems: [] },
      checkpointSource: 'server',
    });

    await ctx.store.db.execute(sql`update audit_log set reason = '改写' where id = 2`);
    await ctx.store.db.execute(sql`update audit_log set reason = '改写' where id = 4`);
    const broken = (await auditorYangpu.post('/api/audit/verify')).json<{
      chain: { ok: boolean; problems: { message: string }[] };
    }>();
    expect(broken.chain.ok).toBe(false);
    expect(broken.chain.problems.map((p) => p.message)).toEqual([
      '第 2 条：内容与哈希不符（记录被修改）',
      '第 4 条：内容与哈希不符（记录被修改）',
    ]);
    const refused = await adminCity.post('/api/audit/checkpoints');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'CONFLICT' } });

    await rewriteChain(ctx.store.db);
    const rewritten = (await auditorYangpu.post('/api/audit/verify', { publicKey: latest.publicKey })).json<{
      chain: { ok: boolean };
      checkpoints: { problems: { message: string }[] };
    }>();
    expect(rewritten.chain.ok).toBe(true);
    expect(rewritten.checkpoints.problems[0]?.message).toMatch(/检查点之后日志被改写/);
    const badKey = await auditorYangpu.post('/api/audit/verify', {
      checkpoints: '{}',
      publicKey: 'nonsense',
    });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json()).toMatchObject({
      error: { message: '公钥格式不正确（应为 audit public-key 输出的 PEM 文本）' },
    });
  });
});
