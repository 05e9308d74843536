import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentPath } from '../files/file-store.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mz-files-cli-'));

function minzheng(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, MINZHENG_FILES_DIR: _files, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function plant(text: string, ageHours: number): string {
  const content = Buffer.from(text);
  const path = contentPath(join(dataDir, 'files'), createHash('sha256').update(content).digest('hex'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  const at = new Date(Date.now() - ageHours * 3_600_000);
  utimesSync(path, at, at);
  return path;
}

describe('minzheng files sweep', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('removes contents no row names once they are older than the grace period, and only those', () => {
    const old = plant('orphan from a rolled-back upload', 30);
    const young = plant('an upload still in flight', 0);
    const run = minzheng('files', 'sweep');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('检查 2 个文件，删除无记录引用的孤立文件 1 个（24 小时以前写入）');
    expect(existsSync(old)).toBe(false);
    expect(existsSync(young)).toBe(true);
  });

  it('refuses a grace period that is not a whole number of hours', () => {
    const run = minzheng('files', 'sweep', '--grace-hours', '0.5');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--grace-hours 须为 1 到 8760 之间的整数');
  });
});
