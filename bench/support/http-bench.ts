/**
 * What the HTTP benchmarks share: the API server in a child process of its own (so that the load generator
 * does not share its event loop) on a schema of the PostgreSQL server, signing in, and closed-loop runs with
 * autocannon whose every response time is kept (exact percentiles).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.ts';
import { openPostgres } from '../../src/db/store.ts';
import { buildServer } from '../../src/http/server.ts';
import { startJobs } from '../../src/jobs/jobs.process.ts';

export const BENCH_PASSWORD = 'Bench-password-2026';

export interface AutocannonRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
}
export interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
export interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'done', listener: (result: AutocannonResult) => void): void;
}
export type Autocannon = (
  options: {
    url: string;
    connections: number;
    duration?: number;
    amount?: number;
    timeout: number;
    requests: AutocannonRequest[];
  },
  callback?: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

// autocannon ships without type declarations: typed here for the calls this benchmark makes.
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;

// ---- the server process -------------------------------------------------------------------------

/** The settings of a bench child: uploads staged in the bench's own folder when it names one. */
function benchConfig(url: string) {
  const dataDir = process.env.MZ_BENCH_DATA_DIR;
  return loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    MINZHENG_WEB_DIST: '/nonexistent',
    // Schedules a worker would otherwise keep: the monthly re-verification and the audit checkpoint.
    MINZHENG_VERIFICATION_RECHECK_CRON: 'off',
    MINZHENG_AUDIT_CHECKPOINT_MINUTES: '0',
    ...(dataDir ? { MINZHENG_DATA_DIR: dataDir } : {}),
  });
}

async function serveForBenchmark(): Promise<void> {
  const url = process.env.MZ_BENCH_URL ?? '';
  const schema = process.env.MZ_BENCH_SCHEMA ?? '';
  const store = openPostgres(url, { searchPath: schema, max: Number(process.env.MZ_BENCH_POOL ?? 10) });
  const config = benchConfig(url);
  if (process.env.MZ_BENCH_ROLE === 'worker') return workForBenchmark(store, config);
  const app = await buildServer({ config, store, logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`READY ${address}\n`);
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  });
}

/**
 * A job worker as `minzheng worker` runs one beside a server on PostgreSQL (the server runs no jobs there):
 * the verification's gathering from the simulated sources, for the workflow benchmarks.
 */
async function workForBenchmark(store: ReturnType<typeof openPostgres>, config: Config): Promise<void> {
  const jobs = await startJobs(store, config, () => undefined, { runJobs: true });
  process.stdout.write('READY worker\n');
  process.on('SIGTERM', () => {
    void jobs
      .stop()
      .then(() => store.close())
      .then(() => process.exit(0));
  });
}

export interface ChildOptions {
  /** `worker`: a job worker instead of the API server. */
  role?: 'server' | 'worker';
  /** The folder the child stages uploads in (MINZHENG_DATA_DIR). */
  dataDir?: string;
}

export function startServer(
  url: string,
  schema: string,
  options: ChildOptions = {},
): Promise<{ child: ChildProcess; address: string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    MZ_BENCH_URL: url,
    MZ_BENCH_SCHEMA: schema,
    MZ_BENCH_ROLE: options.role ?? 'server',
  };
  if (options.dataDir) env.MZ_BENCH_DATA_DIR = options.dataDir;
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready?.[1]) resolve({ child, address: ready[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

export async function login(address: string, username: string): Promise<string> {
  const response = await fetch(`${address}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  const cookie = /mz_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0];
  if (!response.ok || !cookie) throw new Error(`login ${username}: ${response.status}`);
  return cookie;
}

export async function getJson<T>(address: string, cookie: string, path: string): Promise<T> {
  const response = await fetch(`${address}${path}`, { headers: { cookie } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface Run {
  label: string;
  rps: number;
  total: number;
  non2xx: number;
  p50: number;
  p95: number;
  p99: number;
  /** Connections the open-loop client needed (one per request in flight at the busiest moment). */
  connections?: number;
}

/** `load` is a duration in seconds or a number of requests. */
export function run(
  label: string,
  address: string,
  connections: number,
  load: { duration: number } | { amount: number },
  requests: AutocannonRequest[],
) {
  const latencies: number[] = [];
  return new Promise<Run>((resolve, reject) => {
    const options = { url: address, connections, timeout: 120, requests, ...load };
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      latencies.sort((a, b) => a - b);
      resolve({
        label,
        rps: result.requests.total / result.duration,
        total: result.requests.total,
        non2xx: result.non2xx + result.errors + result.timeouts,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
      });
    });
    instance.on('response', (_client, _status, _bytes, time) => latencies.push(time));
  });
}

// Run as a script (by startServer): the server.
if (process.argv[1] === fileURLToPath(import.meta.url)) await serveForBenchmark();
