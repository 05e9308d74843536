/**
 * 10,000 applications through the HTTP API (issue 10, "Numbers": opened, verified on the simulated sources
 * and decided in ≤ 5 min on PostgreSQL):
 *   npx tsx bench/applications.bench.ts [--cases 10000] [--concurrency 32] [--persons N] [--schema S --keep]
 *
 * Setup (not timed): the synthetic Yangpu population (src/demo, COPY) in a fresh schema of the PostgreSQL
 * server (BENCH_DATABASE_URL or TEST_DATABASE_URL), a street caseworker for each street and a district
 * approver; then the API server and a job worker (the gathering from the simulated sources) in child
 * processes of their own, as a PostgreSQL deployment runs them. Timed: --concurrency drivers, each taking
 * the next household and carrying its 最低生活保障 application from 窗口登记 to 审批 (or 不予批准 where the
 * policy engine finds it ineligible) through the API only (bench/support/case-driver.ts). Prints the
 * total time, cases/s, p50/p95 of each step and the ratio to the 5-minute target; asserts nothing on
 * time. With --keep the schema stays; a later run with --schema S reuses its population and users and
 * takes households that have no case yet.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createUser } from '../src/auth/user.service.ts';
import { publicityDays } from '../src/cases/cases.parameters.ts';
import { shanghaiToday } from '../src/core/clock.ts';
import { openPostgres } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { seedDivisions } from '../src/registry/registry.service.ts';
import { verificationParameter, VP } from '../src/verification/verification.parameters.ts';
import { ApiUser } from './support/api-client.ts';
import { driveCase, type Application, type DriverContext } from './support/case-driver.ts';
import { BENCH_PASSWORD, ms, percentile, startServer } from './support/http-bench.ts';

const DISTRICT = '310110';
const TARGET_SECONDS = 300;
const TARGET_CASES = 10_000;

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} 应为正整数`);
  return value;
}

function textArg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/**
 * Households without a case yet, each with its head and its adults: the population's 低保 households first
 * (the demo gives them a standing authorisation: re-applying, as a household does at the end of a term),
 * then those with the least registered income per member (who applies is mostly who has little), ties in
 * a fixed pseudo-random order. What the case decides rests on the verification, not on this order.
 */
async function applications(
  admin: pg.Client,
  schema: string,
  n: number,
  today: string,
): Promise<Application[]> {
  const adultAge = verificationParameter(VP.adult_age, today);
  const born = `${Number(today.slice(0, 4)) - adultAge}${today.slice(4)}`;
  const { rows } = await admin.query<{ id: string; committee: string; head: string; adults: string[] }>(
    `SELECT h.id, h.committee_code AS committee, m.person_id AS head,
            array(SELECT a.person_id FROM ${schema}.household_members a
                    JOIN ${schema}.persons p ON p.district_code = a.district_code AND p.id = a.person_id
                   WHERE a.district_code = h.district_code AND a.household_id = h.id AND a.valid_to IS NULL
                     AND p.death_date IS NULL AND p.birth_date <= $2::date) AS adults
       FROM ${schema}.households h
       JOIN ${schema}.household_members m ON m.district_code = h.district_code AND m.household_id = h.id
        AND m.valid_to IS NULL AND m.relation_code = '02'
      WHERE h.district_code = $1
        AND NOT EXISTS (SELECT 1 FROM ${schema}.cases c WHERE c.district_code = h.district_code AND c.household_id = h.id)
      ORDER BY EXISTS (SELECT 1 FROM ${schema}.verification_authorisations v
                        WHERE v.district_code = h.district_code AND v.household_id = h.id AND v.standing) DESC,
               (SELECT avg(p.wage_fen + p.pension_fen + p.other_income_fen) FROM ${schema}.household_members a
                  JOIN ${schema}.persons p ON p.district_code = a.district_code AND p.id = a.person_id
                 WHERE a.district_code = h.district_code AND a.household_id = h.id AND a.valid_to IS NULL),
               md5(h.id::text)`,
    [DISTRICT, born],
  );
  const usable = rows.filter((r) => r.adults.length > 0 && r.adults.includes(r.head));
  if (usable.length < n) {
    throw new Error(`只有 ${usable.length} 户可以申请（需要 ${n} 户）：请加大 --persons 或换一个新 schema`);
  }
  return usable.slice(0, n).map((r) => ({
    districtCode: DISTRICT,
    householdId: r.id,
    committeeCode: r.committee,
    applicantId: r.head,
    adultIds: r.adults,
  }));
}

/** A street caseworker for each street with households, and the district approver (once per schema). */
async function ensureUsers(store: ReturnType<typeof openPostgres>, admin: pg.Client, schema: string) {
  const { rows: streets } = await admin.query<{ street: string }>(
    `SELECT DISTINCT left(committee_code, 9) AS street FROM ${schema}.households WHERE district_code = $1`,
    [DISTRICT],
  );
  const { rows: existing } = await admin.query<{ username: string }>(`SELECT username FROM ${schema}.users`);
  const have = new Set(existing.map((u) => u.username));
  const actor = { userId: null, divisionCode: DISTRICT, requestId: 'bench' };
  const wanted = [
    ...streets.map((s) => [`cw${s.street}`, 'street_caseworker', s.street] as const),
    ['approver', 'district_approver', DISTRICT] as const,
  ];
  for (const [username, role, divisionCode] of wanted) {
    if (have.has(username)) continue;
    await createUser(
      store,
      actor,
      { username, displayName: username, role, divisionCode, password: BENCH_PASSWORD },
      'bench',
      { mustChangePassword: false },
    );
  }
  return streets.map((s) => s.street);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const caseCount = arg('cases', TARGET_CASES);
  const concurrency = arg('concurrency', 32);
  const persons = arg('persons', Math.max(20_000, caseCount * 4));
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('需要 BENCH_DATABASE_URL 或 TEST_DATABASE_URL（PostgreSQL）');
  const reuse = textArg('schema');
  const schema = reuse ?? `bench_apps_${randomBytes(4).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('--schema 应为小写字母、数字与下划线');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const { rowCount } = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  const fresh = rowCount === 0;
  if (fresh) await admin.query(`CREATE SCHEMA ${schema}`);
  const store = openPostgres(url, { searchPath: schema, max: 4 });
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-bench-apps-'));
  const children: ChildProcess[] = [];
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    await store.migrate();
    const t0 = performance.now();
    if (fresh) {
      await seedDivisions(store);
      await loadDemoPopulation(store, { district: DISTRICT, persons, seed: 'applications-bench' });
    }
    await ensureUsers(store, admin, schema);
    const today = shanghaiToday();
    const queue = await applications(admin, schema, caseCount, today);
    const { rows: counted } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${schema}.persons WHERE district_code = $1`,
      [DISTRICT],
    );
    const population = counted[0]?.n ?? 0;
    const loadSeconds = (performance.now() - t0) / 1000;
    const server = await startServer(url, schema, { dataDir });
    children.push(server.child);
    const worker = await startServer(url, schema, { role: 'worker', dataDir });
    children.push(worker.child);
    const approver = await ApiUser.login(server.address, 'approver');
    const caseworkers = new Map<string, ApiUser>();
    for (const street of new Set(queue.map((a) => a.committeeCode.slice(0, 9)))) {
      caseworkers.set(street, await ApiUser.login(server.address, `cw${street}`));
    }
    const context = (a: Application): DriverContext => ({
      caseworker: caseworkers.get(a.committeeCode.slice(0, 9)) as ApiUser,
      approver,
      today,
      publicityDays: (day) => publicityDays(day),
      pollMs: 250,
      // Beyond the gathering sweep's five minutes (MINZHENG_VERIFICATION_GATHER_MINUTES): a request the running
      // job missed is picked up by the sweep (docs/cases.md「性能」).
      reportTimeoutMs: 360_000,
    });

    const perStep = new Map<string, number[]>();
    const perCase: number[] = [];
    const outcomes = { approved: 0, denied: 0, failed: 0 };
    const failures: string[] = [];
    let next = 0;
    let done = 0;
    const started = performance.now();
    const progress = setInterval(() => {
      const s = (performance.now() - started) / 1000;
      process.stderr.write(`  ${done}/${caseCount} 件，${s.toFixed(0)} s，${(done / s).toFixed(1)} 件/s\n`);
    }, 15_000);
    const driver = async () => {
      for (let i = next++; i < queue.length; i = next++) {
        const a = queue[i] as Application;
        const t = performance.now();
        try {
          const result = await driveCase(context(a), a, i + 1);
          perCase.push(performance.now() - t);
          outcomes[result.state] += 1;
          for (const [step, took] of result.steps) {
            const list = perStep.get(step) ?? [];
            list.push(took);
            perStep.set(step, list);
          }
        } catch (error) {
          outcomes.failed += 1;
          if (failures.length < 5) failures.push(error instanceof Error ? error.message : String(error));
        }
        done += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, caseCount) }, driver));
    clearInterval(progress);
    const seconds = (performance.now() - started) / 1000;

    out(
      `\n数据：${DISTRICT}，${population.toLocaleString()} 人口（${fresh ? '新装载' : `沿用 ${schema}`}），准备 ${loadSeconds.toFixed(1)} s；` +
        `机器 ${cpus().length} 核，负载 ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')}`,
    );
    out(
      `${caseCount.toLocaleString()} 件申请，${concurrency} 路并发：用时 ${seconds.toFixed(1)} s，${(caseCount / seconds).toFixed(1)} 件/s；` +
        `批准 ${outcomes.approved}，不予批准 ${outcomes.denied}，失败 ${outcomes.failed}`,
    );
    const projected = (seconds * TARGET_CASES) / caseCount;
    out(
      `目标 ${TARGET_CASES.toLocaleString()} 件 ≤ ${TARGET_SECONDS} s：` +
        (caseCount === TARGET_CASES
          ? `${(seconds / TARGET_SECONDS).toFixed(2)}×（≤ 1 为达标）`
          : `按本次速度折算 ${projected.toFixed(0)} s，${(projected / TARGET_SECONDS).toFixed(2)}×（≤ 1 为达标；以 --cases ${TARGET_CASES} 实测为准）`),
    );
    perCase.sort((a, b) => a - b);
    out(
      `每件全程  p50 ${ms(percentile(perCase, 50))}  p95 ${ms(percentile(perCase, 95))}  最长 ${ms(perCase.at(-1) ?? Number.NaN)}`,
    );
    for (const [step, list] of perStep) {
      list.sort((a, b) => a - b);
      out(
        `  ${step.padEnd(20)} ${String(list.length).padStart(6)} 次  p50 ${ms(percentile(list, 50))}  p95 ${ms(percentile(list, 95))}  最长 ${ms(list.at(-1) ?? Number.NaN)}`,
      );
    }
    for (const f of failures) out(`失败示例：${f}`);
    if (outcomes.failed > 0) process.exitCode = 1;
  } finally {
    for (const child of children.reverse()) await stop(child);
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (!process.argv.includes('--keep') && !reuse) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    else out(`schema ${schema} 已保留（--schema ${schema} 可再次使用）`);
    await admin.end();
  }
}

await main();
