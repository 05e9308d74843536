import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../db/sql.ts';
import { openPglite, type Store } from '../db/store.ts';
import { findSchedule } from '../jobs/jobs.repository.ts';
import { syncCheckpointSchedule } from '../jobs/kinds/audit-checkpoint.job.ts';
import { syncBackupSchedule } from '../jobs/kinds/backup.job.ts';
import { builtinJobKinds } from '../jobs/kinds/index.ts';

/** Opening PGlite and starting the CLI several times on a busy machine. */
const SLOW = 300_000;
const dataDir = mkdtempSync(join(tmpdir(), 'mz-jobs-cli-'));

function minzheng(...args: string[]) {
  const { DATABASE_URL: _server, ...base } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', ...args], {
    env: { ...base, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Opens the installation (the CLI is not running), works on it, closes it. */
async function withInstallation<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openPglite(join(dataDir, 'pglite'), { shownDir: dataDir, command: 'vitest' });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('minzheng jobs schedule (set, enable, disable; list)', () => {
  beforeAll(async () => {
    // The schedules as the server's first start keeps them from the settings.
    await withInstallation(async (store) => {
      await store.migrate();
      const kinds = builtinJobKinds();
      await syncCheckpointSchedule(store, kinds, { MINZHENG_AUDIT_CHECKPOINT_MINUTES: 60 });
      await syncBackupSchedule(store, kinds, { MINZHENG_BACKUP_SCHEDULE: '0 2 * * *' });
    });
  }, SLOW);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'sets a cron expression and disables a schedule, each audited with its reason; refuses a bad expression and a missing reason, changing nothing',
    async () => {
      const bad = minzheng('jobs', 'schedule', 'set', 'backup', '--cron', '0 25 * * *', '--reason', '改时间');
      expect(bad.status).toBe(1);
      expect(bad.stderr).toBe('错误：定时表达式无法识别：0 25 * * *（格式：分 时 日 月 周，上海时间）\n');
      const unreasoned = minzheng('jobs', 'schedule', 'disable', 'backup');
      expect(unreasoned.status).toBe(1);
      expect(unreasoned.stderr).toMatch(/^错误：缺少必填选项 --reason <text>/);
      const unknown = minzheng('jobs', 'schedule', 'enable', 'payroll', '--reason', '启用');
      expect(unknown.stderr).toBe('错误：定时任务不存在：payroll\n');
      expect(
        await withInstallation(async (store) => ({
          schedule: await findSchedule(store.db, 'backup'),
          audit: await selectRows(store.db, sql`select 1 from audit_log`),
        })),
      ).toMatchObject({ schedule: { cron: '0 2 * * *', enabled: true }, audit: [] });

      const set = minzheng(
        'jobs',
        'schedule',
        'set',
        'backup',
        '--cron',
        '30 1 * * *',
        '--reason',
        '避开对账',
      );
      expect(set.stderr).toBe('');
      expect(set.status).toBe(0);
      expect(set.stdout).toMatch(
        /^已修改定时任务 backup：定时 “30 1 \* \* \*”（上海时间），下次运行 \d{4}-\d{2}-\d{2} 01:30:00\n$/,
      );
      const again = minzheng(
        'jobs',
        'schedule',
        'set',
        'backup',
        '--cron',
        '30  1 * * *',
        '--reason',
        '再改',
      );
      expect(again.stdout).toMatch(/^定时任务 backup 已是如此，未做更改/);
      const off = minzheng('jobs', 'schedule', 'disable', 'audit.checkpoint', '--reason', '改由外部签署');
      expect(off.stdout).toBe('已修改定时任务 audit.checkpoint：已停用（定时 “0 * * * *”）\n');

      const listed = minzheng('jobs', 'schedules');
      expect(listed.status).toBe(0);
      const lines = listed.stdout.split('\n');
      expect(lines.find((l) => l.startsWith('audit.checkpoint'))).toMatch(
        /签署审计检查点\s+0 \* \* \* \*\s+否\s+-/,
      );
      expect(lines.find((l) => l.startsWith('backup'))).toMatch(/系统备份\s+30 1 \* \* \*\s+是\s+\d{4}-/);

      const rows = await withInstallation((store) =>
        selectRows<{ action: string; entity_id: string; actor_id: string; reason: string }>(
          store.db,
          sql`select action, entity_id, actor_id, reason from audit_log order by id`,
        ),
      );
      expect(rows).toEqual([
        {
          action: 'job.schedule_changed',
          entity_id: 'backup',
          actor_id: `cli:${userInfo().username}`,
          reason: '避开对账',
        },
        {
          action: 'job.schedule_changed',
          entity_id: 'audit.checkpoint',
          actor_id: `cli:${userInfo().username}`,
          reason: '改由外部签署',
        },
      ]);
    },
    SLOW,
  );
});
