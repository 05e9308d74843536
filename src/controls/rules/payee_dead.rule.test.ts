import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { addLine, check, findingsOf, seedHousehold, seedRun } from '../controls.fixtures.ts';

describeStores('rule payee_dead', (ctx) => {
  let restore: () => void;
  beforeAll(() => (restore = setClock(fixedClock('2026-12-02T02:00:00Z'))));
  afterAll(() => restore());

  it('flags a line whose payee or beneficiary died before the month, and not one who died in it', async () => {
    const run = await seedRun(ctx.store);
    const dead = await seedHousehold(ctx.store, [{ name: '钱已故', deathDate: '2026-10-15' }]);
    const inMonth = await seedHousehold(ctx.store, [{ name: '孙本月', deathDate: '2026-12-10' }]);
    const alive = await seedHousehold(ctx.store, [
      { name: '李健在' },
      { name: '李孩', deathDate: '2026-11-30' },
    ]);
    const flagged = await addLine(ctx.store, run, {
      householdId: dead.householdId,
      payeePersonId: dead.persons[0]!.id,
    });
    await addLine(ctx.store, run, {
      householdId: inMonth.householdId,
      payeePersonId: inMonth.persons[0]!.id,
    });
    const beneficiary = await addLine(ctx.store, run, {
      program: 'kunjing_child',
      householdId: alive.householdId,
      personId: alive.persons[1]!.id,
      payeePersonId: alive.persons[0]!.id,
      amountFen: 190_000,
    });
    const counts = await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'payee_dead');
    expect(found.map((f) => f.lineNo)).toEqual([flagged, beneficiary]);
    expect(found[0]!.description).toContain('收款人钱已故于2026-10-15死亡');
    expect(found[1]!.description).toContain('受益人李孩');
    expect(found[1]!.description).toContain('1900.00 元');
    expect(counts.blocking).toBeGreaterThanOrEqual(2);
  });
});
