import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import type { Store } from '../db/store.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { enqueueGathering, gatherBatch, type GatherEnvironment } from './gather.service.ts';
import { issueReports } from './report/report.service.ts';
import type { RequestView } from './request.service.ts';
import { LOCAL_SOURCE_CODES, type SourceCode } from './sources/catalogue.ts';
import { FileExchangeSource } from './sources/file-exchange.source.ts';
import { groundTruth } from './sources/ground-truth.ts';
import { HttpSource } from './sources/http.source.ts';
import { SimulatedSource } from './sources/simulated.source.ts';
import type { SendOutcome, SourceAdapter, SourceBatch } from './sources/source.ts';
import { authorise, request, seedHousehold } from './verification.fixtures.ts';

const JOB_ACTOR: ActingContext = {
  userId: 'system:job-runner',
  divisionCode: '310110',
  reason: '核对信息获取（测试）',
};

/** A clock the tests move: the units take their time from it, and time-outs and retries compare with it. */
let instant = new Date('2026-12-01T02:00:00Z');
const advance = (ms: number) => void (instant = new Date(instant.getTime() + ms));

async function one<T>(store: Store, query: ReturnType<typeof sql>): Promise<T[]> {
  return selectRows<T>(store.db, query);
}

function simulated(store: Store): Map<SourceCode, SourceAdapter> {
  return new Map(
    LOCAL_SOURCE_CODES.map((s) => [
      s,
      new SimulatedSource(s, store.db, { timeoutMs: 60_000, maxAttempts: 2 }),
    ]),
  );
}

/** An agency that fails every time (a maintenance window). */
function failing(source: SourceCode, maxAttempts: number, sent: SourceBatch[]): SourceAdapter {
  return {
    source,
    timeoutMs: 60_000,
    maxAttempts,
    send: (batch): Promise<SendOutcome> => {
      sent.push(batch);
      return Promise.resolve({
        answered: new Map(),
        failed: new Map(batch.queries.map((q) => [q.requestId, '对方系统维护'])),
        waiting: [],
      });
    },
  };
}

describeStores('gathering verification answers', (ctx) => {
  let restore: () => void;
  let root: string;
  let server: Server;
  let endpoint: string;
  const hanging: ServerResponse[] = [];
  const said: string[] = [];

  const env = (
    adapters: Map<SourceCode, SourceAdapter>,
    extra: Partial<GatherEnvironment> = {},
  ): GatherEnvironment => ({
    adapters,
    retry: { retryMs: 1000, maxRetryMs: 60_000 },
    issueReports,
    unit: (work) => inUnitOfWork(ctx.store, JOB_ACTOR, work),
    say: (line) => said.push(line),
    sleep: (ms) => Promise.resolve(advance(ms)),
    ...extra,
  });
  let batchNo = 0;
  const gather = (e: GatherEnvironment) =>
    gatherBatch({ jobId: 'job-test', batch: ++batchNo, limit: 100, districtCode: '310110' }, e);

  const newRequest = async (tag: string): Promise<RequestView> => {
    const seeded = await seedHousehold(ctx.store, tag);
    await authorise(ctx.store, seeded, { signedOn: '2026-11-20' });
    return request(ctx.store, seeded);
  };
  const states = (id: string) =>
    one<{ source: string; state: string; attempts: number; error: string | null }>(
      ctx.store,
      sql`select source, state, attempts, error from verification_source_queries where request_id = ${id}::uuid order by source`,
    );
  const stateOf = async (id: string, source: string) => (await states(id)).find((q) => q.source === source)!;
  const requestRow = async (id: string) =>
    (
      await one<{ state: string; partial: boolean; version: number }>(
        ctx.store,
        sql`select state, partial, version from verification_requests where id = ${id}::uuid`,
      )
    )[0]!;
  const answers = (id: string, source?: string) =>
    one<{ kind: string; person_id: string; late: boolean }>(
      ctx.store,
      sql`select kind, person_id::text, late from verification_answers where request_id = ${id}::uuid
          and (${source ?? null}::text is null or source = ${source ?? null}) order by kind`,
    );

  beforeAll(async () => {
    restore = setClock({ now: () => instant });
    root = await mkdtemp(join(tmpdir(), 'mz-gather-'));
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => hanging.push(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hang`;
  });
  afterAll(async () => {
    restore();
    hanging.forEach((r) => r.destroy());
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(root, { recursive: true, force: true });
  });

  it('fans a batch of requests out to the simulated sources, records the answers and issues the reports', async () => {
    const [a, b] = [await newRequest('G1'), await newRequest('G2')];
    const outcome = await gather(env(simulated(ctx.store)));
    expect(outcome.finished).toBe(true);
    expect(outcome.result).toMatchObject({
      moved: 2,
      sent: 2 * LOCAL_SOURCE_CODES.length,
      reported: 2,
      duplicates: 0,
    });
    for (const r of [a, b]) {
      expect((await states(r.id)).every((q) => q.state === 'answered' && q.attempts === 1)).toBe(true);
      expect(await requestRow(r.id)).toMatchObject({ state: 'reported', partial: false });
      // Every planted concealment is in the raw answers (a business registration is its own row).
      const truth = await groundTruth(ctx.store.db, [
        {
          districtCode: '310110',
          requestId: r.id,
          householdId: r.householdId,
          asOf: r.asOf,
          personIds: r.members.map((m) => m.personId),
        },
      ]);
      const rows = await answers(r.id);
      for (const item of truth.filter((i) => i.kind === 'business')) {
        expect(rows.some((x) => x.kind === 'business' && x.person_id === item.personId)).toBe(true);
      }
      expect(rows.filter((x) => x.kind === 'hukou')).toHaveLength(3);
    }
    const audit = await one<{ action: string; after: { rows: number; digest: string } }>(
      ctx.store,
      sql`select action, after from audit_log where entity_id like 'job-test#%' order by id`,
    );
    expect(audit.map((x) => x.action)).toEqual(['verification.queried', 'verification.answered']);
    expect(audit[0]!.after.rows).toBe(2 + 2 * LOCAL_SOURCE_CODES.length);
    expect(audit[1]!.after.digest).toMatch(/^[0-9a-f]{64}$/);
    // Nothing left: the next batch does nothing and writes nothing.
    expect((await gather(env(simulated(ctx.store)))).result).toMatchObject({ moved: 0, sent: 0, rows: 0 });
  });

  it('exchanges files: a request file out, answers picked up, unknown requests and persons named, duplicates counted once', async () => {
    const r = await newRequest('F1');
    const adapters = simulated(ctx.store);
    const tax = new FileExchangeSource('tax', join(root, 'tax'), { timeoutMs: 86_400_000, maxAttempts: 1 });
    adapters.set('tax', tax);
    const first = await gather(env(adapters));
    expect(first.finished).toBe(true);
    expect(await stateOf(r.id, 'tax')).toMatchObject({ state: 'sent', attempts: 1 });
    expect(await requestRow(r.id)).toMatchObject({ state: 'gathering' });
    expect(await readdir(tax.folder('outbox'))).toEqual([`job-test_${batchNo}_tax.csv`]);

    const [adult, spouse] = r.members.map((m) => m.personId);
    const unknown = randomUUID();
    const stranger = randomUUID();
    await mkdir(tax.folder('inbox'), { recursive: true });
    const text =
      'request_id,person_id,kind,value,reference\n' +
      `${r.id},${adult},wage,320000,税-1\n${r.id},${spouse},none,,税-2\n${unknown},${adult},wage,1,税-3\n${r.id},${stranger},wage,5,税-4\n`;
    await writeFile(join(tax.folder('inbox'), 'answers-1.csv'), text);
    said.length = 0;
    const second = await gather(env(adapters));
    expect(second.result).toMatchObject({ rows: 1, answered: 1, reported: 1, duplicates: 0 });
    expect(said).toEqual(
      expect.arrayContaining([
        `核对信息获取：税务部门答复了不存在或未向其查询的核对委托 ${unknown}（1 行），未登记`,
        `核对信息获取：税务部门的答复中人员 ${stranger} 不属于委托 ${r.id}，该行未登记`,
      ]),
    );
    expect(await stateOf(r.id, 'tax')).toMatchObject({ state: 'answered' });
    expect(await requestRow(r.id)).toMatchObject({ state: 'reported' });
    expect(await readdir(tax.folder('done'))).toEqual(['answers-1.csv']);
    expect(await readdir(tax.folder('inbox'))).toEqual([]);

    // The process died between the commit and the move: the same file is read again, nothing counts twice.
    await copyFile(join(tax.folder('done'), 'answers-1.csv'), join(tax.folder('inbox'), 'answers-1.csv'));
    const again = await gather(env(adapters));
    expect(again.result).toMatchObject({ rows: 0, late: 0, duplicates: 1, answered: 0 });
    expect(await answers(r.id, 'tax')).toEqual([{ kind: 'wage', person_id: adult, late: false }]);
    expect((await requestRow(r.id)).state).toBe('reported');
  });

  it('refuses a malformed answer file whole: nothing recorded, the file in rejected/', async () => {
    const r = await newRequest('F2');
    const adapters = simulated(ctx.store);
    const tax = new FileExchangeSource('tax', join(root, 'tax2'), { timeoutMs: 86_400_000, maxAttempts: 1 });
    adapters.set('tax', tax);
    await gather(env(adapters));
    const [adult] = r.members.map((m) => m.personId);
    await mkdir(tax.folder('inbox'), { recursive: true });
    await writeFile(
      join(tax.folder('inbox'), 'bad.csv'),
      `request_id,person_id,kind,value,reference\n${r.id},${adult},wage,320000,税-1\n${r.id},${adult},deposits,5,税-2\n`,
    );
    said.length = 0;
    const outcome = await gather(env(adapters));
    expect(outcome.result).toMatchObject({ rows: 0, answered: 0 });
    expect(said).toContain(
      '核对信息获取：文件 bad.csv 第 3 行：类别「deposits」不是税务部门答复的类别（应为 wage、other_income 或 none）',
    );
    expect(await answers(r.id, 'tax')).toEqual([]);
    expect(await stateOf(r.id, 'tax')).toMatchObject({ state: 'sent' });
    expect(await readdir(tax.folder('rejected'))).toEqual(['bad.csv']);
  });

  it('times out a source that hangs: the request is reported as partial with the gap stated; a late answer is kept, not counted', async () => {
    const r = await newRequest('H1');
    const adapters = simulated(ctx.store);
    adapters.set(
      'deposits',
      new HttpSource('deposits', { endpoint, token: 't', timeoutMs: 200, maxAttempts: 1 }),
    );
    const tax = new FileExchangeSource('tax', join(root, 'tax3'), { timeoutMs: 3_600_000, maxAttempts: 1 });
    adapters.set('tax', tax);
    await gather(env(adapters));
    expect(await stateOf(r.id, 'deposits')).toMatchObject({ state: 'sent' });
    advance(3_600_000);
    const outcome = await gather(env(adapters));
    expect(outcome.result).toMatchObject({ timedOut: 2, reported: 1 });
    expect(await stateOf(r.id, 'deposits')).toEqual({
      source: 'deposits',
      state: 'timed_out',
      attempts: 1,
      error: '银行业金融机构在 0.2 秒内未答复（已查询 1 次）',
    });
    expect((await stateOf(r.id, 'tax')).error).toBe('税务部门在 1 小时内未答复（已查询 1 次）');
    const reported = await requestRow(r.id);
    expect(reported).toMatchObject({ state: 'reported', partial: true });

    // The tax office answers after all: kept as late, the query and the request unchanged.
    const [adult] = r.members.map((m) => m.personId);
    await mkdir(tax.folder('inbox'), { recursive: true });
    await writeFile(
      join(tax.folder('inbox'), 'late.json'),
      JSON.stringify([{ request_id: r.id, person_id: adult, kind: 'wage', value: 1, reference: 'x' }]),
    );
    const late = await gather(env(adapters));
    expect(late.result).toMatchObject({ rows: 0, late: 1, answered: 0 });
    expect(await answers(r.id, 'tax')).toEqual([{ kind: 'wage', person_id: adult, late: true }]);
    expect(await stateOf(r.id, 'tax')).toMatchObject({ state: 'timed_out' });
    expect(await requestRow(r.id)).toEqual(reported);
  });

  it('times out a remote region that did not answer its package: the request is reported partial', async () => {
    const r = await newRequest('X1');
    // As an exported package leaves it (exchange.service.ts): the remote query sent, expiring with the package.
    await ctx.store.db.execute(
      sql`insert into verification_source_queries (district_code, request_id, source, state, attempts, sent_at, expires_at)
          values ('310110', ${r.id}::uuid, 'remote', 'sent', 1, ${instant.toISOString()}::timestamptz,
                  ${new Date(instant.getTime() + 3_600_000).toISOString()}::timestamptz)`,
    );
    await gather(env(simulated(ctx.store)));
    expect(await requestRow(r.id)).toMatchObject({ state: 'gathering' });
    advance(3_600_001);
    await gather(env(simulated(ctx.store)));
    expect(await stateOf(r.id, 'remote')).toMatchObject({
      state: 'timed_out',
      error: '异地核对机构在协查包有效期内未答复',
    });
    expect(await requestRow(r.id)).toMatchObject({ state: 'reported', partial: true });
  });

  it('retries a failing source after a backoff, then fails it for good; an undeclared kind is not recorded', async () => {
    const r = await newRequest('R1');
    const sent: SourceBatch[] = [];
    const adapters = simulated(ctx.store);
    adapters.set('business', failing('business', 2, sent));
    const wrong: SourceAdapter = {
      source: 'vehicles',
      timeoutMs: 60_000,
      maxAttempts: 1,
      send: (batch) =>
        Promise.resolve({
          answered: new Map(
            batch.queries.map((q) => [
              q.requestId,
              [
                {
                  requestId: q.requestId,
                  personId: q.persons[0]!.personId,
                  kind: 'homes' as const,
                  quantity: 3,
                  reference: '',
                },
              ],
            ]),
          ),
          failed: new Map(),
          waiting: [],
        }),
    };
    adapters.set('vehicles', wrong);
    said.length = 0;
    const before = instant.getTime();
    const first = await gather(env(adapters));
    expect(first.finished).toBe(false);
    expect(instant.getTime() - before).toBe(1000);
    expect(await stateOf(r.id, 'business')).toEqual({
      source: 'business',
      state: 'pending',
      attempts: 1,
      error: '对方系统维护',
    });
    expect(said).toContain(
      `核对信息获取：公安交通管理部门答复了其不提供的类别「homes」（委托 ${r.id}），该行未登记`,
    );
    expect(await answers(r.id, 'vehicles')).toEqual([]);
    const second = await gather(env(adapters));
    expect(second.finished).toBe(true);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.batchRef).not.toBe(sent[1]!.batchRef);
    expect(await stateOf(r.id, 'business')).toMatchObject({
      state: 'failed',
      attempts: 2,
      error: '对方系统维护',
    });
    expect(await requestRow(r.id)).toMatchObject({ state: 'reported', partial: true });
  });

  it('queues one gathering job per district while one waits to run, as the system actor', async () => {
    const actor: ActingContext = { userId: 'u-street', divisionCode: '310110012', reason: '受理核对委托' };
    expect(await inUnitOfWork(ctx.store, actor, (tx) => enqueueGathering(tx, '310110'))).toBe(true);
    expect(await inUnitOfWork(ctx.store, actor, (tx) => enqueueGathering(tx, '310110'))).toBe(false);
    expect(await inUnitOfWork(ctx.store, actor, (tx) => enqueueGathering(tx, '310104'))).toBe(true);
    const jobs = await one<{ payload: { districtCode: string }; created_by: string | null; state: string }>(
      ctx.store,
      sql`select payload, created_by, state from jobs where kind = 'verification.gather' order by created_at, id`,
    );
    expect(jobs.map((j) => [j.payload.districtCode, j.created_by, j.state])).toEqual([
      ['310110', null, 'queued'],
      ['310104', null, 'queued'],
    ]);
    // A running job may have read its last to-do list already: a request accepted now gets a job of its own.
    await ctx.store.db.execute(
      sql`update jobs set state = 'running' where kind = 'verification.gather' and payload->>'districtCode' = '310110'`,
    );
    expect(await inUnitOfWork(ctx.store, actor, (tx) => enqueueGathering(tx, '310110'))).toBe(true);
    expect(await inUnitOfWork(ctx.store, actor, (tx) => enqueueGathering(tx, '310110'))).toBe(false);
  });
});
