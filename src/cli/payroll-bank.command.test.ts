import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Store } from '../db/store.ts';
import { returnFile, seedRun } from '../payroll/bank/bank.fixtures.ts';

/**
 * `minzheng payroll export|reconcile` as an operator runs them: bin/minzheng in a child process on a PGlite
 * data folder holding an approved run.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-bank-cli-'));
let runId = '';

function cli(...args: string[]) {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'payroll', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  const store: Store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    runId = (await seedRun(store, 'CLI')).runId;
  } finally {
    await store.close();
  }
}, 240_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('payroll bank commands', () => {
  it('writes a bank file, refuses a bad return with its rows, and reconciles a good one', () => {
    const out = join(dataDir, 'srcb.txt');
    const exported = cli('export', runId, '--bank', 'srcb', '--out', out, '--layout', 'fixed');
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toContain('2 笔，合计 323.45 元');
    expect(readFileSync(out).length).toBe(4 * 152);

    const bad = join(dataDir, 'bad.csv');
    writeFileSync(bad, returnFile(runId, 'SRCB', ['1,6222000012345678,12345,S,R1,20261221,'], 'T,5,12345'));
    const refused = cli('reconcile', runId, bad);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('第 3 行：文件尾总笔数 5 与明细笔数 1 不符');

    const good = join(dataDir, 'good.csv');
    writeFileSync(good, returnFile(runId, 'SRCB', ['1,6222000012345678,12345,S,R1,20261221,']));
    const done = cli('reconcile', runId, good);
    expect(done.stderr).toBe('');
    expect(done.stdout).toContain('成功 1 笔 123.45 元');
    expect(done.stdout).toContain('（平衡）');
  }, 120_000);
});
