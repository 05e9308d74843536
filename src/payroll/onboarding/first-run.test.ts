import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { loadConfig } from '../../config.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { JobKinds } from '../../jobs/job-kind.ts';
import { getJob } from '../../jobs/jobs.repository.ts';
import { enqueueJob } from '../../jobs/jobs.service.ts';
import { PAYROLL_RUN_KIND, payrollRunJobKind } from '../../jobs/kinds/payroll-run.job.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { fixtureActor, startRun } from '../compute/compute.fixtures.ts';
import { baselineRunParameters } from '../compute/parameters.ts';
import { DISTRICT, financeOptions, recipient, recipientsFile, seedFamily } from './onboarding.fixtures.ts';
import { importRecipients } from './onboarding.service.ts';

/**
 * The first payroll run after going live (H2a's computation, src/payroll/compute) pays each imported
 * entitlement from the month after the last paid: the opening entries stand for every month before.
 */
describeStores('going live, then the first payroll run', (ctx) => {
  let restore: () => void;
  beforeAll(() => {
    restore = setClock(fixedClock('2026-11-16T10:00:00+08:00'));
  });
  afterAll(() => restore());

  it('pays the run month only, and nothing for a month already paid', async () => {
    const a = await seedFamily(ctx.store, 'F');
    const report = await importRecipients(
      ctx.store,
      await recipientsFile([
        recipient({
          idNumber: a.elder.idNumber,
          program: 'tekun',
          amount: '2000',
          startMonth: '2025-01',
          lastPaidMonth: '2026-10',
          payeeIdNumber: a.elder.idNumber,
        }),
        recipient({
          householdNo: a.householdNo,
          program: 'dibao',
          amount: '1510',
          startMonth: '2026-01',
          lastPaidMonth: '2026-11',
          payeeIdNumber: a.adult.idNumber,
          accountKind: '社保卡',
          accountNo: '6228480000000000034',
        }),
        recipient({
          idNumber: a.child.idNumber,
          program: 'kunjing_child',
          amount: '1800',
          startMonth: '2026-11',
          lastPaidMonth: '2026-10',
          payeeIdNumber: a.adult.idNumber,
          accountKind: '社保卡',
          accountNo: '6228480000000000034',
        }),
      ]),
      financeOptions(),
    );
    expect(report.errors).toEqual([]);

    const runId = await startRun(ctx.store, '2026-11');
    const kinds = new JobKinds().register(
      payrollRunJobKind({ parameters: baselineRunParameters, initialLimit: 10 }),
    );
    const { job } = await enqueueJob(ctx.store, kinds, {
      kind: PAYROLL_RUN_KIND,
      payload: { districtCode: DISTRICT, runId },
      actor: fixtureActor,
      divisionCode: DISTRICT,
      idempotencyKey: randomUUID(),
    });
    await new JobRunner({
      store: ctx.store,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      kinds,
      batchMs: 20,
      schedules: false,
      retryDelayMs: () => 0,
    }).runUntilIdle();
    expect((await getJob(ctx.store.db, job.id))?.state).toBe('succeeded');
    const lines = await selectRows<{ program: string; period: string; kind: string; amount_fen: string }>(
      ctx.store.db,
      sql`select program, period, kind, amount_fen::text from payroll_lines where run_id = ${runId}::uuid
          order by program`,
    );
    expect(lines.map((l) => [l.program, l.period, l.kind, Number(l.amount_fen)])).toEqual([
      ['kunjing_child', '2026-11', 'regular', 180000],
      ['tekun', '2026-11', 'regular', 200000],
    ]);
  }, 120_000);
});
