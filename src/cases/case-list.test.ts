import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL, divisionScope, type DataScope } from '../auth/scope.ts';
import { selectRows } from '../db/sql.ts';
import { loadDemoPopulation } from '../demo/demo.service.ts';
import { COUNT_AHEAD } from '../registry/person.repository.ts';
import { listCaseRows, UNTOUCHED_CASE, type CaseFilter, type CaseRow } from './case.repository.ts';
import { addDays } from '../calendar/days.ts';
import type { CaseState } from './cases.machine.ts';
import { cases } from './schema.ts';

/**
 * The case list's rows and totals against a reference computed in memory over the same rows: the order
 * (due day, those without one last, then id), every filter, the scope, and the count — exact up to the
 * window past the page (COUNT_AHEAD), "more than" the window's end beyond it, counted alone for a page
 * past the last match.
 */
const DISTRICT = '310110';
const TODAY = '2026-11-20';
const STATES: CaseState[] = ['draft', 'accepted', 'verifying', 'visit', 'review', 'publicity', 'deciding'];
const CLOSED: CaseState[] = ['approved', 'denied', 'withdrawn'];
const PROGRAMS = [['dibao'], ['dibao', 'temporary'], ['tekun'], ['temporary'], ['rigid_expense']];
const OPEN = new Set<string>([...STATES.filter((s) => s !== 'publicity'), 'evaluation']);

/** A deterministic spread of n cases over the households (a quarter closed, a few due the same day). */
function caseRows(households: { id: string; committee: string; head: string }[], n: number): CaseRow[] {
  const out: CaseRow[] = [];
  for (let i = 0; i < n; i += 1) {
    const h = households[(i * 7) % households.length]!;
    const closed = i % 4 === 3;
    const state = closed ? CLOSED[i % CLOSED.length]! : STATES[i % STATES.length]!;
    const at = `${addDays(TODAY, -(i % 90))}T02:00:00.000Z`;
    out.push({
      districtCode: DISTRICT,
      id: `00000000-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0')}`,
      caseNo: `SA${DISTRICT}-2026-${String(i + 1).padStart(6, '0')}`,
      kind: 'application',
      householdId: h.id,
      committeeCode: h.committee,
      programs: PROGRAMS[i % PROGRAMS.length]!,
      channel: 'counter',
      applicantPersonId: h.head,
      contactPhone: '13800000000',
      materials: {},
      requiredSteps: ['verify', 'visit', 'review', 'publicity'],
      decider: 'district',
      appliedOn: at.slice(0, 10),
      state,
      version: 1,
      dueOn: closed ? null : addDays(TODAY, (i % 41) - 12),
      dueFrom: null,
      dueWorkingDays: null,
      dueProvisional: false,
      receivedAt: at,
      acceptedOn: null,
      ...UNTOUCHED_CASE,
      createdBy: null,
      createdAt: at,
      updatedAt: at,
    });
  }
  return out;
}

/** The list as the repository should give it, from the rows in memory. */
function reference(all: CaseRow[], scope: DataScope, f: CaseFilter): CaseRow[] {
  const within = (code: string, division: string) =>
    code.startsWith(division) && code.slice(0, 6) === division.slice(0, 6);
  return all
    .filter((r) => scope.kind === 'all' || within(r.committeeCode, scope.code))
    .filter((r) => !f.state || r.state === f.state)
    .filter((r) => !f.program || r.programs.includes(f.program))
    .filter((r) => !f.division || within(r.committeeCode, f.division))
    .filter((r) => !f.overdueOn || (OPEN.has(r.state) && r.dueOn !== null && r.dueOn < f.overdueOn))
    .sort((a, b) => {
      const da = a.dueOn ?? '9999-12-31';
      const db = b.dueOn ?? '9999-12-31';
      return da < db ? -1 : da > db ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
}

describeStores('case list totals', (ctx) => {
  const N = 700;
  let all: CaseRow[] = [];
  let street = '';
  let committee = '';

  beforeAll(async () => {
    await loadDemoPopulation(ctx.store, { district: DISTRICT, persons: 900, seed: 'case-list' });
    const households = await selectRows<{ id: string; committee: string; head: string }>(
      ctx.store.db,
      sql`select h.id, h.committee_code as committee, m.person_id as head from households h
            join household_members m on m.district_code = h.district_code and m.household_id = h.id
             and m.valid_to is null and m.relation_code = '02'
          where h.district_code = ${DISTRICT} order by h.household_no`,
    );
    all = caseRows(households, N);
    for (let i = 0; i < all.length; i += 100) {
      await ctx.store.db.insert(cases).values(all.slice(i, i + 100));
    }
    // The street and committee with the most cases: their lists are below the window.
    const byStreet = new Map<string, number>();
    for (const r of all)
      byStreet.set(r.committeeCode.slice(0, 9), (byStreet.get(r.committeeCode.slice(0, 9)) ?? 0) + 1);
    street = [...byStreet].sort((a, b) => b[1] - a[1])[0]![0];
    committee = all.find((r) => r.committeeCode.startsWith(street))!.committeeCode;
  }, 120_000);

  async function check(
    scope: DataScope,
    f: Omit<CaseFilter, 'limit' | 'offset'>,
    limit: number,
    offset: number,
  ) {
    const expected = reference(all, scope, { ...f, limit, offset });
    const got = await listCaseRows(ctx.store.db, scope, { ...f, limit, offset });
    expect(got.rows.map((r) => r.caseNo)).toEqual(
      expected.slice(offset, offset + limit).map((r) => r.caseNo),
    );
    const ceiling = offset + limit + COUNT_AHEAD;
    const counted =
      expected.length > ceiling
        ? { total: ceiling, totalExact: false }
        : { total: expected.length, totalExact: true };
    expect({ total: got.total, totalExact: got.totalExact }).toEqual(counted);
    return { ...counted, matches: expected.length };
  }

  it('counts the whole district only a window past the page, and exactly near the end', async () => {
    const district = divisionScope(DISTRICT);
    expect(await check(district, {}, 20, 0)).toEqual({ total: 220, totalExact: false, matches: N });
    expect((await check(district, {}, 20, 300)).totalExact).toBe(false);
    expect(await check(district, {}, 20, 690)).toEqual({ total: N, totalExact: true, matches: N });
    // A page past the last match has no rows to carry the count: counted on its own.
    expect(await check(district, {}, 20, 800)).toEqual({ total: N, totalExact: true, matches: N });
    // The edge: N matches and a ceiling of N is exact; a ceiling of N - 1 says "more than N - 1".
    expect((await check(district, {}, N - COUNT_AHEAD, 0)).totalExact).toBe(true);
    expect(await check(district, {}, N - COUNT_AHEAD - 1, 0)).toEqual({
      total: N - 1,
      totalExact: false,
      matches: N,
    });
    expect((await check(ALL, {}, 50, 0)).total).toBe(250);
  });

  it('filters by state, program, street, committee and overdue, exact below the window', async () => {
    const district = divisionScope(DISTRICT);
    const filters: Omit<CaseFilter, 'limit' | 'offset'>[] = [
      { state: 'visit' },
      { program: 'tekun' },
      { program: 'temporary' },
      { overdueOn: TODAY },
      { division: street },
      { division: committee },
      { state: 'deciding', program: 'dibao' },
      { state: 'approved' },
    ];
    const exact: boolean[] = [];
    for (const f of filters) {
      const r = await check(district, f, 10, 0);
      expect(r.matches).toBeGreaterThan(0);
      exact.push(r.totalExact);
      await check(district, f, 10, 10);
    }
    // Both sides of the window are exercised: some filters counted exactly, some capped.
    expect(exact).toContain(true);
    expect(exact).toContain(false);
  });

  it('stays inside the caller’s street or committee, and finds nothing of another district', async () => {
    const mine = await check(divisionScope(street), {}, 20, 0);
    expect(mine.matches).toBeGreaterThan(20);
    await check(divisionScope(street), { program: 'dibao' }, 20, 0);
    await check(divisionScope(committee), { overdueOn: TODAY }, 5, 0);
    const rows = await listCaseRows(ctx.store.db, divisionScope(street), { limit: 200, offset: 0 });
    expect(rows.rows.every((r) => r.committeeCode.startsWith(street))).toBe(true);
    const elsewhere = await listCaseRows(ctx.store.db, divisionScope('310104'), { limit: 20, offset: 0 });
    expect([elsewhere.rows.length, elsewhere.total, elsewhere.totalExact]).toEqual([0, 0, true]);
    const otherStreet = await listCaseRows(ctx.store.db, divisionScope(`${DISTRICT}999`), {
      limit: 20,
      offset: 40,
    });
    expect([otherStreet.rows.length, otherStreet.total, otherStreet.totalExact]).toEqual([0, 0, true]);
  });
});
