import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { recordAudit } from './audit.service.ts';
import {
  auditFiles,
  CheckpointError,
  createCheckpoint,
  readCheckpointText,
  verifyCheckpoints,
  type AuditFiles,
} from './checkpoint.service.ts';
import { loadOrCreateSigningKey, parsePublicKey, publicKeyPem } from './signing-key.ts';
import { rewriteChain, rowAt } from './tamper.test-helpers.ts';
import { verifyAuditChain } from './verify.service.ts';

const ROWS = 10;
const dir = mkdtempSync(join(tmpdir(), 'mz-checkpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStores('signed audit checkpoints', (ctx) => {
  const db = () => ctx.store.db;
  let files: AuditFiles;

  const check = async (text = readCheckpointText(files.checkpointFile)) => {
    const publicKey = loadOrCreateSigningKey(files.keyFile).publicKey;
    const chain = await verifyAuditChain(ctx.store);
    return verifyCheckpoints(db(), text, publicKey, chain);
  };
  const messages = async (text?: string) => (await check(text)).problems.map((p) => p.message);

  beforeAll(async () => {
    files = auditFiles({ MINZHENG_DATA_DIR: join(dir, ctx.kind) });
    for (let i = 1; i <= ROWS; i += 1) {
      await ctx.store.transaction((tx) =>
        recordAudit(tx, {
          actor: { userId: 'u', divisionCode: '310110' },
          action: 'auth.login',
          entityType: 'user',
          entityId: `u-${i}`,
        }),
      );
    }
    await createCheckpoint(ctx.store, files, { now: new Date('2026-06-01T02:00:00Z') });
    await db().execute(sql`create table pristine_log as select * from audit_log`);
    await db().execute(sql`create table pristine_head as select * from audit_head`);
  });

  afterEach(async () => {
    await db().execute(sql`delete from audit_log`);
    await db().execute(sql`insert into audit_log select * from pristine_log`);
    await db().execute(sql`delete from audit_head`);
    await db().execute(sql`insert into audit_head select * from pristine_head`);
  });

  it('signs the head with a key kept in a 0600 file outside the database, one JSON line each', async () => {
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    const lines = readCheckpointText(files.checkpointFile).trim().split('\n');
    expect(lines).toHaveLength(1);
    const last = await rowAt(db(), ROWS);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      v: 1,
      at: '2026-06-01T02:00:00.000Z',
      count: ROWS,
      lastId: ROWS,
      lastHash: last.hash,
    });
    expect(await check()).toMatchObject({ checked: 1, problems: [], latest: { lastId: ROWS } });
    // The shipped public key (PEM) checks the same signatures.
    const shipped = parsePublicKey(publicKeyPem(loadOrCreateSigningKey(files.keyFile).publicKey));
    const chain = await verifyAuditChain(ctx.store);
    expect(
      (await verifyCheckpoints(db(), readCheckpointText(files.checkpointFile), shipped, chain)).problems,
    ).toEqual([]);
  });

  it('the scheduled checkpoint adds nothing while the head has not moved', async () => {
    expect((await createCheckpoint(ctx.store, files, { onlyIfChanged: true })).written).toBe(false);
    expect(readCheckpointText(files.checkpointFile).trim().split('\n')).toHaveLength(1);
  });

  it('a whole-chain rewrite passes plain verification and is caught by the checkpoint', async () => {
    await db().execute(sql`update audit_log set entity_id = 'someone-else' where id = 3`);
    await rewriteChain(db());
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true, count: ROWS });
    expect(await messages()).toEqual([
      '第 1 行（2026-06-01 10:00）：第 10 条的哈希与检查点不符：检查点之后日志被改写（包括整条链重算）',
    ]);
  });

  it('a cut tail with the head moved back passes plain verification and is caught by the checkpoint', async () => {
    const seventh = await rowAt(db(), 7);
    await db().execute(sql`delete from audit_log where id > 7`);
    await db().execute(sql`update audit_head set last_id = 7, last_hash = ${seventh.hash}, count = 7`);
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true, count: 7 });
    expect(await messages()).toEqual([
      '第 1 行（2026-06-01 10:00）：检查点记录到第 10 条，日志现只到第 7 条：末尾被截断（第 8–10 条被删除）',
    ]);
  });

  it('a tampered checkpoint line fails its signature; a line signed by another key is named', async () => {
    const line = readCheckpointText(files.checkpointFile).trim();
    const edited = line.replace(`"count":${ROWS}`, `"count":${ROWS - 3}`);
    expect(edited).not.toBe(line);
    const other = await createCheckpoint(
      ctx.store,
      auditFiles({ MINZHENG_DATA_DIR: join(dir, `${ctx.kind}-other`) }),
    );
    const foreign = JSON.stringify(other.checkpoint);
    expect(await messages(`${line}\n${edited}\n${foreign}\nnot json\n`)).toEqual([
      '第 2 行：签名无效（检查点被改动或伪造）',
      `第 3 行：由另一把密钥签署（密钥编号 ${other.checkpoint.keyId}，所给公钥为 ${loadOrCreateSigningKey(files.keyFile).keyId}）`,
      '第 4 行：不是有效的检查点记录',
    ]);
  });

  it('refuses to sign a broken chain', async () => {
    await db().execute(sql`update audit_log set reason = '篡改' where id = 4`);
    await expect(createCheckpoint(ctx.store, files)).rejects.toThrow(CheckpointError);
    await expect(createCheckpoint(ctx.store, files)).rejects.toThrow(
      '审计日志校验未通过，不签署检查点：第 4 条：内容与哈希不符（记录被修改）',
    );
  });

  it('does not sign a log that verifies but no longer matches our last checkpoint', async () => {
    await db().execute(sql`update audit_log set entity_id = 'someone-else' where id = 3`);
    await rewriteChain(db());
    await expect(createCheckpoint(ctx.store, files)).rejects.toThrow(
      '审计日志与上一个检查点（第 10 条，2026-06-01T02:00:00.000Z）不符：检查点之后日志被改写或截断，不签署',
    );
  });

  it('the scheduled checkpoint walks only the rows since the last one; on demand, all of them', async () => {
    const own = auditFiles({ MINZHENG_DATA_DIR: join(dir, `${ctx.kind}-incremental`) });
    await createCheckpoint(ctx.store, own);
    const append = () =>
      ctx.store.transaction((tx) =>
        recordAudit(tx, {
          actor: { userId: 'u', divisionCode: '310110' },
          action: 'auth.logout',
          entityType: 'user',
        }),
      );
    await append();
    await append();
    await db().execute(sql`update audit_log set reason = '篡改' where id = 12`);
    await expect(createCheckpoint(ctx.store, own, { incremental: true })).rejects.toThrow(
      '审计日志校验未通过，不签署检查点：第 12 条：内容与哈希不符（记录被修改）',
    );
    await db().execute(sql`update audit_log set reason = null where id = 12`);
    // An edit before the last checkpoint is left to the full verification, which still refuses.
    await db().execute(sql`update audit_log set reason = '篡改' where id = 2`);
    await expect(createCheckpoint(ctx.store, own)).rejects.toThrow('第 2 条：内容与哈希不符');
    const { checkpoint } = await createCheckpoint(ctx.store, own, { incremental: true });
    expect(checkpoint).toMatchObject({ count: 12, lastId: 12 });
  });

  it('refuses a signing key that others can read', () => {
    const loose = join(dir, `${ctx.kind}-loose.pem`);
    writeFileSync(loose, readFileSync(files.keyFile));
    chmodSync(loose, 0o644);
    expect(() => loadOrCreateSigningKey(loose)).toThrow(`请执行 chmod 600 ${loose}`);
  });
});
