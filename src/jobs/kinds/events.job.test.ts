import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { ALL } from '../../auth/scope.ts';
import { loadConfig } from '../../config.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { seedPayables } from '../../payroll/runs/runs.fixtures.ts';
import { makeIdNumber } from '../../registry/id-number.ts';
import { createHousehold } from '../../registry/registry.service.ts';
import { streetActor } from '../../verification/verification.fixtures.ts';
import { inUnitOfWork, type WorkTx } from '../../workflow/unit-of-work.ts';
import { getJob } from '../jobs.repository.ts';
import { enqueueJob } from '../jobs.service.ts';
import type { BatchOutcome, JobCursor } from '../job-kind.ts';
import { EVENTS_DERIVE_KIND, eventsDeriveJob } from './events.job.ts';
import { builtinJobKinds } from './index.ts';

/** events.derive's batches as the runner calls them: the registry's birthdays become events, processed once. */
describeStores('events.derive job', (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'mz-events-job-'));
  const config = () => loadConfig({ LOG_LEVEL: 'silent', MINZHENG_DATA_DIR: join(dir, ctx.kind) });
  const kinds = builtinJobKinds();
  const actor = { userId: 'system:job-runner', divisionCode: null, reason: '每日生成生命事件' };
  let restore: () => void;

  beforeAll(() => {
    restore = setClock(fixedClock('2026-06-20T04:00:00Z'));
  });
  afterAll(() => restore());

  it('derives a 65th birthday of the month and enrols once; a second run the same day is the same job', async () => {
    await seedPayables(ctx.store, 'job');
    const created = await inUnitOfWork(ctx.store, streetActor, (tx) =>
      createHousehold(tx, ALL, {
        householdNo: 'HD-J-65',
        committeeCode: '310110012001',
        validFrom: '2017-01-01',
        members: [
          {
            person: {
              idNumber: makeIdNumber('310110', '1961-06-02', 955),
              name: '周六五',
              sex: 1,
              birthDate: '1961-06-02',
              hukouDivisionCode: '310110012',
            },
            relationCode: '02',
          },
        ],
      }),
    );
    const elder = created.changes.find((c) => c.entityType === 'person')!.entityId;
    const payload = { districtCode: '310110' };
    const { job } = await enqueueJob(ctx.store, kinds, {
      kind: EVENTS_DERIVE_KIND,
      payload,
      actor,
      divisionCode: '310110',
    });
    // The runner's batches, as it calls them: the derivation, then processing until a short batch.
    const ctxJob = {
      store: ctx.store,
      config: config(),
      say: () => {},
      unit: (work: (tx: WorkTx) => Promise<BatchOutcome>) => inUnitOfWork(ctx.store, actor, work),
    };
    let cursor: JobCursor | null = null;
    const results: (Record<string, unknown> | undefined)[] = [];
    for (let batch = 1; batch <= 5; batch += 1) {
      const current = (await getJob(ctx.store.db, job.id))!;
      const out = await eventsDeriveJob.run!({ job: current, payload, cursor, limit: 100, batch }, ctxJob);
      results.push(out.result);
      cursor = out.cursor;
      if (out.finished) break;
    }
    expect(results).toEqual([
      { deaths: 0, births: 0, birthdays: 1 },
      expect.objectContaining({ processed: 1, enrolled: 1, rejected: 0 }),
    ]);
    const again = await enqueueJob(ctx.store, kinds, {
      kind: EVENTS_DERIVE_KIND,
      payload,
      actor,
      divisionCode: '310110',
    });
    expect(again.existing).toBe(true);
    const events = await selectRows<{ kind: string; state: string }>(
      ctx.store.db,
      sql`select kind, state from life_events where person_id = ${elder}::uuid`,
    );
    expect(events).toEqual([{ kind: 'age_65', state: 'processed' }]);
    const audit = await selectRows<{ action: string }>(
      ctx.store.db,
      sql`select action from audit_log where action like 'events.%' order by id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['events.derived', 'events.processed']);
  });
});
