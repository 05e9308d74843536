import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { divisions } from '../registry/schema.ts';
import { selectRows } from './sql.ts';

describeStores('store', (ctx) => {
  it('runs the migrations and answers a query', async () => {
    const rows = await selectRows(ctx.store.db, sql`select count(*)::int as n from divisions`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('loads rows with COPY, quoting commas and quotes', async () => {
    const n = await ctx.store.copyFrom(
      'divisions',
      ['code', 'name', 'level', 'parent_code', 'district_code'],
      ['310110,"杨浦区",district,3101,310110\n', '310110001,"定海路街道, ""东""",street,310110,310110\n'],
    );
    expect(n).toBe(2);
    const row = await ctx.store.db.query.divisions.findFirst({
      where: (d, { eq }) => eq(d.code, '310110001'),
    });
    expect(row?.name).toBe('定海路街道, "东"');
  });

  it('rolls back everything a failed transaction wrote, COPY included', async () => {
    await expect(
      ctx.store.transaction(async (tx) => {
        await tx.db.insert(divisions).values({ code: '310101', name: '黄浦区', level: 'district' });
        await tx.copyFrom('divisions', ['code', 'name', 'level'], ['310104,徐汇区,district\n']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await selectRows(
      ctx.store.db,
      sql`select code from divisions where code in ('310101','310104')`,
    );
    expect(rows).toEqual([]);
  });

  it('commits a transaction that succeeds', async () => {
    await ctx.store.transaction(async (tx) => {
      await tx.db.insert(divisions).values({ code: '310101', name: '黄浦区', level: 'district' });
      await tx.copyFrom('divisions', ['code', 'name', 'level'], ['310104,徐汇区,district\n']);
    });
    const rows = await selectRows(
      ctx.store.db,
      sql`select code from divisions where code in ('310101','310104') order by code`,
    );
    expect(rows).toEqual([{ code: '310101' }, { code: '310104' }]);
  });
});
