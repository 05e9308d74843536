import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'mz-restore-cli-'));

function minzheng(env: Record<string, string>, ...args: string[]) {
  const { DATABASE_URL: _server, ...base } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', ...args], {
    env: { ...base, MINZHENG_DATA_DIR: dataDir, ...env },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('minzheng restore and backup (refusals: one Chinese line, exit 1, nothing changed)', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a missing file, a file without its checksum, and a PostgreSQL installation', () => {
    const missing = minzheng({}, 'restore', join(dataDir, 'nope.tar.gz'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^错误：备份文件不存在：.*nope\.tar\.gz；未做任何更改\n$/);

    const bare = join(dataDir, 'bare.tar.gz');
    writeFileSync(bare, 'x');
    const unchecked = minzheng({}, 'restore', bare);
    expect(unchecked.status).toBe(1);
    expect(unchecked.stderr).toMatch(
      /^错误：找不到校验文件 .*bare\.tar\.gz\.sha256：请把它与备份文件一起复制过来/,
    );

    const wrong = minzheng({}, 'restore', bare, '--sha256', '0'.repeat(64));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(
      /^错误：校验值不符：备份文件 bare\.tar\.gz 的 SHA-256 为 [0-9a-f]{64}，应为 0{64}/,
    );
    expect(existsSync(join(dataDir, 'pglite'))).toBe(false);

    const server = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    for (const args of [
      ['restore', bare],
      ['backup', 'create'],
      ['backup', 'list'],
    ]) {
      const refused = minzheng(server, ...args);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(
        /^错误：已配置 DATABASE_URL。本系统使用 PostgreSQL 数据库服务器：备份与恢复由数据库管理员负责/,
      );
    }
  });

  it('lists an empty backup folder without opening the database', () => {
    const listed = minzheng({ MINZHENG_BACKUP_KEEP: '3' }, 'backup', 'list');
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toBe(
      `备份目录：${join(dataDir, 'backups')}（保留最近 3 份；定时备份的时间见 jobs schedules）\n还没有备份\n`,
    );
  });
});
