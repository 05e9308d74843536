import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Store } from '../db/store.ts';
import { act, CASEWORKER, intake, seedCaseHousehold, testDeps } from '../cases/cases.fixtures.ts';

/**
 * `minzheng cases list|show` as an operator runs them: bin/minzheng in a child process on a PGlite data
 * folder holding two cases of one household, one accepted and one waiting.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-cases-cli-'));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'cases', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

let waiting = '';
let accepted = '';

beforeAll(async () => {
  const store: Store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    const deps = await testDeps(store);
    const seeded = await seedCaseHousehold(store, 'CLI1', '2020-01-01');
    waiting = (await intake(store, deps, seeded)).caseNo;
    const other = await intake(store, deps, seeded, ['temporary']);
    await act(store, deps, CASEWORKER, { id: other.id, action: 'accept', version: 1 });
    accepted = other.caseNo;
  } finally {
    await store.close();
  }
}, 240_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('cases command', () => {
  it('lists the cases by due date, and those of one state when asked', () => {
    const all = cli('list');
    expect(all.status).toBe(0);
    expect(all.stdout).toContain(waiting);
    expect(all.stdout).toContain(accepted);
    expect(all.stderr).toContain('共 2 件');
    const byState = cli('list', '--state', 'accepted');
    expect(byState.stdout).toContain(accepted);
    expect(byState.stdout).not.toContain(waiting);
    const bad = cli('list', '--state', 'nonsense');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('状态「nonsense」不存在');
  }, 120_000);

  it('shows one case by its code with its steps and timeline; an unknown code is one Chinese line', () => {
    const shown = cli('show', accepted);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`申请编号：${accepted}（已受理）`);
    expect(shown.stdout).toContain('办理环节：家庭经济状况核对 → 入户调查 → 审核 → 确认');
    expect(shown.stdout).toContain('受理');
    const unknown = cli('show', 'SA310110-2026-999999');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('救助申请不存在');
  }, 120_000);
});
