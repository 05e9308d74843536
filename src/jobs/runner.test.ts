import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { readHead } from '../audit/audit.repository.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { loadConfig } from '../config.ts';
import { selectRows } from '../db/sql.ts';
import type { ActingContext } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import { createItems, doneCounts, itemsKind, ITEMS_KIND, type ItemsKindOptions } from './items.fixtures.ts';
import { JobKinds } from './job-kind.ts';
import { JobError } from './jobs.errors.ts';
import { claimJob, getJob } from './jobs.repository.ts';
import { cancelJob, enqueueJob, OPERATOR } from './jobs.service.ts';
import { JobRunner, nextLimit } from './runner.ts';

const config = loadConfig({ LOG_LEVEL: 'silent' });
const actor: ActingContext = { userId: 'u-admin', divisionCode: '310110', reason: '测试任务' };

describe('batch sizing', () => {
  it('scales the next batch to the target time, at most doubling or quartering', () => {
    expect(nextLimit(100, 10, 20)).toBe(160); // 100 × 20 × 0.8 / 10
    expect(nextLimit(100, 1, 20)).toBe(200); // would be 1600: doubled at most
    expect(nextLimit(100, 400, 20)).toBe(25); // would be 4: quartered at most
    expect(nextLimit(40, 1000, 20)).toBe(10); // not under ten items: a batch has a fixed cost too
    expect(nextLimit(1, 1000, 20)).toBe(1);
    expect(nextLimit(100, 0, 20)).toBe(200);
  });
});

describeStores('job runner', (ctx) => {
  const table = 'job_items';
  const count = 1000;
  const auditRows = async () => (await readHead(ctx.store.db))?.lastId ?? 0;
  const batchRecords = async (jobId: string) =>
    (
      await selectRows<{ n: number }>(
        ctx.store.db,
        sql`select count(*)::int as n from audit_log where action = 'job.batch' and entity_id like ${`${jobId}#%`}`,
      )
    )[0]?.n ?? 0;
  const runner = (options: ItemsKindOptions & { owner?: string; leaseSeconds?: number } = { table }) =>
    new JobRunner({
      store: ctx.store,
      config,
      kinds: new JobKinds().register(itemsKind(options)),
      batchMs: 20,
      retryDelayMs: () => 0,
      schedules: false,
      ...(options.owner ? { owner: options.owner } : {}),
      ...(options.leaseSeconds ? { leaseSeconds: options.leaseSeconds } : {}),
    });
  const enqueue = (kinds: JobKinds, key?: string) =>
    enqueueJob(ctx.store, kinds, {
      kind: ITEMS_KIND,
      payload: { count },
      actor,
      divisionCode: '310110',
      idempotencyKey: key,
    });

  beforeEach(async () => {
    await createItems(ctx.store.db, table, count);
    await ctx.store.db.execute(sql`delete from jobs`);
  });

  it('does every item once, in batches that each commit their cursor and one audit record', async () => {
    const kinds = new JobKinds().register(itemsKind({ table, initialLimit: 50 }));
    const { job } = await enqueue(kinds);
    const r = runner({ table, initialLimit: 50 });
    const summary = await r.runUntilIdle();
    expect(summary.succeeded).toBe(1);
    expect(await doneCounts(ctx.store.db, table)).toEqual({ 1: count });
    const done = await getJob(ctx.store.db, job.id);
    expect(done).toMatchObject({ state: 'succeeded', done: count, total: count, cursor: count, attempts: 1 });
    expect(done?.version).toBe(summary.batches);
    expect(await batchRecords(job.id)).toBe(summary.batches);
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });

  it('a batch cut off mid-way (an error after its update) is rolled back and done again: each item once', async () => {
    const cut = new Set([3, 7]);
    const options: ItemsKindOptions = {
      table,
      initialLimit: 40,
      afterUpdate: ({ batch }) => {
        if (cut.delete(batch)) throw new Error(`simulated crash in batch ${batch}`);
      },
    };
    const { job } = await enqueue(new JobKinds().register(itemsKind(options)));
    const r = runner(options);
    // Each cut batch hands the job back (queued again, retry delay 0): run until nothing is due.
    for (let i = 0; i < 5; i += 1) await r.runUntilIdle();
    expect(await doneCounts(ctx.store.db, table)).toEqual({ 1: count });
    const done = await getJob(ctx.store.db, job.id);
    expect(done).toMatchObject({ state: 'succeeded', done: count, attempts: 3, error: null });
    expect(await batchRecords(job.id)).toBe(done?.version);
  });

  it('a job whose runner died (lease abandoned) is resumed from its cursor by another: each item once', async () => {
    const kinds = new JobKinds().register(itemsKind({ table }));
    const { job } = await enqueue(kinds);
    // Runner A does some batches, then stops between two (it hands the job back).
    const stopA: { stop?: () => Promise<void> } = {};
    const a = runner({
      table,
      initialLimit: 30,
      afterUpdate: ({ batch }) => {
        if (batch === 4) void stopA.stop?.();
      },
    });
    stopA.stop = () => a.stop();
    await a.runUntilIdle();
    const half = await getJob(ctx.store.db, job.id);
    expect(half?.state).toBe('queued');
    expect(half?.done).toBeGreaterThan(0);
    expect(half?.done).toBeLessThan(count);
    // A process that is gone takes it (its lease names a pid that does not run on this host) and dies.
    const dead = `${hostname()}/99999999/dead`;
    expect((await claimJob(ctx.store.db, dead, 3600, [ITEMS_KIND]))?.id).toBe(job.id);
    // Runner B finds the dead owner's lease, takes the job at once and finishes it from the cursor.
    const b = runner({ table, owner: `${hostname()}/${process.pid}/b` });
    await b.runUntilIdle();
    expect(await doneCounts(ctx.store.db, table)).toEqual({ 1: count });
    expect(await getJob(ctx.store.db, job.id)).toMatchObject({
      state: 'succeeded',
      done: count,
      cursor: count,
    });
  });

  it("a kind's own batch target and largest batch size the runner's batches", async () => {
    // A kind that may run long batches (a target far above the runner's default) grows them past its first
    // size; the same kind with a largest size never gets more than that, whatever its target.
    const sized = (maxLimit?: number) => {
      const base = itemsKind({ table, initialLimit: 50 });
      const limits: number[] = [];
      const kind = {
        ...base,
        batchMs: { pglite: 10_000, postgres: 10_000 },
        ...(maxLimit === undefined ? {} : { maxLimit }),
        step: ((tx, input, jobCtx) => {
          limits.push(input.limit);
          return base.step!(tx, input, jobCtx);
        }) as typeof base.step,
      };
      return { kinds: new JobKinds().register(kind), limits };
    };
    const run = async (kinds: JobKinds) => {
      await enqueue(kinds);
      const r = new JobRunner({ store: ctx.store, config, kinds, retryDelayMs: () => 0, schedules: false });
      expect((await r.runUntilIdle()).succeeded).toBe(1);
    };
    const free = sized();
    await run(free.kinds);
    expect(Math.max(...free.limits)).toBeGreaterThan(50);
    await createItems(ctx.store.db, table, count);
    await ctx.store.db.execute(sql`delete from jobs`);
    const capped = sized(60);
    await run(capped.kinds);
    expect(Math.max(...capped.limits.slice(1))).toBeLessThanOrEqual(60);
    expect(capped.limits.length).toBeGreaterThanOrEqual(Math.ceil((count - 50) / 60) + 1);
    expect(await doneCounts(ctx.store.db, table)).toEqual({ 1: count });
  });

  it('a payload that fails its schema is a Chinese error and writes nothing', async () => {
    const kinds = new JobKinds().register(itemsKind({ table }));
    const before = await auditRows();
    for (const payload of [{ count: 0 }, { count: 'many' }, { count: 5, extra: true }, null]) {
      const error = await enqueueJob(ctx.store, kinds, {
        kind: ITEMS_KIND,
        payload,
        actor,
        divisionCode: '310110',
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JobError);
      expect((error as JobError).code).toBe('invalid_payload');
      expect((error as JobError).message).toMatch(/^测试条目的任务参数不合法：/);
    }
    expect(
      (await enqueueJob(ctx.store, kinds, { kind: 'nope', payload: {}, actor, divisionCode: '310110' }).catch(
        (e: unknown) => e,
      )) as JobError,
    ).toMatchObject({ code: 'unknown_kind', message: '没有这种任务：nope' });
    expect(await auditRows()).toBe(before);
    const [jobsCount] = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from jobs`,
    );
    expect(jobsCount?.n).toBe(0);
  });

  it('the same business work is queued once: the key gives back the job that holds it', async () => {
    const kinds = new JobKinds().register(itemsKind({ table }));
    const first = await enqueue(kinds, 'month:2026-11');
    const again = await enqueue(kinds, 'month:2026-11');
    expect(again).toMatchObject({ existing: true, job: { id: first.job.id } });
    // A cancelled job frees its key: the work may be queued again.
    await cancelJob(ctx.store, kinds, OPERATOR, actor, first.job.id, { config });
    const third = await enqueue(kinds, 'month:2026-11');
    expect(third.existing).toBe(false);
    expect(third.job.id).not.toBe(first.job.id);
  });

  it('cancel: a queued job at once, a running one at its next batch (rolled back), an ended one is a 409', async () => {
    const kinds = new JobKinds().register(itemsKind({ table }));
    const queued = await enqueue(kinds);
    const cancelled = await cancelJob(ctx.store, kinds, OPERATOR, actor, queued.job.id, { config });
    expect(cancelled.state).toBe('cancelled');
    const [audit] = await selectRows<{ action: string; entity_id: string }>(
      ctx.store.db,
      sql`select action, entity_id from audit_log order by id desc limit 1`,
    );
    expect(audit).toEqual({ action: 'job.cancelled', entity_id: queued.job.id });

    const running = await enqueue(kinds);
    const options: ItemsKindOptions = {
      table,
      initialLimit: 25,
      afterUpdate: async ({ batch }) => {
        // Cancelled by someone else while batch 3 is under way (its own transaction continues).
        if (batch === 3) {
          await ctx.store.db.execute(
            sql`update jobs set state = 'cancelling' where id = ${running.job.id} and state = 'running'`,
          );
        }
      },
    };
    if (ctx.kind === 'pglite') {
      // One backend: the cancel cannot run beside the batch; cancel between batches instead.
      options.afterUpdate = undefined;
    }
    const r = runner(options);
    if (ctx.kind === 'pglite') {
      const claimed = await claimJob(ctx.store.db, `${hostname()}/${process.pid}/x`, 60, [ITEMS_KIND]);
      expect(claimed?.id).toBe(running.job.id);
      await cancelJob(ctx.store, kinds, OPERATOR, actor, running.job.id, { config });
      expect((await getJob(ctx.store.db, running.job.id))?.state).toBe('cancelling');
    }
    await r.runUntilIdle();
    const end = await getJob(ctx.store.db, running.job.id);
    expect(end?.state).toBe('cancelled');
    const counts = await doneCounts(ctx.store.db, table);
    // Batches 1–2 kept (as the job's progress says), batch 3 undone; on PGlite cancelled before any batch.
    expect(end?.done).toBe(ctx.kind === 'postgres' ? end?.cursor : 0);
    expect(counts).toEqual(end?.done ? { 0: count - end.done, 1: end.done } : { 0: count });

    const error = await cancelJob(ctx.store, kinds, OPERATOR, actor, running.job.id, { config }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toBe('任务已取消，不能取消');
  });

  it.runIf(ctx.kind === 'postgres')(
    'a stalled runner whose lease was taken over cannot commit its batch (PostgreSQL)',
    async () => {
      const kinds = new JobKinds().register(itemsKind({ table }));
      const { job } = await enqueue(kinds);
      let release: () => void = () => {};
      const stalled = new Promise<void>((resolve) => (release = resolve));
      let reached: () => void = () => {};
      const atStall = new Promise<void>((resolve) => (reached = resolve));
      const a = runner({
        table,
        initialLimit: 100,
        afterUpdate: async ({ batch }) => {
          if (batch === 2) {
            reached();
            await stalled; // batch 2's update is done but not committed: A hangs holding its rows
          }
        },
      });
      const aRun = a.runUntilIdle();
      await atStall;
      // A's lease runs out; B takes the job and goes on from batch 2 (waiting on A's locked rows).
      await ctx.store.db.execute(
        sql`update jobs set lease_expires_at = now() - interval '1 second' where id = ${job.id}`,
      );
      const b = runner({ table, owner: 'elsewhere/1/b' });
      const bRun = b.runUntilIdle();
      await new Promise((resolve) => setTimeout(resolve, 300));
      release(); // A wakes, finds the job no longer its own, rolls batch 2 back; B's update proceeds
      await Promise.all([aRun, bRun]);
      expect(await doneCounts(ctx.store.db, table)).toEqual({ 1: count });
      expect(await getJob(ctx.store.db, job.id)).toMatchObject({ state: 'succeeded', done: count });
      expect(await batchRecords(job.id)).toBe((await getJob(ctx.store.db, job.id))?.version);
    },
  );
});
