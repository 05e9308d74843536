import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { rewriteChain } from '../audit/tamper.test-helpers.ts';
import { openPglite } from '../db/store.ts';
import { recordOnly } from '../workflow/unit-of-work.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mz-audit-cli-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'audit', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function withStore(
  work: (store: Awaited<ReturnType<typeof openPglite>>) => Promise<void>,
): Promise<void> {
  const store = await openPglite(join(dataDir, 'pglite'));
  try {
    await store.migrate();
    await work(store);
  } finally {
    await store.close();
  }
}

describe('minzheng audit', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('verify lists every tampered row and exits 1; checkpoint, public-key and verify --checkpoints catch a rewrite', async () => {
    await withStore(async (store) => {
      for (let i = 0; i < 3; i += 1) {
        await recordOnly(store, { userId: 'u', divisionCode: '310110' }, '登录', {
          action: 'auth.login',
          entityType: 'user',
          entityId: `u${i}`,
        });
      }
    });
    const ok = cli('verify');
    expect(ok.stdout.trim()).toBe('审计日志完整：3 条');
    expect(ok.status).toBe(0);

    const signed = cli('checkpoint');
    expect(signed.status).toBe(0);
    expect(signed.stdout).toContain('已签署检查点：共 3 条，末条第 3 条');
    const checkpoints = join(dataDir, 'audit-checkpoints.jsonl');
    expect(readFileSync(checkpoints, 'utf8').trim().split('\n')).toHaveLength(1);
    const key = cli('public-key');
    expect(key.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    const shipped = join(dataDir, 'shipped-public-key.pem');
    writeFileSync(shipped, key.stdout);

    await withStore(async (store) => {
      await store.db.execute(sql`update audit_log set entity_id = 'someone-else' where entity_id = 'u1'`);
    });
    const broken = cli('verify');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toBe('  第 2 条：内容与哈希不符（记录被修改）\n');
    expect(broken.stderr.trim()).toBe('错误：审计日志不完整：日志 1 处问题（日志共 4 条）');

    // The edit re-hashed into a consistent chain: plain verification passes, the signed checkpoint does not.
    await withStore((store) => rewriteChain(store.db));
    expect(cli('verify').status).toBe(0);
    const caught = cli('verify', '--checkpoints', checkpoints, '--public-key', shipped);
    expect(caught.status).toBe(1);
    expect(caught.stdout).toMatch(/^ {2}第 1 行（.+）：第 3 条的哈希与检查点不符：检查点之后日志被改写/m);
    expect(caught.stderr.trim()).toBe('错误：审计日志不完整：检查点 1 处问题（日志共 4 条）');
    // Several CLI processes (start-up, PGlite open) on a shared 2-core machine: allow them time.
  }, 300_000);
});
