import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { verifyAuditChain } from '../../audit/verify.service.ts';
import { loadConfig } from '../../config.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { JobKinds } from '../../jobs/job-kind.ts';
import { getJob } from '../../jobs/jobs.repository.ts';
import { enqueueJob } from '../../jobs/jobs.service.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { recheckJobKind, type RecheckKindOptions } from '../../jobs/kinds/verification-recheck.job.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { endAuthorisation } from '../authorisation.service.ts';
import { groundTruth } from '../sources/ground-truth.ts';
import {
  authorise,
  OFFICER,
  seedHousehold,
  streetActor,
  type SeededHousehold,
} from '../verification.fixtures.ts';
import { RECHECK_KIND, type RecheckTotals } from './recheck.service.ts';
import { recipientPage } from './recipients.repository.ts';

const config = loadConfig({ LOG_LEVEL: 'silent' });
const actor: ActingContext = {
  userId: 'u-officer',
  divisionCode: '310110',
  reason: '低保在保对象定期复核（测试）',
};
const DAY = '2026-12-01';

interface RequestRow {
  id: string;
  household_id: string;
  state: string;
  origin: string;
  person_ids: string[] | string;
  as_of: string;
}

const arr = (v: string[] | string) =>
  Array.isArray(v)
    ? v
    : v
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean);

describeStores('periodic re-verification of a program’s recipients', (ctx) => {
  let restore: () => void;
  const recipients: SeededHousehold[] = [];
  let dated: SeededHousehold;
  let ended: SeededHousehold;
  let unsigned: SeededHousehold;

  const kinds = (options: RecheckKindOptions = {}) => new JobKinds().register(recheckJobKind(options));
  const run = (k: JobKinds) =>
    new JobRunner({
      store: ctx.store,
      config,
      kinds: k,
      batchMs: 20,
      retryDelayMs: () => 0,
      schedules: false,
    });
  const requestsOf = (jobId: string) =>
    selectRows<RequestRow>(
      ctx.store.db,
      sql`select id::text, household_id::text, state, origin, person_ids::text[] as person_ids, as_of::text
          from verification_requests where job_id = ${jobId}::uuid order by household_id`,
    );

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    // Few households: the fixtures' ID numbers allow about fifty persons per test file over both stores.
    for (let i = 0; i < 4; i += 1) {
      const h = await seedHousehold(ctx.store, `RC${i}`);
      await authorise(ctx.store, h, { signedOn: '2026-06-01', standing: true });
      recipients.push(h);
    }
    dated = await seedHousehold(ctx.store, 'RCD');
    await authorise(ctx.store, dated, { signedOn: '2026-11-20' });
    ended = await seedHousehold(ctx.store, 'RCE');
    const standing = await authorise(ctx.store, ended, { signedOn: '2026-06-01', standing: true });
    await inUnitOfWork(ctx.store, streetActor, (tx) =>
      endAuthorisation(
        tx,
        OFFICER,
        { districtCode: '310110', id: standing.id, version: standing.version },
        '2026-11-30',
        '低保待遇终止',
      ),
    );
    // Only the first adult signed (the other joined later and has not): not asked about, listed with the name.
    unsigned = await seedHousehold(ctx.store, 'RCU');
    await authorise(ctx.store, unsigned, {
      signedOn: '2026-06-01',
      standing: true,
      personIds: [unsigned.adults[0]!.id],
    });
  });
  afterAll(() => restore());

  it('recipients: standing authorisations not ended; dated and ended ones are not', async () => {
    const page = await recipientPage(ctx.store.db, '310110', 'dibao', DAY, null, 1000);
    const ids = new Set(page.map((p) => p.householdId));
    for (const h of [...recipients, unsigned]) expect(ids.has(h.household.id)).toBe(true);
    expect(ids.has(dated.household.id)).toBe(false);
    expect(ids.has(ended.household.id)).toBe(false);
    // Keyset order: the page after the first household starts after it.
    const sorted = [...ids].sort();
    const next = await recipientPage(ctx.store.db, '310110', 'dibao', DAY, sorted[0]!, 1000);
    expect(next.map((p) => p.householdId)).toEqual(sorted.slice(1));
    // Another program: nobody.
    expect(await recipientPage(ctx.store.db, '310110', 'tekun', DAY, null, 10)).toEqual([]);
  });

  it('re-verifies every covered recipient once, lists the unsigned, and records the changes the truth planted', async () => {
    const k = kinds({ initialLimit: 3 });
    const { job } = await enqueueJob(ctx.store, k, {
      kind: RECHECK_KIND,
      payload: { districtCode: '310110', program: 'dibao' },
      actor,
      divisionCode: '310110',
    });
    expect(job.idempotencyKey).toBe('310110:dibao:2026-12');
    // Queued again while it waits: the same job comes back, nothing new is queued.
    const again = await enqueueJob(ctx.store, k, {
      kind: RECHECK_KIND,
      payload: { districtCode: '310110', program: 'dibao' },
      actor,
      divisionCode: '310110',
    });
    expect(again).toMatchObject({ existing: true, job: { id: job.id } });

    const summary = await run(k).runUntilIdle();
    expect(summary).toMatchObject({ succeeded: 1, failed: 0 });
    const done = await getJob(ctx.store.db, job.id);
    expect(done).toMatchObject({
      state: 'succeeded',
      total: recipients.length + 1,
      done: recipients.length + 1,
    });
    const result = done?.result as unknown as RecheckTotals & { waiting: number };
    expect(result).toMatchObject({ households: 5, requests: 4, reported: 4, unsignedCount: 1, waiting: 0 });
    expect(result.unsigned).toEqual([{ householdNo: 'HD-T-RCU', names: [unsigned.adults[1]!.name] }]);

    const requests = await requestsOf(job.id);
    expect(requests.map((r) => r.household_id).sort()).toEqual(recipients.map((h) => h.household.id).sort());
    for (const r of requests) expect(r).toMatchObject({ state: 'reported', origin: 'recheck', as_of: DAY });

    const changes = await selectRows<{
      request_id: string;
      person_id: string | null;
      kind: string;
      old_value: string | number;
      new_value: string | number;
      source: string;
    }>(
      ctx.store.db,
      sql`select request_id::text, person_id::text, kind, old_value, new_value, source
          from verification_changes where job_id = ${job.id}::uuid`,
    );
    expect(changes.length).toBe(result.changes);
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) {
      expect(Number(c.old_value)).not.toBe(Number(c.new_value));
      expect(c.source).not.toBe('');
    }
    // Every concealment above the tolerance that the simulated sources planted is a change.
    const planted = await groundTruth(
      ctx.store.db,
      requests.map((r) => ({
        districtCode: '310110',
        requestId: r.id,
        householdId: r.household_id,
        asOf: r.as_of,
        personIds: arr(r.person_ids),
      })),
    );
    const key = (requestId: string, personId: string | null, kind: string) =>
      `${requestId}|${personId ?? ''}|${kind}`;
    const found = new Set(changes.map((c) => key(c.request_id, c.person_id, c.kind)));
    const figure: Record<string, string> = { deposits: 'monetary_assets', securities: 'monetary_assets' };
    for (const item of planted.filter((p) => p.aboveTolerance && p.kind !== 'business')) {
      const household = ['deposits', 'securities', 'homes', 'vehicles'].includes(item.kind);
      expect(
        found.has(key(item.requestId, household ? null : item.personId, figure[item.kind] ?? item.kind)),
      ).toBe(true);
    }
    const audit = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'verification.rechecked' and entity_id like ${`${job.id}#%`}`,
    );
    // Two batches of households (3, then 2 and the end of the list); the collecting batch wrote nothing.
    expect(audit[0]?.n).toBe(2);
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);

    // The same program and month once more: the job that did it, not a second re-verification.
    const third = await enqueueJob(ctx.store, k, {
      kind: RECHECK_KIND,
      payload: { districtCode: '310110', program: 'dibao' },
      actor,
      divisionCode: '310110',
    });
    expect(third).toMatchObject({ existing: true, job: { id: job.id } });
  });

  it('a second job of the same program and month (the schedule’s, keyed apart) re-verifies nobody twice', async () => {
    const k = kinds();
    const { job } = await enqueueJob(ctx.store, k, {
      kind: RECHECK_KIND,
      payload: { districtCode: '310110', program: 'dibao' },
      actor,
      divisionCode: '310110',
      idempotencyKey: 'verification.recheck:310110:dibao@2026-12-01T02:00',
    });
    expect(await run(k).runUntilIdle()).toMatchObject({ succeeded: 1, failed: 0 });
    expect(await requestsOf(job.id)).toEqual([]);
  });

  it('a batch cut off after its requests were written is rolled back whole: each household done once', async () => {
    // Next month: this month's recipients were re-verified by the tests above.
    const nextMonth = setClock(fixedClock('2027-01-05T10:00:00+08:00'));
    onTestFinished(nextMonth);
    let calls = 0;
    const k = kinds({
      initialLimit: 2,
      // The second and the fourth batch die after writing their requests (before the sources are asked).
      afterRequests: (batch) => {
        calls += 1;
        if (calls === 2 || calls === 4) throw new Error(`simulated crash in batch ${batch}`);
      },
    });
    const { job } = await enqueueJob(ctx.store, k, {
      kind: RECHECK_KIND,
      payload: { districtCode: '310110', program: 'dibao' },
      actor,
      divisionCode: '310110',
      idempotencyKey: 'cut-off-test',
    });
    const r = run(k);
    for (let i = 0; i < 5; i += 1) await r.runUntilIdle();
    const done = await getJob(ctx.store.db, job.id);
    expect(done).toMatchObject({ state: 'succeeded', done: recipients.length + 1, attempts: 3 });
    const requests = await requestsOf(job.id);
    expect(requests).toHaveLength(recipients.length);
    expect(new Set(requests.map((q) => q.household_id)).size).toBe(recipients.length);
    const dup = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from (select request_id, person_id, kind from verification_changes
          where job_id = ${job.id}::uuid group by 1, 2, 3 having count(*) > 1) d`,
    );
    expect(dup[0]?.n).toBe(0);
    const queries = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from verification_source_queries q join verification_requests r
          on r.district_code = q.district_code and r.id = q.request_id where r.job_id = ${job.id}::uuid`,
    );
    expect(queries[0]?.n).toBe(recipients.length * 9);
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });
});
