import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { recordAudit } from './audit.service.ts';
import { auditRowHash } from './hash.ts';
import {
  forgedAfter,
  insertForged,
  moveIdsAbove,
  rewriteChain,
  rowAt,
  swapIds,
} from './tamper.test-helpers.ts';
import { verifyAuditChain } from './verify.service.ts';

const actor = { userId: 'u-1', divisionCode: '310110012', requestId: 'req-1' };
const ROWS = 12;

describeStores('audit verify: every tampered row, each with its diagnosis', (ctx) => {
  const db = () => ctx.store.db;

  beforeAll(async () => {
    for (let i = 1; i <= ROWS; i += 1) {
      await ctx.store.transaction((tx) =>
        recordAudit(tx, {
          actor,
          action: 'household.updated',
          entityType: 'household',
          entityId: `h-${i}`,
          before: { address: '旧地址', members: [1, 2] },
          after: { members: [1, 2, 3], address: `新地址 ${i}` },
          reason: '测试',
        }),
      );
    }
    await db().execute(sql`create table pristine_log as select * from audit_log`);
    await db().execute(sql`create table pristine_head as select * from audit_head`);
  });

  afterEach(async () => {
    await db().execute(sql`delete from audit_log`);
    await db().execute(sql`insert into audit_log select * from pristine_log`);
    await db().execute(sql`delete from audit_head`);
    await db().execute(sql`insert into audit_head select * from pristine_head`);
  });

  const problems = async () => {
    const report = await verifyAuditChain(ctx.store);
    expect(report.ok).toBe(report.problems.length === 0);
    return report.problems.map((p) => p.message);
  };

  it('an intact chain verifies, with the head to sign', async () => {
    const report = await verifyAuditChain(ctx.store);
    const last = await rowAt(db(), ROWS);
    expect(report).toEqual({
      ok: true,
      count: ROWS,
      lastId: ROWS,
      lastHash: last.hash,
      problems: [],
      undiagnosed: 0,
    });
  });

  it('an edited field', async () => {
    await db().execute(sql`update audit_log set reason = '篡改' where id = 5`);
    expect(await problems()).toEqual(['第 5 条：内容与哈希不符（记录被修改）']);
  });

  it('an edited jsonb value', async () => {
    await db().execute(
      sql`update audit_log set after = jsonb_set(after, '{address}', '"别处"') where id = 7`,
    );
    expect(await problems()).toEqual(['第 7 条：内容与哈希不符（记录被修改）']);
  });

  it('a changed district or hash version', async () => {
    await db().execute(sql`update audit_log set district_code = '310101' where id = 3`);
    await db().execute(sql`update audit_log set hash_version = 1 where id = 9`);
    expect(await problems()).toEqual([
      '第 3 条：内容与哈希不符（记录被修改）',
      '第 9 条：哈希版本被改动（旧版本的记录出现在新版本之后）',
    ]);
  });

  it('a deleted row in the middle', async () => {
    await db().execute(sql`delete from audit_log where id = 6`);
    expect(await problems()).toEqual(['第 6 条缺失（记录被删除）']);
  });

  it('deleted rows at the end (the head still names them)', async () => {
    await db().execute(sql`delete from audit_log where id > 10`);
    expect(await problems()).toEqual(['末尾第 11–12 条缺失（记录被删除；链头记录到第 12 条）']);
  });

  it('a forged row inserted in the middle, later rows renumbered to make room', async () => {
    const fourth = await rowAt(db(), 4);
    await moveIdsAbove(db(), 4, 1);
    await insertForged(db(), forgedAfter(fourth, 5));
    expect(await problems()).toEqual([
      '第 5 条：伪造插入的记录（不在哈希链上：下一条记录的前序哈希越过它指向第 4 条）',
      '第 6–13 条：编号被改动（内容完好，原为第 5–12 条）',
    ]);
  });

  it('a forged row appended at the end, not at row 12', async () => {
    await insertForged(db(), forgedAfter(await rowAt(db(), ROWS), ROWS + 1));
    expect(await problems()).toEqual(['第 13 条：在链头之后（链头记录到第 12 条；伪造追加，或链头被改回）']);
  });

  it('swapped ids, apart and adjacent', async () => {
    await swapIds(db(), 3, 8);
    expect(await problems()).toEqual(['第 3 条与第 8 条：编号被对调（顺序被改动）']);
    await swapIds(db(), 3, 8);
    await swapIds(db(), 10, 11);
    expect(await problems()).toEqual(['第 10 条与第 11 条：编号被对调（顺序被改动）']);
  });

  it('one row edited and re-hashed in place', async () => {
    const row = await rowAt(db(), 8);
    const hash = auditRowHash({ ...row, reason: '改写' }) ?? '';
    await db().execute(sql`update audit_log set reason = '改写', hash = ${hash} where id = 8`);
    expect(await problems()).toEqual(['第 8 条：被改写并重算了哈希（下一条记录的前序哈希不再指向它）']);
  });

  it('several tamperings at once: every one listed', async () => {
    await db().execute(sql`update audit_log set reason = '篡改' where id = 2`);
    await db().execute(sql`delete from audit_log where id in (6, 7)`);
    await insertForged(db(), forgedAfter(await rowAt(db(), ROWS), ROWS + 1));
    expect(await problems()).toEqual([
      '第 2 条：内容与哈希不符（记录被修改）',
      '第 6–7 条缺失（记录被删除）',
      '第 13 条：在链头之后（链头记录到第 12 条；伪造追加，或链头被改回）',
    ]);
  });

  it('appends while it runs (a live server) raise no false alarm', async () => {
    const append = (i: number) =>
      ctx.store.transaction((tx) =>
        recordAudit(tx, { actor, action: 'auth.login', entityType: 'user', entityId: `live-${i}` }),
      );
    const results = await Promise.all([
      ...Array.from({ length: 3 }, () => verifyAuditChain(ctx.store)),
      ...Array.from({ length: 30 }, (_, i) => append(i)),
      ...Array.from({ length: 3 }, () => verifyAuditChain(ctx.store)),
    ]);
    const reports = results.filter((r): r is Awaited<ReturnType<typeof verifyAuditChain>> => 'problems' in r);
    expect(reports.map((r) => r.problems)).toEqual(reports.map(() => []));
  });

  it('a consistent rewrite of the whole chain passes plain verification (checkpoints catch it)', async () => {
    await db().execute(sql`update audit_log set reason = '改写' where id = 2`);
    await rewriteChain(db());
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true, count: ROWS });
  });
});
