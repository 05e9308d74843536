/**
 * Job runner benchmark: `npx tsx bench/jobs.bench.ts [--items 1000000] [--kills 10] [--persons 1000000]
 * [--rate 50] [--duration 20] [--skip-server] [--skip-embedded]`.
 *
 * 1. PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, a fresh schema): a job of --items items (the
 *    items job of src/jobs/items.fixtures.ts: each batch adds one to `done` of the next items by id, with
 *    its audit record and cursor in the same transaction) run by one `worker`-like child process —
 *    the time from first claim to the end (target ≤ 60 s for 1,000,000). Then the same job again, its
 *    worker killed with SIGKILL --kills times at random points (each after the job has moved on since the
 *    last kill) and restarted: every item's done-count must be exactly 1.
 * 2. The embedded store: --persons persons (the demo loader) in a PGlite data directory, the API server
 *    in a child process running its own job runner, a mixed read load (household and person search and
 *    detail, as a street caseworker) open loop at --rate req/s for --duration s without a job and then
 *    while a job of --items items runs in the server's process — p50/p95/p99 (target p95 ≤ 50 ms).
 * Prints the figures; writes nothing outside its schema and a temporary folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { createItems, doneCounts, itemsKind, ITEMS_KIND } from '../src/jobs/items.fixtures.ts';
import { JobKinds } from '../src/jobs/job-kind.ts';
import { getJob } from '../src/jobs/jobs.repository.ts';
import { enqueueJob } from '../src/jobs/jobs.service.ts';
import { JobRunner } from '../src/jobs/runner.ts';

const TABLE = 'bench_items';
const DISTRICT = '310110';
const STREET = '310110012';
const PASSWORD = 'Bench-password-2026';
const self = fileURLToPath(import.meta.url);
const out = (line: string) => process.stdout.write(`${line}\n`);

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} 应为非负数`);
  return value;
}

const flag = (name: string) => process.argv.includes(`--${name}`);

function textArg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function itemKinds(): JobKinds {
  return new JobKinds().register(itemsKind({ table: TABLE, initialLimit: 1000 }));
}

// ---- child processes ----------------------------------------------------------------------------

/** A worker: runs every due job on the PostgreSQL schema, then says DONE. */
async function workerChild(): Promise<void> {
  const store = openPostgres(process.env.MZ_BENCH_URL ?? '', {
    searchPath: process.env.MZ_BENCH_SCHEMA ?? '',
    max: 2,
  });
  const runner = new JobRunner({
    store,
    config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: process.env.MZ_BENCH_URL }),
    kinds: itemKinds(),
    schedules: false,
  });
  const summary = await runner.runUntilIdle();
  out(`DONE ${JSON.stringify(summary)}`);
  await store.close();
}

/** The API server on the embedded store, with its own job runner (as `serve` runs it). */
async function serverChild(): Promise<void> {
  const dir = process.env.MZ_BENCH_DIR ?? '';
  // The server's modules load only here (the PostgreSQL part needs none of them).
  const { buildServer } = await import('../src/http/server.ts');
  const { registryImportJob } = await import('../src/jobs/kinds/registry-import.job.ts');
  const { auditCheckpointJob } = await import('../src/jobs/kinds/audit-checkpoint.job.ts');
  const store = await openPglite(dir);
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    MINZHENG_DATA_DIR: dir,
    MINZHENG_WEB_DIST: '/nonexistent',
  });
  const app = await buildServer({ config, store, logger: false });
  const kinds = itemKinds().register(registryImportJob).register(auditCheckpointJob);
  const runner = new JobRunner({
    store,
    config,
    kinds,
    schedules: false,
    ...(process.env.MZ_BENCH_BATCH_MS ? { batchMs: Number(process.env.MZ_BENCH_BATCH_MS) } : {}),
    ...(process.env.MZ_BENCH_NO_PAUSE ? { pauseBetweenBatches: false } : {}),
  });
  runner.start();
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  out(`READY ${address}`);
  process.on('SIGTERM', () => {
    void runner
      .stop()
      .then(() => app.close())
      .then(() => store.close())
      .then(() => process.exit(0));
  });
  process.on('message', (message) => {
    if (message !== 'enqueue') return;
    void enqueueJob(store, kinds, {
      kind: ITEMS_KIND,
      payload: { count: Number(process.env.MZ_BENCH_ITEMS) },
      actor: { userId: null, divisionCode: DISTRICT, reason: '基准测试' },
      divisionCode: DISTRICT,
    }).then(({ job }) => out(`JOB ${job.id}`));
  });
}

function spawnChild(role: string, env: Record<string, string>, ipc = false): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, self], {
    env: { ...process.env, MZ_BENCH_ROLE: role, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

// ---- 1. PostgreSQL ------------------------------------------------------------------------------

async function serverPart(items: number, kills: number): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('需要 BENCH_DATABASE_URL 或 TEST_DATABASE_URL（PostgreSQL）');
  const schema = `bench_jobs_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const store = openPostgres(url, { searchPath: schema, max: 2 });
  const env = { MZ_BENCH_URL: url, MZ_BENCH_SCHEMA: schema };
  const enqueue = async () =>
    (
      await enqueueJob(store, itemKinds(), {
        kind: ITEMS_KIND,
        payload: { count: items },
        actor: { userId: null, divisionCode: DISTRICT, reason: '基准测试' },
        divisionCode: DISTRICT,
      })
    ).job;
  try {
    await store.migrate();

    // 1a: one worker, uninterrupted.
    await createItems(store.db, TABLE, items);
    await admin.query(`VACUUM ANALYZE ${schema}.${TABLE}`);
    const first = await enqueue();
    const worker = spawnChild('worker', env);
    lines(worker, () => {});
    await exited(worker);
    const run = await getJob(store.db, first.id);
    const took = new Date(run?.finishedAt ?? 0).getTime() - new Date(run?.startedAt ?? 0).getTime();
    const counts1 = await doneCounts(store.db, TABLE);

    // 1b: killed `kills` times at random points, restarted each time.
    await createItems(store.db, TABLE, items);
    await admin.query(`VACUUM ANALYZE ${schema}.${TABLE}`);
    const second = await enqueue();
    const started = performance.now();
    let killed = 0;
    let lastVersion = 0;
    while (killed < kills) {
      const child = spawnChild('worker', env);
      let done = false;
      lines(child, (line) => (done ||= line.startsWith('DONE')));
      // Wait until the job has moved on since the last kill, then a random moment more (0–1.5 s).
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const job = await getJob(store.db, second.id);
        if ((job?.version ?? 0) > lastVersion || done || child.exitCode !== null) break;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1500));
      if (child.exitCode !== null || done) break; // finished before it could be killed
      child.kill('SIGKILL');
      await exited(child);
      killed += 1;
      lastVersion = (await getJob(store.db, second.id))?.version ?? lastVersion;
      out(
        `  强杀第 ${killed} 次：已完成 ${((await getJob(store.db, second.id))?.done ?? 0).toLocaleString()} 项`,
      );
    }
    const finisher = spawnChild('worker', env);
    lines(finisher, () => {});
    await exited(finisher);
    const wall = performance.now() - started;
    const end = await getJob(store.db, second.id);
    const counts2 = await doneCounts(store.db, TABLE);
    const exact = (c: Record<number, number>) => Object.keys(c).length === 1 && c[1] === items;

    out('');
    out(`PostgreSQL（schema ${schema}），${items.toLocaleString()} 项的任务：`);
    out(
      `  一个执行进程、不中断：${seconds(took)}（${run?.version ?? 0} 个批次，${Math.round(items / (took / 1000)).toLocaleString()} 项/秒）；每项完成次数 ${JSON.stringify(counts1)}；目标 ≤ 60 s：${(took / 60_000).toFixed(2)}×（≤ 1 为达标）`,
    );
    out(
      `  强杀 ${killed} 次并重启：${end?.state}，共 ${seconds(wall)}（含每次启动进程），${end?.version ?? 0} 个批次，认领 ${end?.attempts ?? 0} 次；每项完成次数 ${JSON.stringify(counts2)}：${exact(counts2) ? '每项恰好一次' : '不符！'}`,
    );
  } finally {
    await store.close();
    if (!flag('keep')) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

// ---- 2. the embedded store ------------------------------------------------------------------------

interface Request {
  path: string;
  headers: Record<string, string>;
  /** 户查询, 人查询, 户详情, 人详情: latencies are also given per type. */
  type: string;
}

interface Run {
  label: string;
  total: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  byType: Record<string, { p50: number; p95: number }>;
}

/** Open loop: requests leave at `rate` per second whatever the server does; latency from when each was due. */
async function openLoop(label: string, address: string, rate: number, secs: number, requests: Request[]) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(address);
  const total = Math.round(rate * secs);
  const latencies: number[] = [];
  const typed = new Map<string, number[]>();
  let failed = 0;
  let sent = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const send = (due: number, request: Request) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: request.path, headers: request.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ms = performance.now() - due;
            latencies.push(ms);
            typed.set(request.type, [...(typed.get(request.type) ?? []), ms]);
            if (res.statusCode !== 200) failed += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end();
    });
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) {
        const request = requests[sent % requests.length];
        if (request) inFlight.push(send(start + (sent * 1000) / rate, request));
        sent += 1;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const run: Run = {
    label,
    total: latencies.length,
    failed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    byType: Object.fromEntries(
      [...typed].map(([type, list]) => {
        list.sort((a, b) => a - b);
        return [type, { p50: percentile(list, 50), p95: percentile(list, 95) }];
      }),
    ),
  };
  return run;
}

async function api<T>(address: string, cookie: string, path: string): Promise<T> {
  const response = await fetch(`${address}${path}`, { headers: { cookie } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

async function embeddedPart(persons: number, items: number, rate: number, duration: number): Promise<void> {
  const { createUser } = await import('../src/auth/user.service.ts');
  const { loadDemoPopulation } = await import('../src/demo/demo.service.ts');
  const { seedDivisions } = await import('../src/registry/registry.service.ts');
  // --data-dir keeps the loaded population for the next run (loading a million persons takes minutes).
  const kept = textArg('data-dir');
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'mz-bench-jobs-'));
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, 'bench-loaded.json');
  const pgDir = join(dir, 'pglite');
  let server: ChildProcess | undefined;
  try {
    const loadStart = performance.now();
    const reuse =
      existsSync(marker) &&
      (JSON.parse(readFileSync(marker, 'utf8')) as { persons: number }).persons === persons;
    let store: Store = await openPglite(pgDir);
    await store.migrate();
    if (!reuse) {
      await seedDivisions(store);
      await loadDemoPopulation(store, { district: DISTRICT, persons, seed: 'jobs-bench' });
      await createUser(
        store,
        { userId: null, divisionCode: DISTRICT, requestId: 'bench' },
        {
          username: 'street',
          displayName: 'street',
          role: 'street_caseworker',
          divisionCode: STREET,
          password: PASSWORD,
        },
        'bench',
        { mustChangePassword: false },
      );
      writeFileSync(marker, JSON.stringify({ persons }));
    }
    await store.db.execute(sql`delete from jobs`); // a kept data directory: no job of an earlier run
    await createItems(store.db, TABLE, items);
    await store.db.execute(sql.raw(`VACUUM ANALYZE ${TABLE}`));
    await store.close();
    const loaded = performance.now() - loadStart;

    server = spawnChild(
      'server',
      {
        MZ_BENCH_DIR: pgDir,
        MZ_BENCH_ITEMS: String(items),
        ...(textArg('batch-ms') ? { MZ_BENCH_BATCH_MS: textArg('batch-ms') ?? '' } : {}),
        ...(flag('no-pause') ? { MZ_BENCH_NO_PAUSE: '1' } : {}),
      },
      true,
    );
    const child = server;
    let jobId = '';
    const address = await new Promise<string>((resolve, reject) => {
      lines(child, (line) => {
        const ready = /^READY (\S+)/.exec(line);
        if (ready?.[1]) resolve(ready[1]);
        const job = /^JOB (\S+)/.exec(line);
        if (job?.[1]) jobId = job[1];
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    const login = await fetch(`${address}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'street', password: PASSWORD }),
    });
    const cookie = /mz_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
    type Page = { items: { id: string }[] };
    const households = await api<Page>(address, cookie, '/api/households?limit=100');
    const people = await api<Page>(address, cookie, '/api/persons?limit=100');
    const surnames = ['张', '王', '李', '陈', '刘', '杨', '黄', '周', '吴', '徐'];
    const headers = { cookie };
    const mixed: Request[] = [];
    for (let i = 0; i < 20; i += 1) {
      const surname = encodeURIComponent(surnames[i % surnames.length] ?? '张');
      mixed.push({ path: `/api/households?q=${surname}`, headers, type: '户查询' });
      mixed.push({ path: `/api/persons?q=${surname}`, headers, type: '人查询' });
      const h = households.items[(i * 13) % households.items.length];
      const p = people.items[(i * 17) % people.items.length];
      if (h) mixed.push({ path: `/api/households/${h.id}`, headers, type: '户详情' });
      if (p) mixed.push({ path: `/api/persons/${p.id}`, headers, type: '人详情' });
    }
    await openLoop('warm-up', address, 20, 3, mixed);
    const idle = await openLoop(`混合读取，无任务（开环 ${rate} req/s）`, address, rate, duration, mixed);

    child.send('enqueue');
    while (!jobId) await new Promise((resolve) => setTimeout(resolve, 20));
    // The job's own figures come from the server (the admin-free way: the street user cannot see it).
    const busy = await openLoop(`混合读取，运行任务时（开环 ${rate} req/s）`, address, rate, duration, mixed);
    child.kill('SIGTERM');
    await exited(child);
    server = undefined;
    store = await openPglite(pgDir);
    const job = await getJob(store.db, jobId);
    const counts = await doneCounts(store.db, TABLE);
    await store.close();

    out('');
    out(
      `内置 PGlite：${persons.toLocaleString()} 人（${reuse ? '沿用已装载的数据目录' : `装载 ${seconds(loaded)}`}），服务进程内运行任务；任务 ${items.toLocaleString()} 项，批次目标 ${textArg('batch-ms') ?? 20} ms${flag('no-pause') ? '，批间不暂停' : '，批间暂停'}`,
    );
    out(
      `${'场景'.padEnd(28)}${'请求数'.padStart(8)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'p99'.padStart(10)}${'失败'.padStart(6)}`,
    );
    for (const r of [idle, busy]) {
      out(
        `${r.label.padEnd(26)}${String(r.total).padStart(8)}${r.p50.toFixed(1).padStart(10)}${r.p95.toFixed(1).padStart(10)}${r.p99.toFixed(1).padStart(10)}${String(r.failed).padStart(6)}`,
      );
    }
    for (const r of [idle, busy]) {
      out(
        `  ${r.label}：${Object.entries(r.byType)
          .map(([type, t]) => `${type} p50 ${t.p50.toFixed(1)} / p95 ${t.p95.toFixed(1)} ms`)
          .join('；')}`,
      );
    }
    const batches = job?.version ?? 0;
    const ran =
      job?.finishedAt && job.startedAt
        ? seconds(new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime())
        : '（测量结束时未完成）';
    out(
      `任务：${job?.state}，${(job?.done ?? 0).toLocaleString()} / ${items.toLocaleString()} 项，${batches} 个批次，用时 ${ran}；每项完成次数 ${JSON.stringify(counts)}`,
    );
    out(
      `运行任务时 p95 / 目标 50 ms：${(busy.p95 / 50).toFixed(2)}×（≤ 1 为达标）；无任务时 ${(idle.p95 / 50).toFixed(2)}×`,
    );
  } finally {
    if (server) {
      server.kill('SIGTERM');
      await exited(server);
    }
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const items = arg('items', 1_000_000);
  const kills = arg('kills', 10);
  const persons = arg('persons', 1_000_000);
  const rate = arg('rate', 50);
  const duration = arg('duration', 20);
  out(
    `机器：${cpus().length} 核，开始时负载 ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}`,
  );
  if (!flag('skip-server')) await serverPart(items, kills);
  if (!flag('skip-embedded')) await embeddedPart(persons, items, rate, duration);
}

const role = process.env.MZ_BENCH_ROLE;
if (role === 'worker') await workerChild();
else if (role === 'server') await serverChild();
else await main();
