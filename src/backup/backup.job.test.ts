import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, serverUrl } from '../../test/support/stores.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { loadConfig } from '../config.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { openPglite, type Store } from '../db/store.ts';
import { JobKinds } from '../jobs/job-kind.ts';
import { getJob } from '../jobs/jobs.repository.ts';
import { enqueueJob, schedules } from '../jobs/jobs.service.ts';
import { backupJob, BACKUP_KIND, BACKUP_SCHEDULE, syncBackupSchedule } from '../jobs/kinds/backup.job.ts';
import { jobActor, JobRunner } from '../jobs/runner.ts';
import { listBackupFiles } from './backup-archive.ts';

/** Opening PGlite and taking a backup on a busy machine. */
const SLOW = 300_000;

describe('the backup job and its schedule on the embedded store', () => {
  const root = mkdtempSync(join(tmpdir(), 'mz-backup-job-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', MINZHENG_DATA_DIR: root, MINZHENG_BACKUP_KEEP: '2' });
  const kinds = new JobKinds().register(backupJob);
  let store: Store;

  beforeAll(async () => {
    store = await openPglite(join(root, 'pglite'), { shownDir: root, command: 'vitest' });
    await store.migrate();
  }, SLOW);

  afterAll(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'takes a backup as a job: the file and its checksum, the result, one audit record by the job',
    async () => {
      const { job } = await enqueueJob(store, kinds, {
        kind: BACKUP_KIND,
        payload: {},
        actor: { userId: null, divisionCode: null, reason: '定时任务：系统备份（backup）' },
        divisionCode: '310000',
      });
      const runner = new JobRunner({
        store,
        config,
        kinds,
        batchMs: 20,
        retryDelayMs: () => 0,
        schedules: false,
      });
      const summary = await runner.runUntilIdle();
      expect(summary.succeeded).toBe(1);
      const [file] = await listBackupFiles(join(root, 'backups'));
      const done = await getJob(store.db, job.id);
      expect(done).toMatchObject({ state: 'succeeded', result: { file: file?.name, sha256: file?.sha256 } });
      const rows = await selectRows<{ action: string; actor_id: string | null; reason: string }>(
        store.db,
        sql`select action, actor_id, reason from audit_log where entity_type = 'backup'`,
      );
      // Recorded by the job's actor: nobody started it, so the runner's own (the system's).
      expect(rows).toEqual([
        {
          action: 'system.backup',
          actor_id: done ? jobActor(done).userId : 'missing',
          reason: '定时任务：系统备份（backup）',
        },
      ]);
      expect((await verifyAuditChain(store)).ok).toBe(true);
    },
    SLOW,
  );

  it(
    'keeps the schedule as the setting says: nightly at 02:00 Shanghai by default, off with "off"',
    async () => {
      const restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
      try {
        await syncBackupSchedule(store, kinds, config);
        const saved = (await schedules(store)).find((s) => s.name === BACKUP_SCHEDULE);
        expect(saved).toMatchObject({ kind: BACKUP_KIND, cron: '0 2 * * *', enabled: true });
        expect(saved?.nextRunAt).toBe('2026-12-01T18:00:00.000Z');

        await syncBackupSchedule(store, kinds, { MINZHENG_BACKUP_SCHEDULE: '30 3 * * 0' });
        expect((await schedules(store)).find((s) => s.name === BACKUP_SCHEDULE)).toMatchObject({
          cron: '30 3 * * 0',
          enabled: true,
        });

        await syncBackupSchedule(store, kinds, { MINZHENG_BACKUP_SCHEDULE: 'off' });
        expect((await schedules(store)).find((s) => s.name === BACKUP_SCHEDULE)?.enabled).toBe(false);
      } finally {
        restore();
      }
    },
    SLOW,
  );
});

describe.skipIf(!serverUrl())('the backup schedule with a PostgreSQL server', () => {
  it(
    'is kept off whatever the setting',
    async () => {
      const { store, dispose } = await openTestStore('postgres');
      try {
        const kinds = new JobKinds().register(backupJob);
        await syncBackupSchedule(store, kinds, { MINZHENG_BACKUP_SCHEDULE: '0 2 * * *' });
        expect((await schedules(store)).find((s) => s.name === BACKUP_SCHEDULE)?.enabled).toBe(false);
      } finally {
        await dispose();
      }
    },
    SLOW,
  );
});
