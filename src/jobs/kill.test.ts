import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serverUrl, storeKinds } from '../../test/support/stores.ts';
import { createItems, doneCounts, itemsKind, ITEMS_KIND } from './items.fixtures.ts';
import { JobKinds } from './job-kind.ts';
import { getJob } from './jobs.repository.ts';
import { enqueueJob } from './jobs.service.ts';
import { killTarget, runChild } from './kill-harness.fixtures.ts';

const child = fileURLToPath(new URL('./kill-child.fixtures.ts', import.meta.url));
const COUNT = 4000;
const TABLE = 'kill_items';
const env = { MZ_KILL_TABLE: TABLE };

describe('a job killed with SIGKILL and restarted', () => {
  for (const kind of storeKinds()) {
    it(`does each item exactly once [${kind}]`, { timeout: 240_000 }, async () => {
      const t = await killTarget(kind, { prefix: 'kill', url: serverUrl() });
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
          const run = await runChild(child, t.spec, { batches: after }, env);
          expect(run.killed).toBe(true);
          expect(run.done).toBe(false);
        }
        const last = await runChild(child, t.spec, undefined, env);
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
