import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL, divisionScope } from '../auth/scope.ts';
import { auditRowsAfter } from './audit.repository.ts';
import { auditDistrict, listAudit, recordAudit } from './audit.service.ts';
import { auditRowHash, canonicalJson, canonicalValue, GENESIS_HASH, type HashedAuditFields } from './hash.ts';
import { verifyAuditChain } from './verify.service.ts';

const actor = { userId: 'u-1', divisionCode: '310110012', requestId: 'req-1' };

const base: HashedAuditFields = {
  id: 1,
  at: '2026-01-01T00:00:00.000Z',
  actorId: 'a',
  actorDivision: '310110',
  district: '310110',
  action: 'auth.login',
  entityType: 'user',
  entityId: 'a',
  before: null,
  after: { x: 1 },
  reason: null,
  requestId: null,
  prevHash: GENESIS_HASH,
  hashVersion: 2,
};

describe('canonical hashing', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it('changes when any field changes, the district too from v2 on', () => {
    const hash = auditRowHash(base);
    for (const change of [
      { id: 2 },
      { after: { x: 2 } },
      { reason: '' },
      { prevHash: '1'.repeat(64) },
      { district: '310101' },
      { hashVersion: 1 },
    ]) {
      expect(auditRowHash({ ...base, ...change })).not.toBe(hash);
    }
    // v1 rows were hashed without the district: a backfilled district leaves them verifiable.
    const v1 = { ...base, hashVersion: 1 };
    expect(auditRowHash({ ...v1, district: '310101' })).toBe(auditRowHash(v1));
    expect(auditRowHash({ ...base, hashVersion: 3 })).toBeUndefined();
  });

  it('stores values in the form jsonb hands back', () => {
    const value = canonicalValue({
      nul: 'a\u0000b',
      lone: '核对\ud800身份',
      bell: 'x\u0007y',
      nfd: 'e\u0301',
      ['k\ud800']: 1,
      numbers: [-0, 1.0, 1e21, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY],
      when: new Date('2026-05-01T08:00:00Z'),
      gone: undefined,
      list: [undefined, () => 1],
      big: 12n,
    });
    expect(value).toEqual({
      nul: 'a\\u0000b',
      lone: '核对\\ud800身份',
      bell: 'x\\u0007y',
      nfd: '\u00e9',
      ['k\\ud800']: 1,
      numbers: [0, 1, 1e21, 0.30000000000000004, null, null],
      when: '2026-05-01T08:00:00.000Z',
      list: [null, null],
      big: '12',
    });
    expect(JSON.parse(JSON.stringify(value))).toEqual(value);
  });
});

describe('auditDistrict', () => {
  it('is the first six digits of a division, else the city', () => {
    expect(auditDistrict('310110012001')).toBe('310110');
    expect(auditDistrict('310110')).toBe('310110');
    expect(auditDistrict('310000')).toBe('310000');
    expect(auditDistrict(null)).toBe('310000');
    expect(auditDistrict('cli')).toBe('310000');
  });
});

describeStores('audit chain', (ctx) => {
  it('an empty log verifies', async () => {
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true, count: 0, problems: [] });
  });

  it('text the database would change is stored and hashed alike, so the row verifies (item 4)', async () => {
    await ctx.store.transaction((tx) =>
      recordAudit(tx, {
        actor: { userId: 'u\u0000x', divisionCode: '310110', requestId: 'r\udfff' },
        action: 'person.unmask',
        entityType: 'person',
        entityId: 'p-1',
        after: { fields: ['idNumber'], note: 'cafe\u0301\u0000', n: [1.5, -0, 1e21], ['\ud800']: true },
        reason: '核对\ud800身份',
      }),
    );
    const [row] = await auditRowsAfter(ctx.store.db, 0, 1);
    expect(row).toMatchObject({
      actorId: 'u\\u0000x',
      requestId: 'r\\udfff',
      reason: '核对\\ud800身份',
      after: { fields: ['idNumber'], note: 'café\\u0000', n: [1.5, 0, 1e21], ['\\ud800']: true },
      hashVersion: 2,
    });
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true, count: 1 });
  });

  it('appends form one chain with dense ids that verifies, also under concurrent writers', async () => {
    for (let i = 0; i < 4; i += 1) {
      await ctx.store.transaction((tx) =>
        recordAudit(tx, {
          actor,
          action: 'household.updated',
          entityType: 'household',
          entityId: `h-${i}`,
          after: { address: `新地址 ${i}` },
          reason: '测试',
        }),
      );
    }
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ctx.store.transaction((tx) =>
          recordAudit(tx, { actor, action: 'auth.login', entityType: 'user', entityId: `c-${i}` }),
        ),
      ),
    );
    const report = await verifyAuditChain(ctx.store);
    expect(report).toMatchObject({ ok: true, count: 13, lastId: 13 });
    const page = await listAudit(ctx.store, { scope: ALL, entityType: 'household', limit: 2, offset: 0 });
    expect(page.total).toBe(4);
    expect(page.items[0]?.entityId).toBe('h-3');
  });

  it('a rolled-back write leaves no audit row and no gap in the ids', async () => {
    await expect(
      ctx.store.transaction(async (tx) => {
        await recordAudit(tx, { actor, action: 'auth.logout', entityType: 'user', entityId: 'x' });
        throw new Error('write failed');
      }),
    ).rejects.toThrow('write failed');
    const row = await ctx.store.transaction((tx) =>
      recordAudit(tx, { actor, action: 'auth.logout', entityType: 'user', entityId: 'y' }),
    );
    expect(row.id).toBe(14);
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true, count: 14 });
  });

  it("files each row under the record's district, else the actor's, else the city; lists by scope", async () => {
    const write = (entry: Partial<Parameters<typeof recordAudit>[1]>) =>
      ctx.store.transaction((tx) =>
        recordAudit(tx, { actor, action: 'user.updated', entityType: 'user', ...entry }),
      );
    const own = await write({ entityId: 'd-1' });
    const other = await write({ entityId: 'd-2', district: '310101002003' });
    const city = await write({ entityId: 'd-3', actor: { userId: null, divisionCode: null } });
    expect([own.district, other.district, city.district]).toEqual(['310110', '310101', '310000']);
    await expect(write({ district: '31x' })).rejects.toThrow('not a division code');

    const ids = async (code: string) =>
      (
        await listAudit(ctx.store, {
          scope: divisionScope(code),
          action: 'user.updated',
          limit: 10,
          offset: 0,
        })
      ).items.map((r) => r.entityId);
    expect(await ids('310110')).toEqual(['d-1']);
    expect(await ids('310101')).toEqual(['d-2']);
    const all = await listAudit(ctx.store, { scope: ALL, action: 'user.updated', limit: 10, offset: 0 });
    expect(all.items.map((r) => r.entityId)).toEqual(['d-3', 'd-2', 'd-1']);
  });

  it('filters by actors, persons and time', async () => {
    const at = new Date('2025-03-01T00:00:00Z');
    await ctx.store.transaction(async (tx) => {
      await recordAudit(tx, {
        actor: { userId: 'w-1', divisionCode: '310110' },
        action: 'person.unmask',
        entityType: 'person',
        entityId: 'p-9',
        at,
      });
      await recordAudit(tx, {
        actor: { userId: 'w-2', divisionCode: '310110' },
        action: 'household.member_added',
        entityType: 'household_member',
        entityId: 'h-9/p-9/2025-03-01',
        at,
      });
    });
    const list = (q: Partial<Parameters<typeof listAudit>[1]>) =>
      listAudit(ctx.store, { scope: ALL, limit: 10, offset: 0, ...q }).then((p) =>
        p.items.map((r) => r.actorId),
      );
    expect(await list({ personIds: ['p-9'] })).toEqual(['w-2', 'w-1']);
    expect(await list({ personIds: [] })).toEqual([]);
    expect(await list({ actorIds: ['w-2'] })).toEqual(['w-2']);
    expect(await list({ from: '2025-02-28T16:00:00Z', to: '2025-03-01T16:00:00Z' })).toEqual(['w-2', 'w-1']);
    expect(await list({ to: '2025-02-28T16:00:00Z' })).toEqual([]);
  });

  it('rows written before the district existed (hash v1) still verify; the chain goes on in v2', async () => {
    await ctx.store.db.execute(sql`delete from audit_log`);
    await ctx.store.db.execute(sql`delete from audit_head`);
    // Two old rows with a gap in their ids (a rolled-back append took a sequence value then).
    let prevHash = GENESIS_HASH;
    for (const id of [1, 3]) {
      const row = { ...base, id, hashVersion: 1, district: '310110', prevHash, after: { n: id } };
      const hash = auditRowHash(row) ?? '';
      await ctx.store.db.execute(
        sql`insert into audit_log (id, at, actor_id, actor_division, district_code, action, entity_type, entity_id,
              after, prev_hash, hash, hash_version)
            values (${id}, ${row.at}::timestamptz, 'a', '310110', '310110', 'auth.login', 'user', 'a',
              ${JSON.stringify(row.after)}::jsonb, ${prevHash}, ${hash}, 1)`,
      );
      prevHash = hash;
    }
    await ctx.store.db.execute(
      sql`insert into audit_head (singleton, last_id, last_hash, count) values (1, 3, ${prevHash}, 2)`,
    );
    const next = await ctx.store.transaction((tx) =>
      recordAudit(tx, { actor, action: 'auth.login', entityType: 'user', entityId: 'n' }),
    );
    expect(next).toMatchObject({ id: 4, hashVersion: 2 });
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true, count: 3 });
    // A district changed on an old row is outside its hash: allowed by design (it was backfilled).
    await ctx.store.db.execute(sql`update audit_log set district_code = '310101' where id = 1`);
    expect(await verifyAuditChain(ctx.store)).toMatchObject({ ok: true });
    await ctx.store.db.execute(sql`update audit_log set actor_id = 'b' where id = 3`);
    expect((await verifyAuditChain(ctx.store)).problems.map((p) => p.message)).toEqual([
      '第 3 条：内容与哈希不符（记录被修改）',
    ]);
  });
});
