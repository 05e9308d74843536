import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { divisionScope } from '../auth/scope.ts';
import { selectRows } from '../db/sql.ts';
import { loadDemoPopulation } from '../demo/demo.service.ts';
import { prefixRange } from '../core/text.ts';
import { COUNT_AHEAD } from './person.repository.ts';
import { searchHouseholds, searchPersons } from './registry.service.ts';

describeStores('registry search totals', (ctx) => {
  it('counts matches a window past the page and says when there are more', async () => {
    const xuhui = divisionScope('310104');
    const loaded = await loadDemoPopulation(ctx.store, { district: '310104', persons: 2600, seed: 'count' });
    expect(loaded.households).toBeGreaterThan(1000);
    const persons = await searchPersons(ctx.store.db, xuhui, { limit: 10 });
    expect([persons.total, persons.totalExact, persons.rows.length]).toEqual([10 + COUNT_AHEAD, false, 10]);
    // Paging on counts further: the ceiling moves with the page.
    const households = await searchHouseholds(ctx.store.db, xuhui, { limit: 10, offset: 20 });
    expect([households.total, households.totalExact]).toEqual([30 + COUNT_AHEAD, false]);
    const deep = await searchHouseholds(ctx.store.db, xuhui, { limit: 10, offset: 700 });
    expect([deep.total, deep.totalExact]).toEqual([710 + COUNT_AHEAD, false]);
    // Near the end the count is exact, also on a page past the last match (counted on its own).
    const all = loaded.households;
    const last = await searchHouseholds(ctx.store.db, xuhui, { limit: 10, offset: all - 5 });
    expect([last.total, last.totalExact, last.rows.length]).toEqual([all, true, 5]);
    const beyond = await searchHouseholds(ctx.store.db, xuhui, { limit: 10, offset: all + 10 });
    expect([beyond.total, beyond.totalExact, beyond.rows.length]).toEqual([all, true, 0]);
    const street = households.rows[0]?.streetCode ?? '';
    const few = await searchHouseholds(ctx.store.db, xuhui, { divisionCode: `${street}001`, limit: 500 });
    expect(few.totalExact).toBe(true);
    expect(few.total).toBe(few.rows.length);
    // The loader writes 户主姓名 as the current head's name for every household.
    const mismatched = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from households h
          left join household_members m on m.district_code = h.district_code and m.household_id = h.id
            and m.valid_to is null and m.relation_code = '02'
          left join persons p on p.district_code = m.district_code and p.id = m.person_id
          where h.district_code = '310104'
            and (h.head_name is distinct from p.name or h.head_initials is distinct from p.name_initials)`,
    );
    expect(mismatched[0]?.n).toBe(0);
  });

  it('finds by a name or initials prefix exactly what LIKE finds, also once the plan is cached', async () => {
    const xuhui = divisionScope('310104');
    const reference = (column: 'name' | 'name_initials', prefix: string) =>
      selectRows<{ id: string }>(
        ctx.store.db,
        sql`select id from persons where district_code = '310104' and residence_division_code like '310104%'
              and ${sql.raw(column)} like ${`${prefix}%`} and death_date is null
            order by ${sql.raw(column === 'name' ? 'name collate "C"' : 'name_initials collate "C", name collate "C"')}, id
            limit 20`,
      );
    // Seven rounds: PostgreSQL plans a named statement for its values five times, then may cache a plan.
    for (let round = 0; round < 7; round += 1) {
      for (const name of ['张', '王', '李', '陈', '欧阳', '张伟']) {
        const found = await searchPersons(ctx.store.db, xuhui, { name, limit: 20 });
        expect(found.rows.map((r) => r.id)).toEqual((await reference('name', name)).map((r) => r.id));
      }
      for (const initials of ['z', 'zw', 'w', 'lx']) {
        const found = await searchPersons(ctx.store.db, xuhui, { initials, limit: 20 });
        expect(found.rows.map((r) => r.id)).toEqual(
          (await reference('name_initials', initials)).map((r) => r.id),
        );
      }
      for (const headName of ['张', '王', '欧阳']) {
        const found = await searchHouseholds(ctx.store.db, xuhui, { headName, limit: 20 });
        const expected = await selectRows<{ id: string }>(
          ctx.store.db,
          sql`select id from households where district_code = '310104' and head_name like ${`${headName}%`}
              order by head_name collate "C", household_no collate "C" limit 20`,
        );
        expect(found.rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      }
    }
  });
});

it("bounds a prefix by its last character's successor, in code-point order", () => {
  expect(prefixRange('张')).toEqual({ from: '张', to: '弡' });
  expect(prefixRange('zw')).toEqual({ from: 'zw', to: 'zx' });
  expect(prefixRange('a\ud7ff')).toEqual({ from: 'a\ud7ff', to: 'a\ue000' });
  expect(prefixRange('𠀀')).toEqual({ from: '𠀀', to: '𠀁' });
  expect(prefixRange(`a${String.fromCodePoint(0x10ffff)}`)).toBeUndefined();
  expect(prefixRange('')).toBeUndefined();
});
