/**
 * The plumbing of the SIGKILL tests (src/jobs/kill.test.ts, src/payroll/compute/kill.test.ts), both sides:
 *
 * - the test's: a database a child process can open by name (`pglite:<dir>` or `postgres:<url>|<schema>`,
 *   disposed afterwards), and `runChild`, which spawns a child, counts the `BATCH` lines it says and kills it
 *   with SIGKILL at a given point;
 * - the child's: `runJobsInChild` opens the named database, works the queued jobs until none is left and says
 *   `DONE`; `sayBatch` is the kill point a job kind calls inside its batch's transaction.
 *
 * No vitest here: the child imports this file too.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { loadConfig } from '../config.ts';
import { openPglite, openPostgres, type Store, type StoreKind } from '../db/store.ts';
import type { JobKinds } from './job-kind.ts';
import { JobRunner } from './runner.ts';

/** The environment variable naming the child's database. */
export const KILL_STORE_ENV = 'MZ_KILL_STORE';

export interface KillTarget {
  /** The database's name for the child (the value of MZ_KILL_STORE). */
  spec: string;
  /** Opens it in the test's process (on PGlite close it before a child starts: one process per directory). */
  open: () => Promise<Store>;
  /** Drops the schema or removes the directory. */
  dispose: () => Promise<void>;
}

async function adminQuery(url: string, query: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** An empty database for the test and its children: a PGlite directory, or a schema of its own on `url`. */
export async function killTarget(
  kind: StoreKind,
  options: { prefix: string; url?: string },
): Promise<KillTarget> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), `mz-${options.prefix}-`));
    return {
      spec: `pglite:${dir}`,
      open: () => openPglite(dir),
      dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const url = options.url;
  if (!url) throw new Error('killTarget: the PostgreSQL server needs a URL (TEST_DATABASE_URL)');
  const schema = `t_${options.prefix.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  await adminQuery(url, `create schema ${schema}`);
  return {
    spec: `postgres:${url}|${schema}`,
    open: () => Promise.resolve(openPostgres(url, { searchPath: schema, max: 2 })),
    dispose: () => adminQuery(url, `drop schema ${schema} cascade`),
  };
}

/** Where to kill: once the child has said `batches` BATCH lines, `delayMs` later (0: at once). */
export interface KillPoint {
  batches: number;
  delayMs?: number;
}

export interface ChildRun {
  /** BATCH lines said before the child ended. */
  batches: number;
  /** It said DONE (its jobs ran out). */
  done: boolean;
  /** It ended by our SIGKILL (false: it finished before the kill point). */
  killed: boolean;
}

/**
 * Runs `child` (a TypeScript file, through tsx) with MZ_KILL_STORE = `spec` and `env`; kills it with SIGKILL
 * at `kill` (never, if undefined). Rejects when the child fails on its own (its stderr in the error).
 */
export function runChild(
  child: string,
  spec: string,
  kill?: KillPoint,
  env: Record<string, string> = {},
): Promise<ChildRun> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, ...env, [KILL_STORE_ENV]: spec },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const run: ChildRun = { batches: 0, done: false, killed: false };
  let armed = false;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line.startsWith('BATCH')) run.batches += 1;
    if (line.startsWith('DONE')) run.done = true;
    if (kill === undefined || armed || run.batches < kill.batches) return;
    armed = true;
    const delay = kill.delayMs ?? 0;
    if (delay <= 0) proc.kill('SIGKILL');
    else setTimeout(() => proc.kill('SIGKILL'), delay);
  });
  return new Promise((resolve, reject) => {
    proc.on('exit', (code, signal) => {
      run.killed = signal === 'SIGKILL';
      if (run.killed || code === 0) resolve(run);
      else reject(new Error(`child exited ${code ?? signal}: ${stderr}`));
    });
  });
}

/** The child's database, by the name the test gave in MZ_KILL_STORE. */
export function openKillStore(spec = process.env[KILL_STORE_ENV] ?? ''): Promise<Store> {
  if (spec.startsWith('pglite:')) return openPglite(spec.slice('pglite:'.length));
  if (!spec.startsWith('postgres:')) throw new Error(`${KILL_STORE_ENV} must name pglite:… or postgres:…`);
  const [url, schema] = spec.slice('postgres:'.length).split('|');
  return Promise.resolve(openPostgres(url ?? '', { searchPath: schema ?? 'public', max: 2 }));
}

/**
 * A job kind's kill point, called inside its batch's transaction after the writes: says `BATCH <n>` and
 * waits a little, so that a kill at once lands before the commit and a later one in or after it.
 */
export async function sayBatch(batch: number): Promise<void> {
  process.stdout.write(`BATCH ${batch}\n`);
  await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * The child's work: the queued jobs of `kinds` on its database until none is left, then `DONE`. `batchMs`:
 * the runner's target batch time (small keeps batches at the kind's initial size, so there are many).
 */
export async function runJobsInChild(kinds: JobKinds, options: { batchMs?: number } = {}): Promise<void> {
  const store = await openKillStore();
  try {
    const runner = new JobRunner({
      store,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      kinds,
      batchMs: options.batchMs ?? 20,
      schedules: false,
      retryDelayMs: () => 0,
    });
    const summary = await runner.runUntilIdle();
    process.stdout.write(`DONE ${JSON.stringify(summary)}\n`);
  } finally {
    await store.close();
  }
}
