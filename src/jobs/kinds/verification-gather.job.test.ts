import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { loadConfig } from '../../config.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { enqueueGathering, gatherBatch, type GatherEnvironment } from '../../verification/gather.service.ts';
import { issueReports } from '../../verification/report/report.service.ts';
import { buildAdapters, loadSourceSettings } from '../../verification/sources/adapters.ts';
import { authorise, request, seedHousehold, streetActor } from '../../verification/verification.fixtures.ts';
import { findSchedule } from '../jobs.repository.ts';
import { JobRunner } from '../runner.ts';
import { builtinJobKinds } from './index.ts';
import { syncGatherSchedule } from './verification-gather.job.ts';

describeStores('verification.gather job', (ctx) => {
  let restore: () => void;
  beforeAll(() => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
  });
  afterAll(() => restore());

  it('runs as the system actor from a request to its report, with the default simulated sources', async () => {
    const seeded = await seedHousehold(ctx.store, 'J1');
    await authorise(ctx.store, seeded, { signedOn: '2026-11-20' });
    const r = await request(ctx.store, seeded);
    expect(await inUnitOfWork(ctx.store, streetActor, (tx) => enqueueGathering(tx, '310110'))).toBe(true);
    const kinds = builtinJobKinds();
    const runner = new JobRunner({
      store: ctx.store,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      kinds,
      schedules: false,
      pauseBetweenBatches: false,
      say: () => {},
    });
    const summary = await runner.runUntilIdle();
    expect(summary.succeeded).toBe(1);
    const [row] = await selectRows<{ state: string }>(
      ctx.store.db,
      sql`select state from verification_requests where id = ${r.id}::uuid`,
    );
    expect(row?.state).toBe('reported');
    const actors = await selectRows<{ actor_id: string; action: string }>(
      ctx.store.db,
      sql`select actor_id, action from audit_log where action like 'verification.%ed' and action <> 'verification.authorised' order by id`,
    );
    expect(actors.map((a) => a.action)).toEqual([
      'verification.queried',
      'verification.answered',
      'verification.reported',
    ]);
    expect(new Set(actors.map((a) => a.actor_id))).toEqual(new Set(['system:job-runner']));
  });

  it('works a backlog larger than a batch in batches, earliest deadline first, until nothing is left', async () => {
    const made = [];
    for (const tag of ['J2', 'J3', 'J4']) {
      const seeded = await seedHousehold(ctx.store, tag);
      await authorise(ctx.store, seeded, { signedOn: '2026-11-20' });
      made.push(await request(ctx.store, seeded));
    }
    const settings = loadSourceSettings(undefined, '/tmp', {});
    const env: GatherEnvironment = {
      adapters: buildAdapters(settings, ctx.store.db),
      retry: { retryMs: 1000, maxRetryMs: 1000 },
      issueReports,
      unit: (work) => inUnitOfWork(ctx.store, streetActor, work),
      say: () => {},
    };
    const first = await gatherBatch(
      { jobId: 'job-backlog', batch: 1, limit: 2, districtCode: '310110' },
      env,
    );
    expect(first).toMatchObject({ finished: false, result: { moved: 2, reported: 2 } });
    const second = await gatherBatch(
      { jobId: 'job-backlog', batch: 2, limit: 2, districtCode: '310110' },
      env,
    );
    expect(second).toMatchObject({ finished: true, result: { moved: 1, reported: 1 } });
    const states = await selectRows<{ state: string }>(
      ctx.store.db,
      sql`select state from verification_requests where id = any(${`{${made.map((r) => r.id).join(',')}}`}::uuid[])`,
    );
    expect(states.map((r) => r.state)).toEqual(['reported', 'reported', 'reported']);
  });

  it('keeps a city-wide sweep every few minutes, as the setting says', async () => {
    const kinds = builtinJobKinds();
    expect(
      await syncGatherSchedule(ctx.store, kinds, { MINZHENG_VERIFICATION_GATHER_MINUTES: 5 }),
    ).toBeUndefined();
    expect(await findSchedule(ctx.store.db, 'verification.gather')).toMatchObject({
      kind: 'verification.gather',
      cron: '*/5 * * * *',
      payload: { districtCode: '310000' },
      enabled: true,
    });
    await syncGatherSchedule(ctx.store, kinds, { MINZHENG_VERIFICATION_GATHER_MINUTES: 0 });
    expect((await findSchedule(ctx.store.db, 'verification.gather'))?.enabled).toBe(false);
  });
});

describe('verification source settings', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mz-sources-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('makes every source simulated without a settings file', () => {
    const settings = loadSourceSettings(undefined, dir, {});
    expect(Object.values(settings.sources).map((s) => s.kind)).toEqual(Array(9).fill('simulated'));
    expect(settings.sources.tax).toEqual({ kind: 'simulated', timeoutMs: 60_000, maxAttempts: 3 });
    expect(settings.exchangeRoot).toBe(join(dir, 'verification-exchange'));
  });

  it('reads file and HTTP sources from YAML, the token from the variable it names', async () => {
    const path = join(dir, 'sources.yaml');
    await writeFile(
      path,
      'exchangeRoot: exchange\nsources:\n  tax: { kind: file }\n  deposits: { kind: http, endpoint: "https://bank.example/verify", tokenEnv: MZ_BANK_TOKEN, timeoutMs: 20000, maxAttempts: 5 }\n',
    );
    const settings = loadSourceSettings(path, '/unused', { MZ_BANK_TOKEN: 'secret' });
    expect(settings.sources.tax).toEqual({ kind: 'file', timeoutMs: 172_800_000, maxAttempts: 3 });
    expect(settings.sources.deposits).toMatchObject({ kind: 'http', timeoutMs: 20_000, maxAttempts: 5 });
    expect(settings.tokens.deposits).toBe('secret');
    expect(settings.exchangeRoot).toBe(join(dir, 'exchange'));
  });

  it('refuses a bad settings file in Chinese, every problem at once', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(
      path,
      JSON.stringify({
        sources: {
          tax: { kind: 'http', endpoint: 'https://tax.example', tokenEnv: 'MZ_TAX' },
          banks: { kind: 'simulated' },
        },
      }),
    );
    expect(() => loadSourceSettings(path, dir, {})).toThrow(
      '核对数据源设置有误：没有本地数据源「banks」；数据源 tax 的令牌环境变量 MZ_TAX 未设置',
    );
    await writeFile(path, JSON.stringify({ sources: { tax: { kind: 'http', endpoint: 'ftp://x' } } }));
    expect(() => loadSourceSettings(path, dir, {})).toThrow('接口地址须以 http:// 或 https:// 开头');
  });
});
