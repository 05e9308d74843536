import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Store } from '../../db/store.ts';
import { recipient, recipientsFile, seedFamily, type SeededFamily } from './onboarding.fixtures.ts';

/** `minzheng payroll import-recipients` as an operator runs it: bin/minzheng on a PGlite data folder. */
const dataDir = mkdtempSync(join(tmpdir(), 'mz-onboarding-cli-'));
let family: SeededFamily;

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
    family = await seedFamily(store, 'CLI');
  } finally {
    await store.close();
  }
}, 240_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('payroll import-recipients', () => {
  it('checks, imports, and refuses the same file again with its rows', async () => {
    const file = await recipientsFile([
      recipient({
        idNumber: family.elder.idNumber,
        program: '特困人员救助供养',
        amount: '2000.00',
        startMonth: '2025-01',
        lastPaidMonth: '2025-06',
        payeeIdNumber: family.elder.idNumber,
      }),
    ]);
    const checked = cli('import-recipients', file, '--district', '310110', '--check');
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toContain(
      '校验通过（未写入）：共 1 行，将导入 1 项待遇、1 个收款账户、6 笔期初分类账（上线前已发放 12000.00 元）',
    );
    const done = cli('import-recipients', file, '--district', '310110');
    expect(done.stdout).toContain('导入完成');
    const again = cli('import-recipients', file, '--district', '310110');
    expect(again.status).not.toBe(0);
    expect(again.stdout).toContain('不能重复导入');
  }, 180_000);
});
