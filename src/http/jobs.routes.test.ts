import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { readHead } from '../audit/audit.repository.ts';
import { selectRows } from '../db/sql.ts';
import { addUser, loginAs, testServer, type Agent } from './test-helpers.ts';

describeStores('jobs API', (ctx) => {
  let app: FastifyInstance;
  const agents: Record<string, Agent> = {};
  const jobCount = async () =>
    (await selectRows<{ n: number }>(ctx.store.db, sql`select count(*)::int as n from jobs`))[0]?.n ?? 0;
  const start = (agent: Agent, body: unknown) => agent.post('/api/jobs', body);

  beforeAll(async () => {
    app = await testServer(ctx.store);
    for (const [name, role, division] of [
      ['admin_yp', 'admin', '310110'],
      ['admin_hp', 'admin', '310101'],
      ['auditor_city', 'auditor', '310000'],
      ['auditor_yp', 'auditor', '310110'],
      ['street_yp', 'street_caseworker', '310110012'],
      ['finance_yp', 'finance_officer', '310110'],
    ] as const) {
      await addUser(ctx.store, name, role, division);
      agents[name] = await loginAs(app, name);
    }
  });
  afterAll(() => app.close());

  it('starts a job of a kind the role may start, audited; each district sees its own jobs only', async () => {
    const yp = await start(agents.admin_yp!, { kind: 'audit.checkpoint', reason: '手动签署检查点' });
    expect(yp.statusCode).toBe(202);
    const ypJob = yp.json<{ job: { id: string; state: string; kindLabel: string; stateLabel: string } }>()
      .job;
    expect(ypJob).toMatchObject({ state: 'queued', kindLabel: '签署审计检查点', stateLabel: '排队中' });
    const hp = await start(agents.admin_hp!, { kind: 'audit.checkpoint', reason: '手动签署检查点' });
    const hpJob = hp.json<{ job: { id: string } }>().job;
    const [audit] = await selectRows<{ action: string; entity_id: string; district_code: string }>(
      ctx.store.db,
      sql`select action, entity_id, district_code from audit_log where action = 'job.enqueued' order by id`,
    );
    expect(audit).toEqual({ action: 'job.enqueued', entity_id: ypJob.id, district_code: '310110' });

    const ids = async (agent: Agent) =>
      (await agent.get('/api/jobs')).json<{ items: { id: string }[] }>().items.map((j) => j.id);
    expect(await ids(agents.admin_yp!)).toEqual([ypJob.id]);
    expect(await ids(agents.admin_hp!)).toEqual([hpJob.id]);
    expect(await ids(agents.auditor_yp!)).toEqual([ypJob.id]);
    expect((await ids(agents.auditor_city!)).sort()).toEqual([ypJob.id, hpJob.id].sort());
    // A street caseworker may see import jobs only; finance staff the payroll computations only.
    expect(await ids(agents.street_yp!)).toEqual([]);
    expect(await ids(agents.finance_yp!)).toEqual([]);
    // Another district's job reads as absent.
    expect((await agents.admin_yp!.get(`/api/jobs/${hpJob.id}`)).statusCode).toBe(404);
    expect((await agents.auditor_city!.get(`/api/jobs/${hpJob.id}`)).statusCode).toBe(200);
    const list = (await agents.admin_yp!.get('/api/jobs')).json<{ kinds: unknown[] }>();
    expect(list.kinds).toEqual([
      { kind: 'registry.import', label: '户籍台账导入', canStart: false },
      { kind: 'audit.checkpoint', label: '签署审计检查点', canStart: true },
      // No online backups on a PostgreSQL server: the kind is shown, not offered.
      { kind: 'backup', label: '系统备份', canStart: ctx.kind === 'pglite' },
      { kind: 'verification.gather', label: '核对信息获取', canStart: true },
      { kind: 'verification.recheck', label: '在保对象定期复核', canStart: true },
      { kind: 'cases.reviews.open', label: '开启定期复审', canStart: true },
      // Started by a run's start (POST /api/payroll/runs), never on its own.
      { kind: 'payroll.run', label: '发放计算', canStart: false },
      { kind: 'events.derive', label: '生成并处理生命事件', canStart: true },
      { kind: 'events.process', label: '处理生命事件', canStart: true },
    ]);
  });

  it('a payload that fails its schema is a 400 in Chinese, and nothing is written', async () => {
    const jobs = await jobCount();
    const head = (await readHead(ctx.store.db))?.lastId;
    const bad = await start(agents.admin_yp!, {
      kind: 'audit.checkpoint',
      payload: { x: 1 },
      reason: '测试',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { code: 'VALIDATION', message: '签署审计检查点的任务参数不合法：不认识的参数：x' },
    });
    const unknown = await start(agents.admin_yp!, { kind: 'payroll.monthly', reason: '测试' });
    expect(unknown.json()).toMatchObject({
      error: { code: 'VALIDATION', message: '没有这种任务：payroll.monthly' },
    });
    // May see the kind but not start it: 403.
    const auditor = await start(agents.auditor_yp!, { kind: 'audit.checkpoint', reason: '测试' });
    expect(auditor.statusCode).toBe(403);
    expect(await jobCount()).toBe(jobs);
    expect((await readHead(ctx.store.db))?.lastId).toBe(head);
  });

  it('cancels a queued job (audited); an ended job is a 409 naming its state', async () => {
    const { job } = (await start(agents.admin_yp!, { kind: 'audit.checkpoint', reason: '将取消' })).json<{
      job: { id: string; canCancel: boolean };
    }>();
    expect(job.canCancel).toBe(true);
    expect((await agents.auditor_yp!.get(`/api/jobs/${job.id}`)).json()).toMatchObject({ canCancel: false });
    const refused = await agents.auditor_yp!.post(`/api/jobs/${job.id}/cancel`, { reason: '审计员取消' });
    expect(refused.statusCode).toBe(403);
    const cancelled = await agents.admin_yp!.post(`/api/jobs/${job.id}/cancel`, { reason: '不再需要' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', stateLabel: '已取消', canCancel: false });
    const again = await agents.admin_yp!.post(`/api/jobs/${job.id}/cancel`, { reason: '不再需要' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: { code: 'WRONG_STATE', message: '任务已取消，不能取消' },
      current: { state: 'cancelled' },
    });
    const filtered = (await agents.admin_yp!.get('/api/jobs?state=cancelled')).json<{
      items: { id: string }[];
    }>();
    expect(filtered.items.map((j) => j.id)).toEqual([job.id]);
    expect((await agents.admin_yp!.get('/api/jobs?state=nonsense')).statusCode).toBe(400);
  });

  it('lists the schedules for administrators, next run in the future', async () => {
    const { syncCheckpointSchedule } = await import('../jobs/kinds/audit-checkpoint.job.ts');
    const { jobKinds } = await import('../jobs/kinds/index.ts');
    await syncCheckpointSchedule(ctx.store, jobKinds(), { MINZHENG_AUDIT_CHECKPOINT_MINUTES: 30 });
    const response = await agents.admin_yp!.get('/api/jobs/schedules');
    expect(response.json()).toMatchObject({
      items: [{ name: 'audit.checkpoint', kindLabel: '签署审计检查点', cron: '*/30 * * * *', enabled: true }],
    });
    expect((await agents.auditor_yp!.get('/api/jobs/schedules')).statusCode).toBe(403);
  });

  it('an administrator changes a schedule’s time or switches it off, audited with the reason; a bad expression is a Chinese 400 that changes nothing', async () => {
    const patch = (agent: Agent, name: string, body: unknown) =>
      app.inject({
        method: 'PATCH',
        url: `/api/jobs/schedules/${name}`,
        headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf },
        payload: body as Record<string, unknown>,
      });
    const listed = async () =>
      (await agents.admin_yp!.get('/api/jobs/schedules')).json<{ items: { name: string; cron: string }[] }>()
        .items;
    const before = await listed();
    const head = await readHead(ctx.store.db);

    const bad = await patch(agents.admin_yp!, 'audit.checkpoint', { cron: '0 2 * *', reason: '改时间' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'VALIDATION',
      message: '定时表达式应为 5 段（分 时 日 月 周，上海时间），如 "0 2 * * *" 表示每天 2:00：0 2 * *',
    });
    const wrong = await patch(agents.admin_yp!, 'audit.checkpoint', { cron: '0 2 31 2 x', reason: '改时间' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ error: { message: string } }>().error.message).toMatch(/^定时表达式无法识别/);
    expect((await patch(agents.admin_yp!, 'audit.checkpoint', { cron: '0 3 * * *' })).statusCode).toBe(400);
    expect(
      (await patch(agents.auditor_city!, 'audit.checkpoint', { enabled: false, reason: '审计员停用' }))
        .statusCode,
    ).toBe(403);
    const missing = await patch(agents.admin_yp!, 'nope', { enabled: false, reason: '停用' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: '定时任务不存在：nope' } });
    expect(await listed()).toEqual(before);
    expect(await readHead(ctx.store.db)).toEqual(head);

    const moved = await patch(agents.admin_yp!, 'audit.checkpoint', {
      cron: '0 3 * * *',
      reason: '改到凌晨三点',
    });
    expect(moved.statusCode).toBe(200);
    const body = moved.json<{ cron: string; enabled: boolean; changed: boolean; nextRunAt: string }>();
    expect(body).toMatchObject({ name: 'audit.checkpoint', cron: '0 3 * * *', enabled: true, changed: true });
    // 03:00 in Shanghai is 19:00 UTC.
    expect(new Date(body.nextRunAt).getUTCHours()).toBe(19);
    expect(new Date(body.nextRunAt).getTime()).toBeGreaterThan(Date.now());

    const off = await patch(agents.admin_yp!, 'audit.checkpoint', { enabled: false, reason: '暂停' });
    expect(off.json()).toMatchObject({ enabled: false, nextRunAt: null, changed: true });
    const rows = await selectRows<{ action: string; entity_id: string; reason: string; actor_id: string }>(
      ctx.store.db,
      sql`select action, entity_id, reason, actor_id from audit_log where entity_type = 'job_schedule' order by id`,
    );
    expect(rows.map((r) => [r.action, r.entity_id, r.reason])).toEqual([
      ['job.schedule_changed', 'audit.checkpoint', '改到凌晨三点'],
      ['job.schedule_changed', 'audit.checkpoint', '暂停'],
    ]);
  });
});
