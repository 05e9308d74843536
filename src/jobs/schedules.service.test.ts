import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { readHead } from '../audit/audit.repository.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { JobError } from './jobs.errors.ts';
import { findSchedule, listSchedules, lockDueSchedules, updateSchedule } from './jobs.repository.ts';
import { AUDIT_CHECKPOINT_SCHEDULE, syncCheckpointSchedule } from './kinds/audit-checkpoint.job.ts';
import { BACKUP_SCHEDULE, syncBackupSchedule } from './kinds/backup.job.ts';
import { builtinJobKinds } from './kinds/index.ts';
import { changeSchedule, scheduleViews, type ScheduleChange } from './schedules.service.ts';

const admin: ActingContext = { userId: 'admin-1', divisionCode: '310000', reason: '改到夜间业务低谷' };

describeStores('schedules kept by administrators', (ctx) => {
  const kinds = builtinJobKinds();
  const change = (name: string, what: ScheduleChange, actor: ActingContext = admin) =>
    inUnitOfWork(ctx.store, actor, (tx) => changeSchedule(tx, kinds, ctx.store.kind, name, what));
  const auditRows = () =>
    selectRows<{ action: string; entity_id: string; reason: string; before: unknown; after: unknown }>(
      ctx.store.db,
      sql`select action, entity_id, reason, before, after from audit_log
          where entity_type = 'job_schedule' order by id`,
    );
  async function refused(work: Promise<unknown>): Promise<Error> {
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof Error)) throw new Error('not refused');
    return error;
  }

  it('changes a cron expression and switches a schedule off and on, each audited with its reason', async () => {
    // 2026-12-01 10:00 in Shanghai.
    const restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    try {
      await syncBackupSchedule(ctx.store, kinds, { MINZHENG_BACKUP_SCHEDULE: '0 2 * * *' });
      await syncCheckpointSchedule(ctx.store, kinds, { MINZHENG_AUDIT_CHECKPOINT_MINUTES: 60 });

      const changed = await change(AUDIT_CHECKPOINT_SCHEDULE, { cron: ' 30  3 * * * ' });
      expect(changed.changed).toBe(true);
      // 03:30 Shanghai the next day is 19:30 UTC today.
      expect(changed.schedule).toMatchObject({
        cron: '30 3 * * *',
        enabled: true,
        nextRunAt: '2026-12-01T19:30:00.000Z',
      });
      const [first] = await auditRows();
      expect(first).toMatchObject({
        action: 'job.schedule_changed',
        entity_id: AUDIT_CHECKPOINT_SCHEDULE,
        reason: '改到夜间业务低谷',
        before: { cron: '0 * * * *', enabled: true },
        after: { cron: '30 3 * * *', enabled: true, nextRunAt: '2026-12-01T19:30:00.000Z' },
      });

      const off = await change(
        AUDIT_CHECKPOINT_SCHEDULE,
        { enabled: false },
        { ...admin, reason: '暂停签署' },
      );
      expect(off.schedule).toMatchObject({ enabled: false, nextRunAt: null, cron: '30 3 * * *' });
      // Off, it is never due, however late it is.
      await ctx.store.db.execute(
        sql`update job_schedules set next_run_at = now() - interval '1 day' where name = ${AUDIT_CHECKPOINT_SCHEDULE}`,
      );
      const due = await ctx.store.transaction((tx) => lockDueSchedules(tx.db));
      expect(due.map((s) => s.name)).not.toContain(AUDIT_CHECKPOINT_SCHEDULE);

      const on = await change(AUDIT_CHECKPOINT_SCHEDULE, { enabled: true }, { ...admin, reason: '恢复签署' });
      expect(on.schedule).toMatchObject({ enabled: true, nextRunAt: '2026-12-01T19:30:00.000Z' });
      expect((await auditRows()).map((r) => r.reason)).toEqual(['改到夜间业务低谷', '暂停签署', '恢复签署']);

      // Asked for what already is: nothing written, nothing recorded.
      const same = await change(AUDIT_CHECKPOINT_SCHEDULE, { cron: '30 3 * * *', enabled: true });
      expect(same.changed).toBe(false);
      expect(await auditRows()).toHaveLength(3);

      const views = await scheduleViews(ctx.store, kinds);
      expect(views.find((v) => v.name === AUDIT_CHECKPOINT_SCHEDULE)).toMatchObject({
        kindLabel: '签署审计检查点',
        cron: '30 3 * * *',
        enabled: true,
        nextRunAt: '2026-12-01T19:30:00.000Z',
        unavailable: null,
      });
    } finally {
      restore();
    }
  });

  it('refuses a bad expression, an unknown schedule and an empty change in Chinese, changing nothing', async () => {
    const before = await listSchedules(ctx.store.db);
    const head = await readHead(ctx.store.db);
    const bad = await refused(change(BACKUP_SCHEDULE, { cron: '0 25 * * *' }));
    expect(bad).toBeInstanceOf(JobError);
    expect(bad.message).toBe('定时表达式无法识别：0 25 * * *（格式：分 时 日 月 周，上海时间）');
    const short = await refused(change(BACKUP_SCHEDULE, { cron: '0 2 * *', enabled: false }));
    expect(short.message).toMatch(/^定时表达式应为 5 段（分 时 日 月 周，上海时间）/);
    const missing = await refused(change('payroll.monthly', { enabled: true }));
    expect(missing).toMatchObject({ code: 'not_found', message: '定时任务不存在：payroll.monthly' });
    const empty = await refused(change(BACKUP_SCHEDULE, {}));
    expect(empty).toMatchObject({ code: 'invalid_payload' });
    // A change made from what another administrator has changed meanwhile writes nothing (compare-and-set).
    const current = await findSchedule(ctx.store.db, BACKUP_SCHEDULE);
    const stale = await updateSchedule(
      ctx.store.db,
      BACKUP_SCHEDULE,
      { cron: '59 23 * * *', enabled: current?.enabled ?? true },
      { cron: '0 4 * * *', enabled: true, nextRunAt: new Date() },
    );
    expect(stale).toBeUndefined();
    expect(await listSchedules(ctx.store.db)).toEqual(before);
    expect(await readHead(ctx.store.db)).toEqual(head);
  });

  it('keeps an administrator’s change over the setting at the next start, and says that they differ', async () => {
    // Not changed by an administrator: the setting rules at each start.
    expect(
      await syncBackupSchedule(ctx.store, kinds, { MINZHENG_BACKUP_SCHEDULE: '15 1 * * *' }),
    ).toBeUndefined();
    const backupNow = await findSchedule(ctx.store.db, BACKUP_SCHEDULE);
    expect(backupNow).toMatchObject({ cron: '15 1 * * *', enabled: ctx.kind === 'pglite' });

    // Changed by one (the checkpoint's, above): a start with the setting as it was leaves theirs, and says so.
    const notice = await syncCheckpointSchedule(ctx.store, kinds, { MINZHENG_AUDIT_CHECKPOINT_MINUTES: 60 });
    expect(notice).toBe(
      '定时任务 audit.checkpoint 已由管理员改为“30 3 * * *”，与设置 MINZHENG_AUDIT_CHECKPOINT_MINUTES（“0 * * * *”）不同：' +
        '以管理员的修改为准（用 jobs schedule set / enable / disable 或控制台“任务”页修改）',
    );
    expect(await findSchedule(ctx.store.db, AUDIT_CHECKPOINT_SCHEDULE)).toMatchObject({
      cron: '30 3 * * *',
      enabled: true,
    });
    // A setting that agrees with the administrator says nothing.
    const agreeing = await change(AUDIT_CHECKPOINT_SCHEDULE, { cron: '0 * * * *' });
    expect(agreeing.changed).toBe(true);
    expect(
      await syncCheckpointSchedule(ctx.store, kinds, { MINZHENG_AUDIT_CHECKPOINT_MINUTES: 60 }),
    ).toBeUndefined();
  });

  it('on a PostgreSQL server the backup schedule cannot be switched on (409 saying why); elsewhere it can', async () => {
    const views = await scheduleViews(ctx.store, kinds);
    const backup = views.find((v) => v.name === BACKUP_SCHEDULE);
    if (ctx.kind === 'postgres') {
      expect(backup).toMatchObject({ enabled: false, nextRunAt: null });
      expect(backup?.unavailable).toMatch(/数据库管理员负责/);
      const error = await refused(change(BACKUP_SCHEDULE, { enabled: true }));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toMatch(/^定时任务 backup 不能启用：本系统使用 PostgreSQL 数据库服务器/);
      // Changing its time while it stays off is fine.
      const moved = await change(BACKUP_SCHEDULE, { cron: '0 3 * * *' });
      expect(moved.schedule).toMatchObject({ cron: '0 3 * * *', enabled: false });
      // And a start keeps it off whoever changed it.
      await syncBackupSchedule(ctx.store, kinds, { MINZHENG_BACKUP_SCHEDULE: '0 2 * * *' });
      expect(await findSchedule(ctx.store.db, BACKUP_SCHEDULE)).toMatchObject({ enabled: false });
    } else {
      expect(backup).toMatchObject({ enabled: true, unavailable: null });
      const off = await change(BACKUP_SCHEDULE, { enabled: false });
      expect(off.schedule.enabled).toBe(false);
      // The setting "off" and the administrator's agree; "0 2 * * *" differs and is reported, not applied.
      expect(await syncBackupSchedule(ctx.store, kinds, { MINZHENG_BACKUP_SCHEDULE: '15 1 * * *' })).toMatch(
        /^定时任务 backup 已由管理员改为停用（“15 1 \* \* \*”），与设置 MINZHENG_BACKUP_SCHEDULE（“15 1 \* \* \*”）不同/,
      );
      expect(await findSchedule(ctx.store.db, BACKUP_SCHEDULE)).toMatchObject({ enabled: false });
    }
  });
});
