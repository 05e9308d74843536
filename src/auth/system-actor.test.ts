import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { loadConfig } from '../config.ts';
import { selectRows } from '../db/sql.ts';
import { addUser, loginAs, testServer } from '../http/test-helpers.ts';
import { createItems, doneCounts, itemsKind, ITEMS_KIND } from '../jobs/items.fixtures.ts';
import { JobKinds } from '../jobs/job-kind.ts';
import { saveSchedule } from '../jobs/jobs.service.ts';
import { JobRunner } from '../jobs/runner.ts';
import { applyTransition, defineMachine, type MachineStore } from '../workflow/state-machine.ts';
import { presentTimeline } from '../workflow/timeline.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { JOB_RUNNER, type Role } from './roles.ts';
import { createUser } from './user.service.ts';

/**
 * The system actor of automatic steps: a scheduled job's writes are audited as `system:job-runner` and the
 * audit page names it; the system role can hold no account, so nobody signs in as it.
 */
describeStores('the system actor', (ctx) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'city.admin', 'admin', '310000');
  });
  afterAll(() => app.close());

  const userCount = async () =>
    (await selectRows<{ n: number }>(ctx.store.db, sql`select count(*)::int as n from users`))[0]?.n;

  it('no account can have the system role: the service, the API and the table refuse it', async () => {
    const before = await userCount();
    const asSystem = 'system' as Role;
    await expect(
      createUser(
        ctx.store,
        { userId: null, divisionCode: null },
        { username: 'robot', displayName: '机器人', role: asSystem, divisionCode: '310000' },
        '测试',
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: '系统角色用于自动任务，不能登录，不能用于用户账号',
    });

    const admin = await loginAs(app, 'city.admin');
    const viaApi = await admin.post('/api/users', {
      username: 'robot',
      displayName: '机器人',
      role: 'system',
      divisionCode: '310000',
    });
    expect(viaApi.statusCode).toBe(400);
    const roles = (await admin.get('/api/users/roles')).json<{ items: { role: string }[] }>().items;
    expect(roles.map((item) => item.role)).not.toContain('system');

    await expect(
      ctx.store.db.execute(
        sql`insert into users (id, username, display_name, password_hash, role, division_code)
            values (gen_random_uuid(), 'robot', '机器人', 'x', 'system', '310000')`,
      ),
    ).rejects.toThrow();
    expect(await userCount()).toBe(before);
  });

  it('nobody signs in as the system actor', async () => {
    for (const username of ['system:job-runner', 'system']) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: 'Whatever-password-1' },
      });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'AUTH_INVALID' } });
    }
  });

  it("a scheduled job's writes are audited as the job runner, and the audit page says 系统（自动任务）", async () => {
    const table = 'system_actor_items';
    await createItems(ctx.store.db, table, 30);
    const kinds = new JobKinds().register(itemsKind({ table, initialLimit: 10 }));
    await saveSchedule(ctx.store, kinds, {
      name: 'test.items.nightly',
      kind: ITEMS_KIND,
      cron: '0 2 * * *',
      payload: { count: 30 },
      districtCode: '310110',
      enabled: true,
    });
    const runner = new JobRunner({
      store: ctx.store,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      kinds,
      batchMs: 20,
      retryDelayMs: () => 0,
      schedules: true,
    });
    expect((await runner.runUntilIdle()).succeeded).toBe(1);
    expect(await doneCounts(ctx.store.db, table)).toEqual({ 1: 30 });

    const actors = await selectRows<{ actor: string | null; n: number }>(
      ctx.store.db,
      sql`select actor_id as actor, count(*)::int as n from audit_log where action = 'job.batch' group by actor_id`,
    );
    expect(actors).toHaveLength(1);
    expect(actors[0]?.actor).toBe('system:job-runner');

    const admin = await loginAs(app, 'city.admin');
    const page = await admin.get('/api/audit?action=job.batch&limit=50');
    expect(page.statusCode).toBe(200);
    const rows = page.json<{ items: { actorId: string | null; actorName: string }[] }>().items;
    expect(rows.length).toBe(actors[0]?.n);
    for (const row of rows) {
      expect(row).toMatchObject({ actorId: 'system:job-runner', actorName: '系统（自动任务）' });
    }
    // The actor filter finds the rows by the stored id too.
    const filtered = await admin.get('/api/audit?actor=system:job-runner&limit=50');
    expect(filtered.json<{ items: unknown[] }>().items).toHaveLength(rows.length);
  });

  it("an automatic step in an entity's timeline is named 系统（自动任务）", async () => {
    await ctx.store.db.execute(
      sql`create table system_actor_probe (id text primary key, state text not null, version int not null)`,
    );
    await ctx.store.db.execute(sql`insert into system_actor_probe values ('p', 'open', 1)`);
    const machine = defineMachine<'open' | 'expired', null>({
      name: 'test.expiry',
      entityType: 'person',
      auditAction: 'person.updated',
      states: { open: '公示中', expired: '已到期' },
      transitions: [
        { action: 'expire', label: '到期', from: ['open'], to: 'expired', permission: 'audit.view' },
      ],
    });
    const probe: MachineStore<'open' | 'expired'> = {
      async load(tx, id) {
        const [row] = await selectRows<{ state: 'open' | 'expired'; version: number }>(
          tx.db,
          sql`select state, version from system_actor_probe where id = ${id}`,
        );
        return row ? { id, divisionCode: '310110', ...row } : null;
      },
      async save(tx, id, expected, next) {
        const rows = await selectRows(
          tx.db,
          sql`update system_actor_probe set state = ${next.state}, version = ${next.version}
              where id = ${id} and version = ${expected.version} returning id`,
        );
        return rows.length === 1;
      },
    };
    const actor = { userId: JOB_RUNNER.userId, divisionCode: null, reason: '公示期满，自动到期' };
    await inUnitOfWork(ctx.store, actor, (tx) =>
      applyTransition(tx, machine, probe, {
        id: 'p',
        action: 'expire',
        role: JOB_RUNNER.role,
        context: null,
      }),
    );
    const timeline = await presentTimeline(ctx.store.db, machine, 'p');
    expect(timeline.map((e) => [e.actionLabel, e.actorName])).toEqual([['到期', '系统（自动任务）']]);
  });
});
