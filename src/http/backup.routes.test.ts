import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, serverUrl } from '../../test/support/stores.ts';
import { selectRows } from '../db/sql.ts';
import { openPglite, type Store } from '../db/store.ts';
import { jobKinds } from '../jobs/kinds/index.ts';
import { JobRunner } from '../jobs/runner.ts';
import { addUser, loginAs, testConfig, testServer, type Agent } from './test-helpers.ts';

/** Opening PGlite and taking a backup on a busy machine. */
const SLOW = 300_000;

describe('/api/backups on the embedded store', () => {
  const root = mkdtempSync(join(tmpdir(), 'mz-backup-api-'));
  let store: Store;
  let app: FastifyInstance;
  let admin: Agent;
  let auditor: Agent;

  beforeAll(async () => {
    store = await openPglite(join(root, 'pglite'), { shownDir: root, command: 'vitest' });
    await store.migrate();
    app = await testServer(store, { MINZHENG_DATA_DIR: root, MINZHENG_BACKUP_KEEP: '2' });
    await addUser(store, 'sysadmin', 'admin', '310000');
    await addUser(store, 'cityaudit', 'auditor', '310000');
    admin = await loginAs(app, 'sysadmin');
    auditor = await loginAs(app, 'cityaudit');
  }, SLOW);

  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'is for administrators only: 401 without a session, 403 for an auditor, nothing written',
    async () => {
      expect((await app.inject({ method: 'GET', url: '/api/backups' })).statusCode).toBe(401);
      const list = await auditor.get('/api/backups');
      expect(list.statusCode).toBe(403);
      expect(list.json()).toMatchObject({ error: { code: 'FORBIDDEN', message: '没有执行此操作的权限' } });
      expect((await auditor.post('/api/backups', {})).statusCode).toBe(403);
      expect(existsSync(join(root, 'backups'))).toBe(false);
      expect((await selectRows(store.db, sql`select 1 from jobs`)).length).toBe(0);
    },
    SLOW,
  );

  it(
    'queues a backup job for an administrator (202, the request takes no backup), gives it back while it waits, and the runner takes it: listed, audited with the reason',
    async () => {
      const taken = await admin.post('/api/backups', { reason: '升级前备份' });
      expect(taken.statusCode).toBe(202);
      const { job, existing } = taken.json<{
        job: { id: string; state: string; kind: string };
        existing: boolean;
      }>();
      expect(existing).toBe(false);
      expect(job).toMatchObject({ kind: 'backup', state: 'queued', kindLabel: '系统备份', total: 1 });
      // The request returned before any backup was written.
      expect(existsSync(join(root, 'backups'))).toBe(false);
      // Asked again while it waits: the same job, not a second.
      const again = await admin.post('/api/backups', { reason: '再点一次' });
      expect(again.statusCode).toBe(202);
      expect(again.json()).toMatchObject({ job: { id: job.id }, existing: true });
      const waiting = (await admin.get('/api/backups')).json<{ lastJob: { id: string; state: string } }>();
      expect(waiting.lastJob).toMatchObject({ id: job.id, state: 'queued' });

      const runner = new JobRunner({
        store,
        config: testConfig({ MINZHENG_DATA_DIR: root, MINZHENG_BACKUP_KEEP: '2' }),
        kinds: jobKinds(),
        batchMs: 20,
        retryDelayMs: () => 0,
        schedules: false,
      });
      expect((await runner.runUntilIdle()).succeeded).toBe(1);

      const followed = await admin.get(`/api/jobs/${job.id}`);
      expect(followed.statusCode).toBe(200);
      const done = followed.json<{ state: string; percent: number; result: Record<string, unknown> }>();
      expect(done).toMatchObject({ state: 'succeeded', percent: 100 });
      const result = done.result as { file: string; bytes: number; sha256: string };
      expect(result.file).toMatch(/^minzheng-backup-\d{8}-\d{6}\.tar\.gz$/);
      expect(result.bytes).toBeGreaterThan(0);
      expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(result).not.toHaveProperty('path');

      const list = await admin.get('/api/backups');
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({
        supported: true,
        notice: null,
        keep: 2,
        schedule: '0 2 * * *',
        running: false,
        lastJob: { id: job.id, state: 'succeeded' },
        backups: [{ name: result.file, bytes: result.bytes, sha256: result.sha256 }],
      });

      const [row] = await selectRows<{ action: string; actor_id: string; reason: string; entity_id: string }>(
        store.db,
        sql`select action, actor_id, reason, entity_id from audit_log where action = 'system.backup'`,
      );
      expect(row).toMatchObject({ action: 'system.backup', reason: '升级前备份', entity_id: result.file });
      // Now that it has ended, a new request queues a new job.
      const next = await admin.post('/api/backups', {});
      expect(next.json()).toMatchObject({ existing: false });
      expect(next.json<{ job: { id: string } }>().job.id).not.toBe(job.id);
    },
    SLOW,
  );

  it(
    'refuses a blank reason with nothing written',
    async () => {
      const jobs = (await selectRows(store.db, sql`select 1 from jobs`)).length;
      const response = await admin.post('/api/backups', { reason: '\u200b ' });
      expect(response.statusCode).toBe(400);
      expect((await admin.get('/api/backups')).json<{ backups: unknown[] }>().backups).toHaveLength(1);
      expect((await selectRows(store.db, sql`select 1 from jobs`)).length).toBe(jobs);
    },
    SLOW,
  );
});

describe.skipIf(!serverUrl())('/api/backups with a PostgreSQL server', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let app: FastifyInstance;
  const root = mkdtempSync(join(tmpdir(), 'mz-backup-api-pg-'));

  beforeAll(async () => {
    ({ store, dispose } = await openTestStore('postgres'));
    app = await testServer(store, { MINZHENG_DATA_DIR: root });
    await addUser(store, 'pgadmin', 'admin', '310000');
  }, SLOW);

  afterAll(async () => {
    await app.close();
    await dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'says in Chinese that backups are the DBA’s, and takes none',
    async () => {
      const admin = await loginAs(app, 'pgadmin');
      const list = await admin.get('/api/backups');
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({ supported: false, backups: [] });
      expect(list.json<{ notice: string }>().notice).toMatch(/数据库管理员负责/);
      const taken = await admin.post('/api/backups', {});
      expect(taken.statusCode).toBe(409);
      expect(taken.json()).toMatchObject({ error: { code: 'BACKUP_UNSUPPORTED' } });
      expect(taken.json<{ error: { message: string } }>().error.message).toMatch(/pg_dump/);
      expect(existsSync(join(root, 'backups'))).toBe(false);
      // Nor through the jobs API: nothing is queued that could not run.
      const started = await admin.post('/api/jobs', { kind: 'backup', reason: '试试' });
      expect(started.statusCode).toBe(409);
      expect(started.json<{ error: { message: string } }>().error.message).toMatch(/数据库管理员负责/);
      expect((await selectRows(store.db, sql`select 1 from jobs where kind = 'backup'`)).length).toBe(0);
    },
    SLOW,
  );
});
