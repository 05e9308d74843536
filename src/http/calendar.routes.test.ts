import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { addUser, loginAs, testServer, type Agent } from './test-helpers.ts';

const notice2027 = {
  source: '国务院办公厅关于2027年部分节假日安排的通知（测试用）',
  holidays: [
    { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
    { name: '春节', from: '2027-02-05', to: '2027-02-13' },
    { name: '清明节', from: '2027-04-03', to: '2027-04-05' },
    { name: '劳动节', from: '2027-05-01', to: '2027-05-05' },
    { name: '端午节', from: '2027-06-09' },
    { name: '中秋节', from: '2027-09-15' },
    { name: '国庆节', from: '2027-10-01', to: '2027-10-07' },
  ],
  workdays: [
    { name: '春节', date: '2027-01-31' },
    { name: '春节', date: '2027-02-14' },
    { name: '劳动节', date: '2027-05-08' },
    { name: '国庆节', date: '2027-09-26' },
    { name: '国庆节', date: '2027-10-09' },
  ],
};

describeStores('calendar routes', (ctx) => {
  let app: FastifyInstance;
  let city: Agent;
  let district: Agent;
  let street: Agent;

  const put = (agent: Agent, url: string, body: unknown) =>
    app.inject({
      method: 'PUT',
      url,
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf },
      payload: body as Record<string, unknown>,
    });

  beforeAll(async () => {
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'city_admin', 'admin', '310000');
    await addUser(ctx.store, 'district_admin', 'admin', '310110');
    await addUser(ctx.store, 'street_a', 'street_caseworker', '310110012');
    city = await loginAs(app, 'city_admin');
    district = await loginAs(app, 'district_admin');
    street = await loginAs(app, 'street_a');
  });
  afterAll(() => app.close());

  it('shows a year to anyone signed in: official 2026, provisional 2027 with its basis', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/calendar/2026' })).statusCode).toBe(401);
    const overview = await street.get('/api/calendar');
    expect(overview.statusCode).toBe(200);
    expect(overview.json()).toMatchObject({ firstYear: 2004, lastYear: 2099, canManage: false });
    expect(overview.json<{ years: { year: number }[] }>().years.at(-1)?.year).toBe(2026);

    const y2026 = (await street.get('/api/calendar/2026')).json<Record<string, unknown>>();
    expect(y2026).toMatchObject({
      year: 2026,
      status: 'official',
      version: 1,
      workingDays: 248,
      canManage: false,
    });
    expect(y2026.holidays).toContainEqual({ name: '春节', from: '2026-02-15', to: '2026-02-23' });
    expect(y2026.workdays).toContainEqual({ name: '春节', date: '2026-02-14' });

    const y2027 = (await street.get('/api/calendar/2027')).json<Record<string, unknown>>();
    expect(y2027).toMatchObject({ year: 2027, status: 'provisional', version: null });
    expect(y2027.holidays).toContainEqual({ name: '国庆节', from: '2027-10-01', to: '2027-10-07' });
    expect((y2027.basis as { arrangement: { source: string } }).arrangement.source).toContain(
      '国办发明电〔2024〕12号',
    );
  });

  it('answers a bad year in Chinese', async () => {
    const early = await street.get('/api/calendar/1999');
    expect(early.statusCode).toBe(400);
    expect(early.json()).toMatchObject({
      error: { code: 'VALIDATION', message: '年份 1999 超出工作日历的范围（2004—2099 年）' },
    });
    const word = await street.get('/api/calendar/next');
    expect(word.statusCode).toBe(400);
    expect(word.json<{ error: { details: { reason: string }[] } }>().error.details[0]?.reason).toBe(
      '年份应为数字',
    );
  });

  it('computes a deadline and says when it rests on a provisional year', async () => {
    const response = await street.get('/api/calendar/deadline?from=2026-12-28&workingDays=5');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      due: '2027-01-05',
      workingDays: 5,
      from: '2026-12-28',
      rule: '工作日历 2026 官方、2027 暂定',
      provisional: true,
    });
    const bad = await street.get('/api/calendar/deadline?from=2026-02-30&workingDays=5');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { message: '起算日期应为 YYYY-MM-DD 格式的有效日期：2026-02-30' },
    });
  });

  it('lets only a city administrator import a year', async () => {
    const body = { ...notice2027, reason: '国务院办公厅公布2027年安排' };
    for (const agent of [street, district]) {
      const refused = await put(agent, '/api/calendar/2027', body);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({
        error: { message: '只有市级系统管理员可以导入或修改工作日历' },
      });
    }
    expect((await street.get('/api/calendar/2027')).json()).toMatchObject({ status: 'provisional' });
  });

  it('refuses a bad import with every problem and writes nothing', async () => {
    const bad = await put(city, '/api/calendar/2027', {
      ...notice2027,
      holidays: [...notice2027.holidays, { name: '春节', from: '2027-02-13', to: '2027-02-13' }],
      workdays: [{ name: '国庆节', date: '2027-10-08' }],
      reason: '导入',
    });
    expect(bad.statusCode).toBe(400);
    const error = bad.json<{
      error: { code: string; message: string; details: { field: string; reason: string }[] };
    }>().error;
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^2027 年工作日历有错误，未保存任何内容：/);
    expect(error.details).toEqual([
      { field: 'holidays[7]', reason: '2027-02-13 已在 holidays[1] 中列出，同一天只能列一次' },
      { field: 'workdays[0].date', reason: '调休上班日应为周六或周日，2027-10-08 是周五' },
    ]);
    const noReason = await put(city, '/api/calendar/2027', { ...notice2027, reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect((await street.get('/api/calendar/2027')).json()).toMatchObject({
      status: 'provisional',
      version: null,
    });
  });

  it('imports a year for the city administrator, audited, and refuses a stale second write', async () => {
    const saved = await put(city, '/api/calendar/2027', {
      ...notice2027,
      expectedVersion: null,
      reason: '国务院办公厅公布2027年安排',
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      year: 2027,
      status: 'official',
      version: 1,
      warnings: [],
      previousVersion: null,
    });
    expect((await street.get('/api/calendar/2027')).json()).toMatchObject({ status: 'official', version: 1 });
    const deadline = await street.get('/api/calendar/deadline?from=2026-12-28&workingDays=5');
    expect(deadline.json()).toMatchObject({ rule: '工作日历 2026 官方、2027 官方', provisional: false });

    const stale = await put(city, '/api/calendar/2027', {
      ...notice2027,
      expectedVersion: null,
      reason: '再次导入',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      error: {
        code: 'STALE_VERSION',
        message: '2027 年工作日历已被他人修改（当前版本 1），请刷新后重新操作',
      },
    });

    const audit = await city.get('/api/audit?entityType=calendar_year');
    expect(audit.statusCode).toBe(200);
    expect(JSON.stringify(audit.json())).toContain('国务院办公厅公布2027年安排');
  });
});
