import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { serverUrl, storeKinds } from '../../test/support/stores.ts';
import { openPglite, openPostgres, type Store } from '../db/store.ts';
import { createItems, doneCounts, itemsKind, ITEMS_KIND } from './items.fixtures.ts';
import { JobKinds } from './job-kind.ts';
import { getJob } from './jobs.repository.ts';
import { enqueueJob } from './jobs.service.ts';

const child = fileURLToPath(new URL('./kill-child.fixtures.ts', import.meta.url));
const COUNT = 4000;
const TABLE = 'kill_items';
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Run {
  batches: number;
  done: boolean;
  killed: boolean;
}

/** Runs the child; kills it with SIGKILL once it has said `killAfter` batches (never, if undefined). */
function runChild(spec: string, killAfter: number | undefined): Promise<Run> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, MZ_KILL_STORE: spec, MZ_KILL_TABLE: TABLE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const run: Run = { batches: 0, done: false, killed: false };
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line.startsWith('BATCH')) run.batches += 1;
    if (line.startsWith('DONE')) run.done = true;
    if (killAfter !== undefined && run.batches >= killAfter && !run.killed) {
      run.killed = true;
      proc.kill('SIGKILL');
    }
  });
  return new Promise((resolve, reject) => {
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(run);
      else reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
}

interface Target {
  spec: string;
  open: () => Promise<Store>;
  dispose: () => Promise<void>;
}

async function target(kind: 'pglite' | 'postgres'): Promise<Target> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'mz-kill-'));
    dirs.push(dir);
    return { spec: `pglite:${dir}`, open: () => openPglite(dir), dispose: () => Promise.resolve() };
  }
  const url = serverUrl() ?? '';
  const schema = `t_kill_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    spec: `postgres:${url}|${schema}`,
    open: () => Promise.resolve(openPostgres(url, { searchPath: schema, max: 2 })),
    dispose: async () => {
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}

describe('a job killed with SIGKILL and restarted', () => {
  for (const kind of storeKinds()) {
    it(`does each item exactly once [${kind}]`, { timeout: 240_000 }, async () => {
      const t = await target(kind);
      try {
        // Set up, then hand the database to the child (on PGlite the data directory is one process's).
        let store = await t.open();
        await store.migrate();
        await createItems(store.db, TABLE, COUNT);
        const { job } = await enqueueJob(store, new JobKinds().register(itemsKind({ table: TABLE })), {
          kind: ITEMS_KIND,
          payload: { count: COUNT },
          actor: { userId: 'u-test', divisionCode: '310110', reason: '强杀测试' },
          divisionCode: '310110',
        });
        await store.close();

        const kills = [3, 1, 5];
        for (const after of kills) {
          const run = await runChild(t.spec, after);
          expect(run.killed).toBe(true);
          expect(run.done).toBe(false);
        }
        const last = await runChild(t.spec, undefined);
        expect(last.done).toBe(true);

        store = await t.open();
        try {
          expect(await doneCounts(store.db, TABLE)).toEqual({ 1: COUNT });
          const done = await getJob(store.db, job.id);
          expect(done).toMatchObject({ state: 'succeeded', done: COUNT, total: COUNT, cursor: COUNT });
          // One claim per process that started, so every kill was resumed from the cursor.
          expect(done?.attempts).toBe(kills.length + 1);
        } finally {
          await store.close();
        }
      } finally {
        await t.dispose();
      }
    });
  }
});
