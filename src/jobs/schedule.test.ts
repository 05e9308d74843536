import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { auditFiles, readCheckpointText } from '../audit/checkpoint.service.ts';
import { loadConfig } from '../config.ts';
import { selectRows } from '../db/sql.ts';
import { everyMinutesCron } from './every-minutes.ts';
import { JobError } from './jobs.errors.ts';
import { listSchedules } from './jobs.repository.ts';
import { AUDIT_CHECKPOINT_KIND, syncCheckpointSchedule } from './kinds/audit-checkpoint.job.ts';
import { builtinJobKinds } from './kinds/index.ts';
import { JobRunner } from './runner.ts';
import { checkedCron, nextRunAfter, nextRuns } from './schedule.ts';
import { recordOnly } from '../workflow/unit-of-work.ts';

describe('schedules in Shanghai time', () => {
  it('reads a cron expression in Asia/Shanghai whatever the machine', () => {
    // 02:00 in Shanghai is 18:00 UTC the day before.
    expect(nextRunAfter('0 2 * * *', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe(
      '2026-01-01T18:00:00.000Z',
    );
    // At 01:59 Shanghai (17:59 UTC) the same day's 02:00 is next; at 02:00 the next day's.
    expect(nextRunAfter('0 2 * * *', new Date('2026-01-01T17:59:00Z')).toISOString()).toBe(
      '2026-01-01T18:00:00.000Z',
    );
    expect(nextRunAfter('0 2 * * *', new Date('2026-01-01T18:00:00Z')).toISOString()).toBe(
      '2026-01-02T18:00:00.000Z',
    );
    // The first of each month at 08:30 Shanghai; 31 December 23:00 UTC is already 1 January in Shanghai.
    expect(nextRuns('30 8 1 * *', new Date('2026-12-31T23:00:00Z'), 2).map((d) => d.toISOString())).toEqual([
      '2027-01-01T00:30:00.000Z',
      '2027-02-01T00:30:00.000Z',
    ]);
    // Monday to Friday at 09:00: Friday 2026-12-04 09:00 Shanghai, then Monday 12-07.
    expect(nextRuns('0 9 * * 1-5', new Date('2026-12-04T00:30:00Z'), 2).map((d) => d.toISOString())).toEqual([
      '2026-12-04T01:00:00.000Z',
      '2026-12-07T01:00:00.000Z',
    ]);
  });

  it('refuses what is not a five-field expression, in Chinese', () => {
    expect(() => checkedCron('0 2 * *')).toThrow(JobError);
    expect(() => checkedCron('0 2 * *')).toThrow(/定时表达式应为 5 段/);
    expect(() => checkedCron('99 2 * * *')).toThrow(/定时表达式无法识别/);
    expect(checkedCron(' 0  2 * * * ')).toBe('0 2 * * *');
  });

  it('turns the checkpoint minutes into the cron expression that runs at exactly that interval', () => {
    expect(everyMinutesCron(60)).toBe('0 * * * *');
    expect(everyMinutesCron(15)).toBe('*/15 * * * *');
    expect(everyMinutesCron(1)).toBe('* * * * *');
    expect(everyMinutesCron(360)).toBe('0 */6 * * *');
    expect(everyMinutesCron(1440)).toBe('0 0 * * *');
    expect(everyMinutesCron(10_080)).toBe('0 0 * * 1');
    expect(everyMinutesCron(45)).toBeUndefined();
    expect(everyMinutesCron(90)).toBeUndefined();
    expect(() => loadConfig({ MINZHENG_AUDIT_CHECKPOINT_MINUTES: '45' })).toThrow(
      /MINZHENG_AUDIT_CHECKPOINT_MINUTES="45"：须为 0（关闭）/,
    );
  });
});

const dir = mkdtempSync(join(tmpdir(), 'mz-job-schedules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStores('scheduled jobs', (ctx) => {
  it('the audit checkpoint runs as a scheduled job: signed once per due time, only when the head moved', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', MINZHENG_DATA_DIR: join(dir, ctx.kind) });
    const files = auditFiles(config);
    const lines = () => readCheckpointText(files.checkpointFile).trim().split('\n').filter(Boolean);
    const append = () =>
      recordOnly(ctx.store, { userId: 'u', divisionCode: '310110' }, '登录', {
        action: 'auth.login',
        entityType: 'user',
      });
    const kinds = builtinJobKinds();
    const said: string[] = [];
    // Two runners (two worker processes) share the schedule: one due time gives one job.
    const runners = ['a', 'b'].map(
      (name) =>
        new JobRunner({ store: ctx.store, config, kinds, owner: `h/1/${name}`, say: (l) => said.push(l) }),
    );
    const due = async () => {
      for (const runner of runners) await runner.runUntilIdle();
    };
    const checkpointJobs = async () =>
      (
        await selectRows<{ n: number }>(
          ctx.store.db,
          sql`select count(*)::int as n from jobs where kind = ${AUDIT_CHECKPOINT_KIND} and state = 'succeeded'`,
        )
      )[0]?.n ?? 0;
    const makeDue = () =>
      ctx.store.db.execute(sql`update job_schedules set next_run_at = now() - interval '1 second'`);

    await append();
    await syncCheckpointSchedule(ctx.store, kinds, config, new Date(Date.now() - 1000));
    const [schedule] = await listSchedules(ctx.store.db);
    expect(schedule).toMatchObject({ name: 'audit.checkpoint', cron: '0 * * * *', enabled: true });
    await due();
    expect(lines()).toHaveLength(1);
    expect(await checkpointJobs()).toBe(1);
    // Its next run is the next full hour in Shanghai, after now.
    const [after] = await listSchedules(ctx.store.db);
    expect(new Date(after?.nextRunAt ?? 0).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(after?.nextRunAt ?? 0).getUTCMinutes()).toBe(0);

    // Due again with no new audit row: the job runs, signs nothing (the head did not move).
    await makeDue();
    await due();
    expect(await checkpointJobs()).toBe(2);
    expect(lines()).toHaveLength(1);

    // A restart keeps the schedule's next run; a new audit row and a due time sign a second checkpoint.
    await syncCheckpointSchedule(ctx.store, kinds, config);
    expect((await listSchedules(ctx.store.db))[0]?.nextRunAt).toBe(after?.nextRunAt);
    await append();
    await makeDue();
    await due();
    expect(lines()).toHaveLength(2);
    expect(said.filter((l) => l.startsWith('已签署审计检查点'))).toEqual([
      '已签署审计检查点：共 1 条，末条第 1 条',
      '已签署审计检查点：共 2 条，末条第 2 条',
    ]);
    // The checkpoint jobs wrote no audit rows of their own (else every hour would sign again).
    const [rows] = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log`,
    );
    expect(rows?.n).toBe(2);

    // 0 minutes: the schedule is off.
    await syncCheckpointSchedule(ctx.store, kinds, { MINZHENG_AUDIT_CHECKPOINT_MINUTES: 0 });
    expect((await listSchedules(ctx.store.db))[0]).toMatchObject({ enabled: false, nextRunAt: null });
  });
});
