import { sql } from 'drizzle-orm';
import type { Store } from '../db/store.ts';
import { entitlement, lines, run, seedStatsWorld, type StatsWorld } from './statistics.fixtures.ts';

/**
 * The statistics world (statistics.fixtures.ts) and, for the annual report, a closed September run in 杨浦区
 * paying 重残无业 to H1's head, 特困 to H2's elder, 支出型 to H3 (2 members), 粮油帮困 to H1's child and
 * 临时救助 to H1 (2 members in September); H3's head is employed; H1's head has a disability (category 1).
 * The figures of 2026 for 杨浦区, worked out by hand (docs/statistics.md, "年度统计报告"):
 *   低保: H1 in October (2 persons) and November (3) — 失、无业, 5 人次 in 2 户次; H3 in November (2, carried
 *   line) — 有从业人员, 2 人次; 重残无业 1; 传统民政对象及特困 1; 因病支出型 2: 11 人次 in all.
 */
export async function seedReportWorld(store: Store): Promise<StatsWorld> {
  const w = await seedStatsWorld(store);
  const K1 = '310110012001';
  const K4 = '310110012004';
  const S1 = '310110013001';
  await store.db.execute(sql`update persons set employed = true where id = ${w.h3.head}::uuid`);
  await store.db.execute(
    sql`update persons set disability_category = 1, disability_grade = 2 where id = ${w.h1.head}::uuid`,
  );
  const e = async (program: string, committee: string, householdId: string, personId: string | null) =>
    entitlement(store, { district: '310110', committee, program, householdId, personId, amountFen: 1 });
  const specs = [
    { program: 'severe_disability_unemployed', committee: K1, h: w.h1.id, p: w.h1.head, fen: 160_000 },
    { program: 'tekun', committee: S1, h: w.h2.id, p: w.h2.elder, fen: 190_000 },
    { program: 'rigid_expense', committee: K4, h: w.h3.id, p: null, fen: 50_000 },
    { program: 'grain_oil', committee: K1, h: w.h1.id, p: w.h1.child, fen: 7_200 },
    { program: 'temporary', committee: K1, h: w.h1.id, p: null, fen: 300_000 },
  ];
  const sep = await run(store, '310110', '2026-09', 'closed');
  const specLines = [];
  for (const s of specs)
    specLines.push({
      payable: await e(s.program, s.committee, s.h, s.p),
      program: s.program,
      householdId: s.h,
      personId: s.p,
      committee: s.committee,
      period: '2026-09',
      amountFen: s.fen,
      state: 'paid' as const,
    });
  await lines(store, '310110', sep, specLines);
  return w;
}
