import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { loadConfig } from '../../config.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { prepareDecision } from '../../entitlements/decision.service.ts';
import {
  APPROVER,
  approverActor,
  CASEWORKER,
  caseworkerActor,
  seedCase,
} from '../../entitlements/entitlements.fixtures.ts';
import { JobKinds, type JobKind } from '../../jobs/job-kind.ts';
import { enqueueJob } from '../../jobs/jobs.service.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { calendarFor } from '../../verification/verification.fixtures.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { caseDeps } from '../case.wiring.ts';
import { openReviewsJob, REVIEWS_KIND, type OpenReviewsPayload } from './reviews.job.ts';

/**
 * The 开启定期复审 job through the runner: batches of one household, the first batch cut off after its writes
 * (rolled back whole and done again), every due household opened exactly once; run again, nothing opened.
 */
describeStores('cases.reviews.open job', (ctx) => {
  let restore: () => void;
  const households: string[] = [];

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    const deps = caseDeps(await calendarFor(ctx.store));
    for (const tag of ['J1', 'J2', 'J3']) {
      const c = await seedCase(ctx.store, tag);
      households.push(c.householdId);
      await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        prepareDecision(tx, CASEWORKER, {
          districtCode: '310110',
          caseId: c.caseId,
          month: '2026-12',
          lines: [
            { program: 'dibao', outcome: 'granted' },
            { program: 'kunjing_child', outcome: 'denied', reasons: ['另案办理'] },
          ],
          payees: [
            {
              beneficiaryId: c.householdId,
              payeePersonId: c.adult.id,
              bankName: '上海银行',
              accountNo: '62170000111122',
            },
          ],
        }),
      );
      await inUnitOfWork(ctx.store, approverActor, (tx) =>
        deps.decisions.grant(tx, APPROVER, { districtCode: '310110', caseId: c.caseId }),
      );
    }
  });
  afterAll(() => restore());

  const reviewCases = async () =>
    selectRows<{ household_id: string; n: number }>(
      ctx.store.db,
      sql`select household_id::text, count(*)::int as n from cases where kind = 'review' group by household_id`,
    );

  it('opens one review per due household, a batch cut off after its writes redone from the cursor', async () => {
    let cut = false;
    const crashing: JobKind<OpenReviewsPayload> = {
      ...openReviewsJob,
      initialLimit: 1,
      maxLimit: 1,
      run: (input, jobCtx) =>
        openReviewsJob.run!(input, {
          ...jobCtx,
          unit: (work) =>
            jobCtx.unit(async (tx) => {
              const outcome = await work(tx);
              if (!cut && outcome.progress > 0) {
                cut = true;
                throw new Error('simulated crash after the batch wrote');
              }
              return outcome;
            }),
        }),
    };
    const kinds = new JobKinds().register(crashing);
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const actor = { userId: 'u-street', divisionCode: '310110012', reason: '开启定期复审' };
    const enqueued = await enqueueJob(ctx.store, kinds, {
      kind: REVIEWS_KIND,
      payload: { districtCode: '310110', month: '2027-06' },
      actor,
      divisionCode: '310110012',
    });
    const runner = new JobRunner({
      store: ctx.store,
      config,
      kinds,
      schedules: false,
      pauseBetweenBatches: false,
      retryDelayMs: () => 0,
      say: () => {},
    });
    // The cut batch hands the job back (queued again, no delay): run until nothing is due.
    for (let i = 0; i < 3; i += 1) await runner.runUntilIdle();
    expect(cut).toBe(true);
    const [job] = await selectRows<{ state: string }>(
      ctx.store.db,
      sql`select state from jobs where id = ${enqueued.job.id}::uuid`,
    );
    expect(job?.state).toBe('succeeded');
    const opened = await reviewCases();
    expect(opened.map((r) => r.household_id).sort()).toEqual([...households].sort());
    expect(opened.every((r) => r.n === 1)).toBe(true);
    const batches = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'cases.reviews_opened'`,
    );
    expect(batches[0]!.n).toBe(3);

    // Run again (a second job of the same month): nothing is due without an open review any more.
    const again = await enqueueJob(ctx.store, new JobKinds().register(openReviewsJob), {
      kind: REVIEWS_KIND,
      payload: { districtCode: '310110', month: '2027-06' },
      actor,
      divisionCode: '310110012',
    });
    await new JobRunner({
      store: ctx.store,
      config,
      kinds: new JobKinds().register(openReviewsJob),
      schedules: false,
      pauseBetweenBatches: false,
      say: () => {},
    }).runUntilIdle();
    const [second] = await selectRows<{ state: string; done: number }>(
      ctx.store.db,
      sql`select state, done::int as done from jobs where id = ${again.job.id}::uuid`,
    );
    expect(second).toEqual({ state: 'succeeded', done: 0 });
    expect((await reviewCases()).every((r) => r.n === 1)).toBe(true);
  });
});
