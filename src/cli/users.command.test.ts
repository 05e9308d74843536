import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'mz-users-cli-'));

function minzheng(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('minzheng users create', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a role whose division level does not fit, then creates one that fits, a city auditor too', () => {
    const misfit = minzheng(
      'users',
      'create',
      '--username',
      'lowly',
      '--role',
      'committee_assistant',
      '--division',
      '310110012',
    );
    expect(misfit.status).not.toBe(0);
    expect(misfit.stderr).toContain('居委会助理员须属于居委会/村委会（12 位区划代码）');
    expect(misfit.stdout).toBe('');

    const fits = minzheng(
      'users',
      'create',
      '--username',
      'lowly',
      '--role',
      'committee_assistant',
      '--division',
      '310110012001',
    );
    expect(fits.stderr).toBe('');
    expect(fits.status).toBe(0);
    expect(fits.stdout).toMatch(/已创建用户 lowly（居委会助理员，.*控江路街道.*），一次性密码：\S{16}/);

    const city = minzheng(
      'users',
      'create',
      '--username',
      'cityaudit',
      '--role',
      'auditor',
      '--division',
      '310000',
    );
    expect(city.status).toBe(0);
    expect(city.stdout).toContain('上海市');
    // Three CLI processes (start-up, PGlite open) on a shared 2-core machine: allow them time.
  }, 300_000);
});
