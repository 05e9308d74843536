import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL, divisionScope } from '../auth/scope.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { seedStatsWorld } from './statistics.fixtures.ts';
import { StatisticsError } from './statistics.errors.ts';
import { annualTable, monthlyTable } from './statistics.service.ts';

/**
 * The tables on the hand-checked world of statistics.fixtures.ts (figures worked out in docs/statistics.md,
 * 口径): what counts as paid, arrears and carried lines in the month paid, offsets, household programs'
 * persons by the members in the month, entitlements in force, scope and drill-down.
 */
describeStores('statistics tables', (ctx) => {
  let restore: () => void;
  const yangpu = divisionScope('310110');

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-02T10:00:00+08:00'));
    await seedStatsWorld(ctx.store);
  });
  afterAll(() => restore());

  it('counts October: paid lines only, a household program by its members in the month', async () => {
    const t = await monthlyTable(ctx.store.db, yangpu, '2026-10');
    expect(t.division).toEqual({ code: '310110', name: '杨浦区', areaLevel: 'street' });
    // dibao: H1 paid (2 members in October); H3's line failed at the bank; the excluded 困境儿童 line not counted.
    const dibao = t.programs.find((p) => p.program.code === 'dibao')!;
    expect(dibao.program.name).toBe('最低生活保障');
    expect(dibao.rows).toEqual([
      expect.objectContaining({
        code: '310110012',
        name: '控江路街道',
        households: 1,
        persons: 2,
        amountFen: 200_000,
      }),
    ]);
    const elderly = t.programs.find((p) => p.program.code === 'elderly_allowance')!;
    expect(elderly.rows).toEqual([
      expect.objectContaining({
        code: '310110013',
        name: '长白新村街道',
        households: 1,
        persons: 1,
        amountFen: 45_000,
      }),
    ]);
    expect(t.total).toEqual({
      households: 3,
      persons: 4,
      amountFen: 255_000,
      arrearsFen: 0,
      carriedFen: 0,
      offsetFen: 0,
      unconfirmedFen: 0,
    });
    expect(t.byArea.map((a) => [a.name, a.households, a.amountFen])).toEqual([
      ['控江路街道', 2, 210_000],
      ['长白新村街道', 1, 45_000],
    ]);
    expect(t.paid).toBe(true);
    expect(t.runs).toEqual([expect.objectContaining({ stateName: '已办结', counted: true })]);
    // In force in October: H1's and H3's 低保 (H3 stopped after October), not the suspended 困境儿童.
    const entitledDibao = t.entitled.programs.find((p) => p.program.code === 'dibao')!;
    expect(entitledDibao.total).toEqual({ households: 2, persons: 4, entitlements: 2, amountFen: 351_000 });
    expect(t.entitled.total.households).toBe(4);
  });

  it('counts November: arrears and a carried line in the month paid, an offset, money at the bank', async () => {
    const t = await monthlyTable(ctx.store.db, yangpu, '2026-11');
    const dibao = t.programs.find((p) => p.program.code === 'dibao')!;
    // H1 (3 members from 15 November: regular + arrears are one 户次) and H3 (2 members, October's line paid again).
    expect(dibao.total).toEqual({
      households: 2,
      persons: 5,
      amountFen: 356_000,
      arrearsFen: 5_000,
      carriedFen: 151_000,
      offsetFen: 0,
      unconfirmedFen: 0,
    });
    const child = t.programs.find((p) => p.program.code === 'kunjing_child')!;
    expect(child.total).toEqual({
      households: 1,
      persons: 1,
      amountFen: 7_000,
      arrearsFen: 0,
      carriedFen: 0,
      offsetFen: -3_000,
      unconfirmedFen: 10_000,
    });
    expect(t.total).toMatchObject({ households: 3, persons: 6, amountFen: 363_000 });
    expect(t.notes.join()).toContain('已审批的明细中有 100.00 元尚待银行回盘');
    // 长宁's run is never in 杨浦's table.
    expect(t.runs.map((r) => r.district.name)).toEqual(['杨浦区']);
    expect(t.entitled.total).toEqual({ households: 3, persons: 5, entitlements: 3, amountFen: 225_000 });
  });

  it('leaves out a run not yet approved, and says so; an empty month says it has no run', async () => {
    const dec = await monthlyTable(ctx.store.db, yangpu, '2026-12');
    expect(dec.paid).toBe(false);
    expect(dec.total.amountFen).toBe(0);
    expect(dec.notes.join()).toContain('尚未审批（待复核）');
    expect(dec.entitled.total.households).toBeGreaterThan(0);
    const empty = await monthlyTable(ctx.store.db, yangpu, '2026-03');
    expect(empty.programs).toEqual([]);
    expect(empty.notes).toEqual(['2026-03 没有发放批次，下表“在册待遇”为该月有效的待遇']);
  });

  it('drills down from a street to its committees, and the city sees districts', async () => {
    const street = await monthlyTable(ctx.store.db, yangpu, '2026-11', '310110012');
    expect(street.division).toEqual({ code: '310110012', name: '控江路街道', areaLevel: 'committee' });
    const dibao = street.programs.find((p) => p.program.code === 'dibao')!;
    expect(dibao.rows.map((r) => [r.name, r.households, r.persons, r.amountFen])).toEqual([
      ['控一居委会', 1, 3, 205_000],
      ['控江四村第一居委会', 1, 2, 151_000],
    ]);
    const city = await monthlyTable(ctx.store.db, ALL, '2026-11');
    expect(city.division.name).toBe('上海市');
    expect(city.byArea.map((a) => [a.name, a.amountFen])).toEqual([
      ['长宁区', 99_900],
      ['杨浦区', 363_000],
    ]);
  });

  it('refuses a division outside the scope, an unknown one and a bad month', async () => {
    const street = divisionScope('310110013');
    await expect(monthlyTable(ctx.store.db, street, '2026-11', '310110012')).rejects.toThrow(StatisticsError);
    await expect(monthlyTable(ctx.store.db, yangpu, '2026-11', '310105')).rejects.toThrow(
      '区划不存在或不在您的数据范围内',
    );
    await expect(monthlyTable(ctx.store.db, ALL, '2026-11', '310199')).rejects.toThrow('区划不存在');
    await expect(monthlyTable(ctx.store.db, yangpu, '2026-13')).rejects.toThrow('月份「2026-13」无效');
    const own = await monthlyTable(ctx.store.db, street, '2026-10');
    expect(own.byArea.map((a) => a.name)).toEqual(['上理居委会']);
  });

  it('sums the year: person-times and household-times add up over the months, with a monthly series', async () => {
    const y = await annualTable(ctx.store.db, yangpu, 2026);
    expect(y.total).toMatchObject({ households: 6, persons: 10, amountFen: 618_000, arrearsFen: 5_000 });
    const dibao = y.programs.find((p) => p.program.code === 'dibao')!;
    expect(dibao.total).toMatchObject({ households: 3, persons: 7, amountFen: 556_000 });
    expect(y.months).toHaveLength(12);
    expect(y.months.map((m) => m.amountFen)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 255_000, 363_000, 0]);
    expect(y.months[10]!.programs.find((p) => p.code === 'dibao')).toEqual({
      code: 'dibao',
      households: 2,
      persons: 5,
      amountFen: 356_000,
    });
    expect(y.monthsWithoutPayroll).toHaveLength(10);
    expect(y.monthsWithoutPayroll).toContain('2026-12');
    const none = await annualTable(ctx.store.db, yangpu, 2025);
    expect(none.notes[0]).toBe('2025 年没有已审批的发放批次');
  });
});
