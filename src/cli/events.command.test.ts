import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Store } from '../db/store.ts';
import { seedPayables, type SeededPayables } from '../payroll/runs/runs.fixtures.ts';
import { makeIdNumber } from '../registry/id-number.ts';

/** `minzheng events replay` and `events process` as an operator runs them: bin/minzheng on a PGlite folder. */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-events-cli-'));
let seeded: SeededPayables;

function cli(...args: string[]) {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'events', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  const store: Store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    seeded = await seedPayables(store, 'cli');
  } finally {
    await store.close();
  }
}, 240_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('events replay and process', () => {
  it('receives a file once, reports every bad line in Chinese, and processes what it received', () => {
    const file = join(dataDir, 'events.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ kind: 'job_loss', personId: seeded.payeeId, occurredOn: '2026-01-05' }),
        JSON.stringify({
          kind: 'death',
          idNumber: makeIdNumber('310110', '1950-01-01', 998),
          occurredOn: '2026-01-01',
        }),
        '{not json',
        JSON.stringify({ kind: 'birth', personId: seeded.personId, occurredOn: '2016-05-05' }),
      ].join('\n'),
    );
    const first = cli('replay', file);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('共 4 行：接收 1，重复 0，查无此人 1，与已知情况矛盾 1，格式错误 1');
    expect(first.stdout).toContain('不是有效的 JSON');
    expect(first.stdout).toContain('与人口库登记的出生日期（2015-05-05）不一致');
    const again = cli('replay', file);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain('共 4 行：接收 0，重复 2，查无此人 1，与已知情况矛盾 0，格式错误 1');
    const processed = cli('process');
    expect(processed.stderr).toBe('');
    expect(processed.stdout).toMatch(/310110\s+1\s+1\s+1\s+0/);
    expect(cli('process').stdout).toContain('没有待处理的生命事件');
  }, 180_000);
});
