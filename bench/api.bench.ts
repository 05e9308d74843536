/**
 * API benchmark: `npx tsx bench/api.bench.ts [--persons 1000000] [--rounds 3] [--duration 15] [--open-rate 500] [--keep]
 * [--schema bench_api_xxxx]` (`--keep` leaves the loaded schema; `--schema` measures again on one so kept).
 *
 * Loads the synthetic population (src/demo loader, COPY) into a fresh schema on the PostgreSQL server
 * (BENCH_DATABASE_URL or TEST_DATABASE_URL), starts the API server in a child process (so that the
 * load generator does not share its event loop), and measures with autocannon:
 *   1. household search (varied queries: surname prefix, pinyin initials, household number,
 *      committee) as a street caseworker and as a district-wide user, one request at a time (each query
 *      --rounds times) — p50/p95/p99 (target p95 ≤ 50 ms);
 *   2. mixed reads (person and household search, person and household detail), closed loop: 50
 *      connections each sending its next request when the last is answered — capacity in req/s
 *      (target ≥ 500); its latencies are mostly queueing (50 clients at 600 req/s wait ~80 ms);
 *   3. the same mix open loop: requests arrive at a fixed 500 req/s whatever the server does, latency
 *      counted from when each was due — what a user waits at that load (target p95 ≤ 50 ms).
 * Requests time out after 120 s (so slow queries are measured, not dropped).
 * Latencies are every response's time as autocannon reports it, so the percentiles are exact.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { createUser } from '../src/auth/user.service.ts';
import { openPostgres, type Store } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { seedDivisions } from '../src/registry/registry.service.ts';
import {
  BENCH_PASSWORD,
  getJson,
  login,
  ms,
  percentile,
  run,
  startServer,
  type AutocannonRequest,
  type Run,
} from './support/http-bench.ts';

/** The open-loop arrival rate the p95 target is stated for; `--open-rate` measures at another. */
const TARGET_RATE = 500;
const DISTRICT = '310110';
const STREET = '310110012';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} 应为正数`);
  return value;
}

function textArg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

// ---- the driver ---------------------------------------------------------------------------------

/**
 * Open loop: requests leave at a fixed rate whatever the server does (a new connection when every open
 * one is busy), as arrivals from many independent users do. Each latency runs from the moment the
 * request was due, not from when a connection was free, so a server that falls behind shows it
 * (no coordinated omission). Closed loop (autocannon above) measures capacity; this measures what a
 * user waits at a given load. (autocannon's own rate option sends each connection's quota for a second
 * in a burst at the second's start, which is not a steady arrival.) The client writes prepared request
 * bytes on raw keep-alive sockets and reads only the status line and the length, so that it costs the
 * two cores it shares with the server and the database as little as autocannon does.
 */
async function openLoop(
  label: string,
  address: string,
  rate: number,
  seconds: number,
  requests: AutocannonRequest[],
): Promise<Run> {
  const target = new URL(address);
  const wire = requests.map((request) => {
    const headers = Object.entries(request.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    return Buffer.from(
      `${request.method} ${request.path} HTTP/1.1\r\nhost: ${target.host}\r\n${headers}\r\n`,
    );
  });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const idle: RawConnection[] = [];
  const all: RawConnection[] = [];
  let failed = 0;
  let sent = 0;
  let answered = 0;
  const start = performance.now();
  const finished = new Promise<void>((resolve) => {
    const done = (connection: RawConnection, due: number, status: number) => {
      latencies.push(performance.now() - due);
      if (status !== 200) failed += 1;
      answered += 1;
      if (!connection.closed) idle.push(connection);
      if (answered === total) resolve();
    };
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) {
        const due = start + (sent * 1000) / rate;
        const connection = idle.pop() ?? newConnection(target, all, done);
        connection.send(wire[sent % wire.length] as Buffer, due);
        sent += 1;
      }
      if (sent >= total) clearInterval(timer);
    }, 1);
  });
  await finished;
  const elapsed = (performance.now() - start) / 1000;
  for (const connection of all) connection.socket.destroy();
  latencies.sort((a, b) => a - b);
  return {
    label,
    rps: latencies.length / elapsed,
    total: latencies.length,
    non2xx: failed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    connections: all.length,
  };
}

interface RawConnection {
  socket: net.Socket;
  closed: boolean;
  send(bytes: Buffer, due: number): void;
}

/** One keep-alive connection that reads a response's status and `content-length` and nothing more. */
function newConnection(
  target: URL,
  all: RawConnection[],
  done: (connection: RawConnection, due: number, status: number) => void,
): RawConnection {
  const socket = net.connect(Number(target.port), target.hostname);
  socket.setNoDelay(true);
  let received: Buffer = Buffer.alloc(0);
  let due: number | undefined;
  const connection: RawConnection = {
    socket,
    closed: false,
    send(bytes, at) {
      due = at;
      socket.write(bytes);
    },
  };
  const answer = (status: number) => {
    const at = due;
    due = undefined;
    if (at !== undefined) done(connection, at, status);
  };
  socket.on('data', (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const headerEnd = received.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = received.toString('latin1', 0, headerEnd);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
    if (!Number.isFinite(length)) throw new Error(`响应没有 content-length：${head.split('\r\n')[0]}`);
    if (received.length < headerEnd + 4 + length) return;
    received = Buffer.alloc(0);
    answer(Number(head.slice(9, 12)));
  });
  // A connection that fails answers its request in flight as failed (status 0) and is not reused.
  socket.on('error', () => undefined);
  socket.on('close', () => {
    connection.closed = true;
    answer(0);
  });
  all.push(connection);
  return connection;
}

async function loadPopulation(store: Store, admin: pg.Client, schema: string, persons: number) {
  await store.migrate();
  await seedDivisions(store);
  const summary = await loadDemoPopulation(store, { district: DISTRICT, persons, seed: 'api-bench' });
  // What the server's autovacuum does within a minute of the load (index-only scans need it).
  await admin.query(`VACUUM (ANALYZE) ${schema}.persons, ${schema}.households, ${schema}.household_members`);
  const actor = { userId: null, divisionCode: DISTRICT, requestId: 'bench' };
  for (const [username, role, divisionCode] of [
    ['street', 'street_caseworker', STREET],
    ['district', 'district_approver', DISTRICT],
  ] as const) {
    await createUser(
      store,
      actor,
      { username, displayName: username, role, divisionCode, password: BENCH_PASSWORD },
      'bench',
      { mustChangePassword: false },
    );
  }
  return summary;
}

async function countLoaded(admin: pg.Client, schema: string) {
  const { rows } = await admin.query<{ persons: string; households: string }>(
    `SELECT (SELECT count(*) FROM ${schema}.persons) AS persons, (SELECT count(*) FROM ${schema}.households) AS households`,
  );
  return { persons: Number(rows[0]?.persons), households: Number(rows[0]?.households) };
}

interface Page {
  items: { id: string; householdNo?: string; name?: string; committeeCode?: string; headName?: string }[];
  total: number;
}

async function main(): Promise<void> {
  const persons = arg('persons', 1_000_000);
  const duration = arg('duration', 15);
  // Each search query runs this many times, one request at a time: the latency a user sees.
  const searchRounds = arg('rounds', 3);
  const openRate = arg('open-rate', TARGET_RATE);
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('需要 BENCH_DATABASE_URL 或 TEST_DATABASE_URL（PostgreSQL）');
  const reused = textArg('schema');
  if (reused !== undefined && !/^bench_api_[0-9a-f]{8}$/.test(reused))
    throw new Error('--schema 应为 bench_api_xxxxxxxx');
  const schema = reused ?? `bench_api_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  if (!reused) await admin.query(`CREATE SCHEMA ${schema}`);
  const store = openPostgres(url, { searchPath: schema, max: 4 });
  let server: ChildProcess | undefined;
  try {
    const loadStart = performance.now();
    const summary = reused
      ? await countLoaded(admin, schema)
      : await loadPopulation(store, admin, schema, persons);
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const started = await startServer(url, schema);
    server = started.child;
    const { address } = started;
    const street = await login(address, 'street');
    const district = await login(address, 'district');

    const households = await getJson<Page>(address, street, '/api/households?limit=200');
    const people = await getJson<Page>(address, street, '/api/persons?limit=200');
    const surnames = ['张', '王', '李', '陈', '刘', '杨', '黄', '周', '吴', '徐'];
    const searches = (cookie: string): AutocannonRequest[] => {
      const headers = { cookie };
      const list: AutocannonRequest[] = [];
      surnames.forEach((surname, i) => {
        const h = households.items[i * 7];
        list.push({ method: 'GET', path: `/api/households?q=${encodeURIComponent(surname)}`, headers });
        list.push({
          method: 'GET',
          path: `/api/households?q=${['zj', 'wl', 'lm', 'cx', 'ly'][i % 5]}`,
          headers,
        });
        if (h?.householdNo) list.push({ method: 'GET', path: `/api/households?q=${h.householdNo}`, headers });
        if (h?.committeeCode) {
          list.push({
            method: 'GET',
            path: `/api/households?division=${h.committeeCode}&offset=20`,
            headers,
          });
        }
      });
      return list;
    };
    const mixed: AutocannonRequest[] = [];
    const headers = { cookie: street };
    for (let i = 0; i < 20; i += 1) {
      const h = households.items[(i * 13) % households.items.length];
      const p = people.items[(i * 17) % people.items.length];
      const surname = surnames[i % surnames.length] ?? '张';
      mixed.push({ method: 'GET', path: `/api/households?q=${encodeURIComponent(surname)}`, headers });
      mixed.push({ method: 'GET', path: `/api/persons?q=${encodeURIComponent(surname)}`, headers });
      if (h) mixed.push({ method: 'GET', path: `/api/households/${h.id}`, headers });
      if (p) mixed.push({ method: 'GET', path: `/api/persons/${p.id}`, headers });
    }

    await run('warm-up', address, 4, { amount: 40 }, mixed);
    const streetSearches = searches(street);
    const districtSearches = searches(district);
    const results = [
      await run(
        '户查询（街道用户，串行）',
        address,
        1,
        { amount: streetSearches.length * searchRounds },
        streetSearches,
      ),
      await run(
        '户查询（全区用户，串行）',
        address,
        1,
        { amount: districtSearches.length * searchRounds },
        districtSearches,
      ),
      await run('混合读取（闭环，50 连接）', address, 50, { duration }, mixed),
      await openLoop(`混合读取（开环，${openRate} req/s）`, address, openRate, duration, mixed),
    ];

    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(
      `\n数据：${summary.persons.toLocaleString()} 人 / ${summary.households.toLocaleString()} 户（${DISTRICT}），`,
    );
    out(
      `装载 ${loadSeconds.toFixed(1)} s（含 VACUUM ANALYZE）；PostgreSQL schema ${schema}；户查询每条 ${searchRounds} 次串行，混合读取 ${duration} s`,
    );
    out(
      `机器：${cpus().length} 核，开始时负载 ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}`,
    );
    out('');
    out(
      `${'场景'.padEnd(24)}${'req/s'.padStart(10)}${'请求数'.padStart(10)}${'p50'.padStart(11)}${'p95'.padStart(11)}${'p99'.padStart(11)}${'非2xx'.padStart(8)}`,
    );
    for (const r of results) {
      out(
        `${r.label.padEnd(22)}${r.rps.toFixed(0).padStart(10)}${String(r.total).padStart(10)}${ms(r.p50).padStart(11)}${ms(r.p95).padStart(11)}${ms(r.p99).padStart(11)}${String(r.non2xx).padStart(8)}`,
      );
    }
    const [streetSearch, districtSearch, mixedRun, openRun] = results as [Run, Run, Run, Run];
    out('');
    out(
      `户查询 p95 / 目标 50 ms：街道 ${(streetSearch.p95 / 50).toFixed(2)}×，全区 ${(districtSearch.p95 / 50).toFixed(2)}×（≤ 1 为达标）`,
    );
    out(`混合读取吞吐（闭环）/ 目标 500 req/s：${(mixedRun.rps / 500).toFixed(2)}×（≥ 1 为达标）`);
    out(`开环客户端用到 ${openRun.connections} 个连接（同一时刻在途的最多请求数）`);
    out(
      `开环 ${openRate} req/s 的 p95 / 目标 50 ms：${(openRun.p95 / 50).toFixed(2)}×（≤ 1 为达标${openRate === TARGET_RATE ? '' : `；目标按 ${TARGET_RATE} req/s 计`}）`,
    );
  } finally {
    if (server && server.exitCode === null) {
      // The schema is dropped below: the server's connections must be gone first.
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await store.close();
    if (!process.argv.includes('--keep') && !reused) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

await main();
