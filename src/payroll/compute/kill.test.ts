import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { serverUrl, storeKinds } from '../../../test/support/stores.ts';
import { selectRows } from '../../db/sql.ts';
import { openPglite, openPostgres, type Store } from '../../db/store.ts';
import { JobKinds } from '../../jobs/job-kind.ts';
import { enqueueJob } from '../../jobs/jobs.service.ts';
import { PAYROLL_RUN_KIND, payrollRunJobKind } from '../../jobs/kinds/payroll-run.job.ts';
import {
  FIXTURE_DISTRICT as D,
  fixtureActor,
  loadPopulation,
  seedEntitlements,
  startRun,
} from './compute.fixtures.ts';

const child = fileURLToPath(new URL('./kill-child.fixtures.ts', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs the child; kills it with SIGKILL once it has said `killAfter` batches (never, if undefined). */
function runChild(spec: string, killAfter: number | undefined): Promise<{ done: boolean; killed: boolean }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, MZ_KILL_STORE: spec },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const run = { batches: 0, done: false, killed: false };
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line.startsWith('BATCH')) run.batches += 1;
    if (line.startsWith('DONE')) run.done = true;
    if (killAfter !== undefined && run.batches >= killAfter && !run.killed) {
      run.killed = true;
      proc.kill('SIGKILL');
    }
  });
  return new Promise((resolve, reject) => {
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(run);
      else reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
}

async function target(kind: 'pglite' | 'postgres') {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'mz-payroll-kill-'));
    dirs.push(dir);
    return { spec: `pglite:${dir}`, open: () => openPglite(dir), dispose: () => Promise.resolve() };
  }
  const url = serverUrl() ?? '';
  const schema = `t_pkill_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    spec: `postgres:${url}|${schema}`,
    open: (): Promise<Store> => Promise.resolve(openPostgres(url, { searchPath: schema, max: 2 })),
    dispose: async () => {
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}

/** A deterministic sequence of kill points (batches said before the kill), 1 to 3 each. */
function killPoints(count: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 1 + (x % 3);
  });
}

describe('payroll runs killed with SIGKILL and restarted', () => {
  for (const kind of storeKinds()) {
    it(`lose and double no line and no ledger entry [${kind}]`, { timeout: 600_000 }, async () => {
      const t = await target(kind);
      try {
        let store = await t.open();
        await store.migrate();
        await loadPopulation(store, 500, 'payroll-kill');
        const n = await seedEntitlements(store, { month: '2026-10', fromMonth: '2026-07' });
        const months = ['2026-10', '2026-11'];
        const runs: string[] = [];
        let kills = 0;
        const points = killPoints(20, 7);
        for (const [m, month] of months.entries()) {
          const runId = await startRun(store, month, `${month}-01T01:00:00.000Z`);
          runs.push(runId);
          await enqueueJob(store, new JobKinds().register(payrollRunJobKind()), {
            kind: PAYROLL_RUN_KIND,
            payload: { districtCode: D, runId },
            actor: fixtureActor,
            divisionCode: D,
            idempotencyKey: randomUUID(),
          });
          await store.close();
          // Half the kill points in each run, then a run to the end.
          for (const after of points.slice(m * 10, m * 10 + 10)) {
            const r = await runChild(t.spec, after);
            if (!r.killed) break; // finished before the kill point
            kills += 1;
          }
          expect((await runChild(t.spec, undefined)).done).toBe(true);
          store = await t.open();
        }
        try {
          expect(kills).toBeGreaterThanOrEqual(10);
          for (const runId of runs) {
            const [run] = await selectRows<{ state: string; line_count: number; total_fen: number }>(
              store.db,
              sql`select state, line_count, total_fen::int as total_fen from payroll_runs where id = ${runId}::uuid`,
            );
            expect(run?.state).toBe('prepared');
            const [lines] = await selectRows<{
              n: number;
              keys: number;
              fen: number;
              nos: number;
              max_no: number;
            }>(
              store.db,
              sql`select count(*)::int as n, count(distinct (payable_id, period, kind))::int as keys,
                  coalesce(sum(amount_fen), 0)::int as fen, count(distinct line_no)::int as nos, max(line_no) as max_no
                from payroll_lines where district_code = ${D} and run_id = ${runId}::uuid`,
            );
            // Every entitlement paid once (October: the quarterly ones too; November: monthly ones only).
            expect(lines!.n).toBe(lines!.keys);
            expect(lines!.nos).toBe(lines!.n);
            expect(lines!.max_no).toBe(lines!.n);
            const [ledger] = await selectRows<{ n: number; fen: number }>(
              store.db,
              sql`select count(*)::int as n, coalesce(sum(amount_fen), 0)::int as fen from ledger_entries
                where district_code = ${D} and run_id = ${runId}::uuid`,
            );
            expect(ledger).toEqual({ n: run!.line_count, fen: run!.total_fen });
            expect(run!.total_fen).toBe(lines!.fen);
          }
          const [oct] = await selectRows<{ n: number }>(
            store.db,
            sql`select count(*)::int as n from payroll_lines where run_id = ${runs[0]!}::uuid`,
          );
          expect(oct!.n).toBe(n);
        } finally {
          await store.close();
        }
      } finally {
        await t.dispose();
      }
    });
  }
});
