import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLine, check, seedHousehold, seedRun } from '../controls/controls.fixtures.ts';
import { openPglite, type Store } from '../db/store.ts';

/**
 * `minzheng findings list` as an operator runs it: bin/minzheng in a child process on a PGlite data folder
 * holding one run whose payee died before the month.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-findings-cli-'));
let runId = '';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'findings', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  const store: Store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    const run = await seedRun(store, { month: '2026-12' });
    runId = run.runId;
    const dead = await seedHousehold(store, [{ name: '钱已故', deathDate: '2026-09-01' }]);
    await addLine(store, run, { householdId: dead.householdId, payeePersonId: dead.persons[0]!.id });
    await check(store, run);
  } finally {
    await store.close();
  }
}, 240_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('findings command', () => {
  it('lists a run’s open findings in Chinese, blocking first', () => {
    const r = cli('list', '--run', runId, '--state', 'open');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('规则');
    expect(lines.findIndex((l) => l.includes('收款人已死亡'))).toBeLessThan(
      lines.findIndex((l) => l.includes('无审批依据')),
    );
    expect(r.stdout).toContain('钱已故');
    expect(r.stderr).toContain('共 2 条');
  });

  it('refuses an unknown state or rule with a Chinese message', () => {
    const r = cli('list', '--state', 'closed');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('状态「closed」不存在');
    expect(cli('list', '--rule', 'nope').stderr).toContain('规则「nope」不存在');
  });
});
