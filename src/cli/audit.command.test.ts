import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../audit/audit.service.ts';
import { openPglite } from '../db/store.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mz-audit-cli-'));

function verify(): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', 'audit', 'verify'], {
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

describe('minzheng audit verify', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reports an intact chain, then the first tampered row with exit 1', async () => {
    await withStore(async (store) => {
      for (let i = 0; i < 3; i += 1) {
        await store.transaction((tx) =>
          recordAudit(tx, {
            actor: { userId: 'u', divisionCode: '310110' },
            action: 'auth.login',
            entityType: 'user',
            entityId: `u${i}`,
          }),
        );
      }
    });
    const ok = verify();
    expect(ok.stdout.trim()).toBe('审计日志完整：3 条');
    expect(ok.status).toBe(0);

    await withStore(async (store) => {
      await store.db.execute(sql`update audit_log set entity_id = 'someone-else' where entity_id = 'u1'`);
    });
    const broken = verify();
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/审计日志不完整：第 \d+ 条的内容与其哈希不符/);
    // Two CLI processes (tsx start-up, PGlite open) on a shared 2-core machine: allow them time.
  }, 300_000);
});
