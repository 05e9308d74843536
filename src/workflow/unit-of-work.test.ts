import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { readHead } from '../audit/audit.repository.ts';
import { selectRows } from '../db/sql.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { inUnitOfWork, RowDigest, type ActingContext } from './unit-of-work.ts';
import { WorkflowError } from './workflow.errors.ts';

const actor: ActingContext = { userId: 'u-1', divisionCode: '310110012', reason: '测试', requestId: 'req-1' };

describe('RowDigest', () => {
  it('is the same for the same rows in the same order and differs otherwise', () => {
    const rows = [
      { a: 1, b: '甲' },
      { b: '乙', a: 2 },
    ];
    const one = new RowDigest();
    const two = new RowDigest();
    rows.forEach((r) => one.add(r));
    rows.forEach((r) => two.add({ ...r }));
    expect(one.count).toBe(2);
    expect(one.hex()).toBe(two.hex());
    const reversed = new RowDigest();
    [...rows].reverse().forEach((r) => reversed.add(r));
    expect(reversed.hex()).not.toBe(new RowDigest().add(rows[0]).add(rows[1]).hex());
  });
});

describeStores('unit of work', (ctx) => {
  const count = async () =>
    (await selectRows<{ n: number }>(ctx.store.db, sql`select count(*)::int as n from uow_probe`))[0]?.n;
  const auditCount = async () => (await readHead(ctx.store.db))?.lastId ?? 0;

  beforeAll(async () => {
    await ctx.store.db.execute(sql`create table uow_probe (id int primary key, note text)`);
  });

  it('commits a write with its audit record, filed under the record district', async () => {
    const before = await auditCount();
    await inUnitOfWork(ctx.store, actor, async (tx) => {
      await tx.db.execute(sql`insert into uow_probe values (1, 'a')`);
      tx.record({
        action: 'person.updated',
        entityType: 'person',
        entityId: 'p-1',
        district: '310105001',
        after: { n: 1 },
      });
    });
    expect(await count()).toBe(1);
    expect(await auditCount()).toBe(before + 1);
    const [row] = await selectRows<{ district_code: string; reason: string; request_id: string }>(
      ctx.store.db,
      sql`select district_code, reason, request_id from audit_log order by id desc limit 1`,
    );
    expect(row).toEqual({ district_code: '310105', reason: '测试', request_id: 'req-1' });
  });

  it('refuses to commit a write that recorded nothing, and keeps nothing of it', async () => {
    const before = await auditCount();
    const rows = await count();
    await expect(
      inUnitOfWork(ctx.store, actor, async (tx) => {
        await tx.db.execute(sql`insert into uow_probe values (2, 'forgotten')`);
      }),
    ).rejects.toMatchObject({ code: 'unaudited_write' });
    expect(await count()).toBe(rows);
    expect(await auditCount()).toBe(before);
  });

  it('catches unrecorded updates and deletes too, whatever issued them', async () => {
    for (const statement of [sql`update uow_probe set note = 'x'`, sql`delete from uow_probe`]) {
      await expect(
        inUnitOfWork(ctx.store, actor, async (tx) => void (await tx.db.execute(statement))),
      ).rejects.toBeInstanceOf(WorkflowError);
    }
    expect(await count()).toBe(1);
  });

  it('lets a read-only unit commit without audit, and a recorded read (an unmask) with one', async () => {
    const before = await auditCount();
    expect(
      await inUnitOfWork(ctx.store, actor, async (tx) => (await selectRows(tx.db, sql`select 1`)).length),
    ).toBe(1);
    expect(await auditCount()).toBe(before);
    await inUnitOfWork(ctx.store, actor, (tx) => {
      tx.record({ action: 'person.unmask', entityType: 'person', entityId: 'p-1', district: '310110' });
      return Promise.resolve();
    });
    expect(await auditCount()).toBe(before + 1);
  });

  it('rolls back writes and audit together when the work fails after recording', async () => {
    const before = await auditCount();
    await expect(
      inUnitOfWork(ctx.store, actor, async (tx) => {
        await tx.db.execute(sql`insert into uow_probe values (3, 'b')`);
        tx.record({ action: 'person.updated', entityType: 'person', entityId: 'p-3' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await count()).toBe(1);
    expect(await auditCount()).toBe(before);
  });

  it('writes one record per batch with the row count and digest', async () => {
    const digest = new RowDigest();
    await inUnitOfWork(ctx.store, { ...actor, userId: null, reason: '每月发放' }, async (tx) => {
      for (let id = 10; id < 110; id++) {
        await tx.db.execute(sql`insert into uow_probe values (${id}, 'batch')`);
        digest.add({ id, note: 'batch' });
      }
      tx.recordBatch({
        action: 'registry.import',
        entityType: 'household_roster',
        entityId: 'job-1/0',
        district: '310110',
        digest,
        summary: { from: 10, to: 109 },
      });
    });
    const [row] = await selectRows<{
      after: { rows: number; digest: string; from: number };
      actor_id: string | null;
    }>(ctx.store.db, sql`select after, actor_id from audit_log order by id desc limit 1`);
    expect(row?.after.rows).toBe(100);
    expect(row?.after.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.after.from).toBe(10);
    expect(row?.actor_id).toBeNull();
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });

  it('refuses an acting context without a visible reason before opening anything', async () => {
    await expect(
      inUnitOfWork(ctx.store, { ...actor, reason: '\u200b\u200b' }, () => Promise.resolve(1)),
    ).rejects.toMatchObject({ code: 'invalid_actor' });
  });
});
