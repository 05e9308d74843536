import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Store } from '../db/store.ts';
import { addUser } from '../http/test-helpers.ts';

/**
 * `minzheng parameters propose|approve|history` as an operator runs them: bin/minzheng in a child process on
 * a PGlite data folder with two city policy officers and one district officer.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-parameters-cli-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'parameters', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  const store: Store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    await addUser(store, 'citypolicy', 'policy_officer', '310000');
    await addUser(store, 'citypolicy2', 'policy_officer', '310000');
    await addUser(store, 'policy', 'policy_officer', '310110');
  } finally {
    await store.close();
  }
}, 240_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('parameters command', () => {
  it('proposes as one officer, refuses the same officer, approves as another, shows the history', () => {
    const propose = [
      'propose',
      '--path',
      'dibao.standard',
      '--value',
      '173000',
      '--effective',
      '2026-07-01',
      '--decided',
      '2026-06-15',
      '--doc',
      '沪民规〔2026〕7号',
      '--source',
      '关于调整本市最低生活保障标准的通知',
    ];
    const district = cli(...propose, '--as', 'policy');
    expect(district.status).toBe(1);
    expect(district.stderr).toContain('市级政策管理员');
    const proposed = cli(...propose, '--as', 'citypolicy');
    expect(proposed.status, proposed.stderr).toBe(0);
    const id = /参数调整 (\S+)，/.exec(proposed.stdout)?.[1] ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const self = cli('approve', id, '--as', 'citypolicy');
    expect(self.status).toBe(1);
    expect(self.stderr).toContain('不能审批本人提出的');
    const approved = cli('approve', id, '--as', 'citypolicy2');
    expect(approved.status, approved.stderr).toBe(0);
    const history = cli('history', 'dibao.standard');
    expect(history.status, history.stderr).toBe(0);
    expect(history.stdout).toContain('已批准变更');
    expect(history.stdout).toContain('沪民规〔2026〕7号');
    expect(history.stdout).toContain('173000');
    const json = JSON.parse(cli('history', 'dibao.standard', '--json').stdout) as {
      parameter: { values: { from: string; origin: string }[] };
    };
    expect(json.parameter.values.find((v) => v.from === '2026-07-01')?.origin).toBe('change');
  }, 300_000);
});
