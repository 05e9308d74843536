/**
 * Case list benchmark: `npx tsx bench/cases.bench.ts [--cases 200000] [--persons 100000] [--rounds 5]`.
 *
 * Loads the synthetic Yangpu population (src/demo, COPY) into a fresh schema of the PostgreSQL server
 * (BENCH_DATABASE_URL or TEST_DATABASE_URL), adds N cases by COPY — households drawn from the population,
 * states, programs and due days spread as a busy district's queue would have them (a third closed) — and
 * vacuums, then starts the API server in a child process and asks `GET /api/cases` one request at a time
 * with the console's filters (none, a state, a program, overdue, a street, a committee, the rare program
 * 特困 alone and with a state, a later page), as a street caseworker and as a district approver, each query
 * --rounds times. Prints p50/p95/p99 against the target (p95 ≤ 100 ms for 200,000 cases). Asserts nothing
 * on time.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { createUser } from '../src/auth/user.service.ts';
import { openPostgres, type Store } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { seedDivisions } from '../src/registry/registry.service.ts';
import {
  BENCH_PASSWORD,
  login,
  ms,
  run,
  startServer,
  type AutocannonRequest,
  type Run,
} from './support/http-bench.ts';

const DISTRICT = '310110';
const TARGET_MS = 100;
const PROGRAMS = [['dibao'], ['dibao', 'temporary'], ['rigid_expense'], ['temporary'], ['dibao_edge']];
/** 特困 is the rare program (about 2% of applications): its filter is the GIN index's case (0021). */
const TEKUN_SHARE = 0.02;
const OPEN_STATES = [
  'draft',
  'accepted',
  'verifying',
  'visit',
  'evaluation',
  'review',
  'publicity',
  'deciding',
];

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} 应为正整数`);
  return value;
}

/** A deterministic stream of numbers in [0, 1) (the figures repeat run after run). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const isoDay = (base: Date, days: number) =>
  new Date(base.getTime() + days * 86_400_000).toISOString().slice(0, 10);

interface Applicant {
  household_id: string;
  committee_code: string;
  person_id: string;
}

/** The cases as CSV lines of the columns `CASE_COLUMNS` names. */
function* caseLines(applicants: readonly Applicant[], n: number): Generator<string> {
  const next = random(20261201);
  const today = new Date();
  const year = today.getUTCFullYear();
  for (let i = 0; i < n; i += 1) {
    const a = applicants[Math.floor(next() * applicants.length)] as Applicant;
    const closed = next() < 0.35;
    const state = closed
      ? (['approved', 'denied', 'withdrawn', 'not_accepted'][Math.floor(next() * 4)] as string)
      : (OPEN_STATES[Math.floor(next() * OPEN_STATES.length)] as string);
    const applied = isoDay(today, -Math.floor(next() * 720));
    const due = closed ? '' : isoDay(today, Math.floor(next() * 40) - 10);
    const programs =
      next() < TEKUN_SHARE ? ['tekun'] : (PROGRAMS[Math.floor(next() * PROGRAMS.length)] as string[]);
    const at = `${applied}T01:00:00Z`;
    yield [
      DISTRICT,
      randomUUID(),
      `SA${DISTRICT}-${year}-${String(i + 1).padStart(6, '0')}`,
      a.household_id,
      a.committee_code,
      `"{${programs.join(',')}}"`,
      next() < 0.2 ? 'online' : 'counter',
      a.person_id,
      '13800000000',
      '"{verify,visit,evaluation,review,publicity,decide}"',
      state,
      applied,
      due,
      at,
      at,
      at,
    ].join(',');
  }
}

const CASE_COLUMNS = [
  'district_code',
  'id',
  'case_no',
  'household_id',
  'committee_code',
  'programs',
  'channel',
  'applicant_person_id',
  'contact_phone',
  'required_steps',
  'state',
  'applied_on',
  'due_on',
  'received_at',
  'created_at',
  'updated_at',
];

async function loadCases(store: Store, admin: pg.Client, schema: string, n: number): Promise<void> {
  const { rows } = await admin.query<Applicant>(
    `SELECT h.id AS household_id, h.committee_code, m.person_id
       FROM ${schema}.households h
       JOIN ${schema}.household_members m ON m.district_code = h.district_code AND m.household_id = h.id
        AND m.valid_to IS NULL AND m.relation_code = '02'
      WHERE h.district_code = $1`,
    [DISTRICT],
  );
  const lines = caseLines(rows, n);
  function* chunks(): Generator<string> {
    let batch: string[] = [];
    for (const line of lines) {
      batch.push(line);
      if (batch.length === 5000) {
        yield `${batch.join('\n')}\n`;
        batch = [];
      }
    }
    if (batch.length > 0) yield `${batch.join('\n')}\n`;
  }
  await store.copyFrom('cases', CASE_COLUMNS, chunks());
  await admin.query(`VACUUM (ANALYZE) ${schema}.cases`);
}

async function main(): Promise<void> {
  const caseCount = arg('cases', 200_000);
  const persons = arg('persons', 100_000);
  const rounds = arg('rounds', 5);
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('需要 BENCH_DATABASE_URL 或 TEST_DATABASE_URL（PostgreSQL）');
  const schema = `bench_cases_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const store = openPostgres(url, { searchPath: schema, max: 4 });
  let server: ChildProcess | undefined;
  try {
    await store.migrate();
    await seedDivisions(store);
    const t0 = performance.now();
    await loadDemoPopulation(store, { district: DISTRICT, persons, seed: 'cases-bench' });
    await loadCases(store, admin, schema, caseCount);
    const loadSeconds = (performance.now() - t0) / 1000;
    const { rows: streets } = await admin.query<{ street: string; committee: string }>(
      `SELECT left(committee_code, 9) AS street, max(committee_code) AS committee FROM ${schema}.cases
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    );
    const street = streets[0]?.street ?? `${DISTRICT}001`;
    const committee = streets[0]?.committee ?? `${street}001`;
    const actor = { userId: null, divisionCode: DISTRICT, requestId: 'bench' };
    for (const [username, role, divisionCode] of [
      ['street', 'street_caseworker', street],
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
    const started = await startServer(url, schema);
    server = started.child;
    const queries = [
      '/api/cases',
      '/api/cases?state=deciding',
      '/api/cases?program=dibao',
      '/api/cases?overdue=true',
      `/api/cases?division=${street}`,
      `/api/cases?division=${committee}`,
      '/api/cases?program=tekun',
      '/api/cases?state=visit&program=tekun',
      '/api/cases?offset=100',
    ];
    const results: Run[] = [];
    const perQuery: string[] = [];
    for (const username of ['street', 'district']) {
      const headers = { cookie: await login(started.address, username) };
      const requests: AutocannonRequest[] = queries.map((path) => ({ method: 'GET', path, headers }));
      await run('warm-up', started.address, 1, { amount: requests.length }, requests);
      const label = username === 'street' ? '案件列表（街道经办人，串行）' : '案件列表（区审批人，串行）';
      results.push(await run(label, started.address, 1, { amount: requests.length * rounds }, requests));
      // Each filter on its own, to see which one holds the tail.
      for (const request of requests) {
        const one = await run(request.path, started.address, 1, { amount: rounds }, [request]);
        perQuery.push(
          `  ${username === 'street' ? '街道' : '区'} ${request.path}  p50 ${ms(one.p50)}  最长 ${ms(one.p99)}`,
        );
      }
    }
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(
      `\n数据：${caseCount.toLocaleString()} 件申请（${DISTRICT}，${persons.toLocaleString()} 人口），装载 ${loadSeconds.toFixed(1)} s`,
    );
    out(
      `查询：${queries.length} 种筛选，每种 ${rounds} 次；街道 ${street}；机器 ${cpus().length} 核，负载 ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}`,
    );
    out('');
    for (const r of results) {
      out(
        `${r.label}  ${r.total} 次  p50 ${ms(r.p50)}  p95 ${ms(r.p95)}  p99 ${ms(r.p99)}  非2xx ${r.non2xx}`,
      );
      out(`  p95 / 目标 ${TARGET_MS} ms：${(r.p95 / TARGET_MS).toFixed(2)}×（≤ 1 为达标）`);
    }
    out('\n每种筛选单独再跑 --rounds 次：');
    for (const line of perQuery) out(line);
  } finally {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await store.close();
    if (!process.argv.includes('--keep')) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

await main();
