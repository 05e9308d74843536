import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { selectRows } from '../db/sql.ts';
import { describeStores } from '../../test/support/stores.ts';
import type { Store } from '../db/store.ts';
import { auditRowHash, canonicalJson, GENESIS_HASH } from './hash.ts';
import { listAudit, recordAudit, verifyAuditChain } from './audit.service.ts';

const actor = { userId: 'u-1', divisionCode: '310110012', requestId: 'req-1' };

async function appendRows(store: Store, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    await store.transaction((tx) =>
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
}

describe('canonical hashing', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });
  it('changes when any field changes', () => {
    const row = {
      id: 1,
      at: '2026-01-01T00:00:00.000Z',
      actorId: 'a',
      actorDivision: '310110',
      action: 'auth.login',
      entityType: 'user',
      entityId: 'a',
      before: null,
      after: { x: 1 },
      reason: null,
      requestId: null,
      prevHash: GENESIS_HASH,
    };
    const base = auditRowHash(row);
    expect(auditRowHash({ ...row, id: 2 })).not.toBe(base);
    expect(auditRowHash({ ...row, after: { x: 2 } })).not.toBe(base);
    expect(auditRowHash({ ...row, reason: '' })).not.toBe(base);
    expect(auditRowHash({ ...row, prevHash: '1'.repeat(64) })).not.toBe(base);
  });
});

describeStores('audit chain', (ctx) => {
  it('an empty log verifies', async () => {
    expect(await verifyAuditChain(ctx.store)).toEqual({ ok: true, count: 0 });
  });

  it('appends form one chain that verifies, also under concurrent writers', async () => {
    await appendRows(ctx.store, 5);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ctx.store.transaction((tx) =>
          recordAudit(tx, { actor, action: 'auth.login', entityType: 'user', entityId: `c-${i}` }),
        ),
      ),
    );
    expect(await verifyAuditChain(ctx.store)).toEqual({ ok: true, count: 13 });
    const page = await listAudit(ctx.store, { entityType: 'household', limit: 2, offset: 0 });
    expect(page.total).toBe(5);
    expect(page.items[0]?.entityId).toBe('h-4');
  });

  it('a rolled-back write leaves no audit row', async () => {
    await expect(
      ctx.store.transaction(async (tx) => {
        await recordAudit(tx, { actor, action: 'auth.logout', entityType: 'user', entityId: 'x' });
        throw new Error('write failed');
      }),
    ).rejects.toThrow('write failed');
    expect(await verifyAuditChain(ctx.store)).toEqual({ ok: true, count: 13 });
  });

  it('detects an edited field', async () => {
    await ctx.store.db.execute(sql`update audit_log set reason = '篡改' where entity_id = 'h-2'`);
    const result = await verifyAuditChain(ctx.store);
    expect(result.ok).toBe(false);
    const [row] = await selectRows<{ id: string }>(
      ctx.store.db,
      sql`select id::text as id from audit_log where entity_id = 'h-2'`,
    );
    expect(result).toMatchObject({ brokenId: Number(row?.id) });
    await ctx.store.db.execute(sql`update audit_log set reason = '测试' where entity_id = 'h-2'`);
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true });
  });

  it('detects an edited jsonb value', async () => {
    await ctx.store.db.execute(
      sql`update audit_log set after = jsonb_set(after, '{address}', '"别处"') where entity_id = 'h-1'`,
    );
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: false });
    await ctx.store.db.execute(
      sql`update audit_log set after = jsonb_set(after, '{address}', '"新地址 1"') where entity_id = 'h-1'`,
    );
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true });
  });

  it('detects swapped ids (reordering)', async () => {
    const ids = (
      await selectRows<{ id: string }>(
        ctx.store.db,
        sql`select id::text as id from audit_log order by id limit 3`,
      )
    ).map((r) => Number(r.id));
    const [a, b] = [ids[1]!, ids[2]!];
    const swap = async () => {
      await ctx.store.db.execute(sql`update audit_log set id = -1 where id = ${a}`);
      await ctx.store.db.execute(sql`update audit_log set id = ${a} where id = ${b}`);
      await ctx.store.db.execute(sql`update audit_log set id = ${b} where id = -1`);
    };
    await swap();
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: false, brokenId: a });
    await swap();
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true });
  });

  it('detects a deleted row in the middle and at the end', async () => {
    const copy = sql`create table audit_backup as select * from audit_log`;
    await ctx.store.db.execute(copy);
    await ctx.store.db.execute(sql`delete from audit_log where entity_id = 'h-3'`);
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: false });
    await ctx.store.db.execute(sql`delete from audit_log`);
    await ctx.store.db.execute(sql`insert into audit_log select * from audit_backup`);
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true });
    await ctx.store.db.execute(sql`delete from audit_log where id = (select max(id) from audit_log)`);
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: false });
  });
});
