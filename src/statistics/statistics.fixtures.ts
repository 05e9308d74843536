import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { ALL } from '../auth/scope.ts';
import type { Store } from '../db/store.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold } from '../registry/registry.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';

/**
 * A small, hand-checked world for the statistics tests (docs/statistics.md has the same figures worked out):
 * four households — H1 (控一居委会, 3 members, the third from 2026-11-15), H2 (上理居委会, one 80-year-old),
 * H3 (控江四村第一居委会, 2 members) in 杨浦区 and X1 (华一居委会, 长宁区, 2 members) — their entitlements, and
 * the runs of 2026-10 (closed), 2026-11 (exported; 长宁 closed) and 2026-12 (prepared: not counted), with lines
 * written directly as the computation and the bank return would leave them.
 */

const at = '2026-06-01T00:00:00.000Z';
let serial = 0;

export interface StatsWorld {
  h1: { id: string; head: string; child: string; newcomer: string };
  h2: { id: string; elder: string };
  h3: { id: string; head: string; child: string };
  x1: { id: string; head: string };
  e: { dibaoH1: string; childH1: string; dibaoH3: string; elderH2: string; childH3: string; dibaoX1: string };
}

async function household(
  store: Store,
  committee: string,
  births: readonly string[],
): Promise<{ id: string; persons: string[] }> {
  const tag = `ST${++serial}`;
  const created = await inUnitOfWork(
    store,
    { userId: 'u-street', divisionCode: committee.slice(0, 9), reason: '统计测试数据' },
    (tx) =>
      createHousehold(tx, ALL, {
        householdNo: `HD-${tag}`,
        committeeCode: committee,
        validFrom: '2017-01-01',
        members: births.map((birthDate, i) => ({
          person: {
            idNumber: makeIdNumber(committee.slice(0, 6), birthDate, 100 + serial * 10 + i),
            name: `统${tag}${i}`,
            // The ID number's sequence digit: odd for men, even for women.
            sex: (100 + serial * 10 + i) % 2 === 1 ? 1 : 2,
            birthDate,
            hukouDivisionCode: committee.slice(0, 9),
          },
          relationCode: i === 0 ? '02' : '20',
        })),
      }),
  );
  const persons = created.changes.filter((c) => c.entityType === 'person').map((c) => c.entityId);
  return { id: created.value.id, persons };
}

interface EntitlementSpec {
  district: string;
  committee: string;
  program: string;
  householdId: string;
  personId: string | null;
  amountFen: number;
  schedule?: 'monthly' | 'quarterly';
  toMonth?: string;
  state?: 'active' | 'suspended' | 'stopped';
}

export async function entitlement(store: Store, e: EntitlementSpec): Promise<string> {
  const id = randomUUID();
  await store.db.execute(sql`insert into entitlements (district_code, id, program, beneficiary_kind,
      beneficiary_id, household_id, person_id, committee_code, payee_person_id, payee_role, schedule, amount_fen,
      from_month, to_month, state, rule, created_at, updated_at)
    values (${e.district}, ${id}::uuid, ${e.program}, ${e.personId ? 'person' : 'household'},
      ${e.personId ?? e.householdId}::uuid, ${e.householdId}::uuid, ${e.personId}::uuid, ${e.committee},
      ${e.personId ?? e.householdId}::uuid, 'beneficiary', ${e.schedule ?? 'monthly'}, ${e.amountFen}, '2026-01',
      ${e.toMonth ?? null}, ${e.state ?? 'active'}, 'stats_fixture', ${at}, ${at})`);
  return id;
}

export async function run(store: Store, district: string, month: string, state: string): Promise<string> {
  const id = randomUUID();
  await store.db
    .execute(sql`insert into payroll_runs (district_code, id, month, state, prepared_by, prepared_at,
      created_at, updated_at) values (${district}, ${id}::uuid, ${month}, ${state}, 'u-finance', ${at}, ${at}, ${at})`);
  return id;
}

interface LineSpec {
  payable: string;
  program: string;
  householdId: string;
  personId: string | null;
  committee: string;
  period: string;
  kind?: 'regular' | 'arrears' | 'carried' | 'offset';
  amountFen: number;
  state: 'held' | 'pending' | 'released' | 'excluded' | 'paid' | 'failed';
}

export async function lines(
  store: Store,
  district: string,
  runId: string,
  specs: readonly LineSpec[],
): Promise<void> {
  let no = 0;
  for (const l of specs) {
    no += 1;
    await store.db
      .execute(sql`insert into payroll_lines (district_code, run_id, line_no, payable_kind, payable_id,
        program, household_id, person_id, committee_code, period, kind, amount_fen, basis_kind, state, hold_reason,
        payee_person_id)
      values (${district}, ${runId}::uuid, ${no}, 'entitlement', ${l.payable}::uuid, ${l.program},
        ${l.householdId}::uuid, ${l.personId}::uuid, ${l.committee}, ${l.period}, ${l.kind ?? 'regular'},
        ${l.amountFen}, 'entitlement', ${l.state}, ${l.state === 'held' ? '待复核' : null},
        ${l.personId ?? l.householdId}::uuid)`);
  }
}

export async function seedStatsWorld(store: Store): Promise<StatsWorld> {
  const K1 = '310110012001';
  const K4 = '310110012004';
  const S1 = '310110013001';
  const C1 = '310105001001';
  const a = await household(store, K1, ['1980-03-03', '2015-05-05', '1985-07-07']);
  const b = await household(store, S1, ['1946-01-10']);
  const c = await household(store, K4, ['1975-02-02', '2016-06-06']);
  const x = await household(store, C1, ['1970-01-01', '2012-02-02']);
  const h1 = { id: a.id, head: a.persons[0]!, child: a.persons[1]!, newcomer: a.persons[2]! };
  // The third member of H1 joined on 2026-11-15: two persons in October, three in November.
  await store.db.execute(sql`update household_members set valid_from = '2026-11-15'
    where household_id = ${h1.id}::uuid and person_id = ${h1.newcomer}::uuid`);
  const hh = (h: { id: string }, committee: string, district = '310110') => ({
    district,
    committee,
    householdId: h.id,
  });
  const e = {
    dibaoH1: await entitlement(store, { ...hh(a, K1), program: 'dibao', personId: null, amountFen: 200_000 }),
    childH1: await entitlement(store, {
      ...hh(a, K1),
      program: 'kunjing_child',
      personId: h1.child,
      amountFen: 10_000,
    }),
    dibaoH3: await entitlement(store, {
      ...hh(c, K4),
      program: 'dibao',
      personId: null,
      amountFen: 151_000,
      toMonth: '2026-10',
      state: 'stopped',
    }),
    elderH2: await entitlement(store, {
      ...hh(b, S1),
      program: 'elderly_allowance',
      personId: b.persons[0]!,
      amountFen: 15_000,
      schedule: 'quarterly',
    }),
    childH3: await entitlement(store, {
      ...hh(c, K4),
      program: 'kunjing_child',
      personId: c.persons[1]!,
      amountFen: 10_000,
      state: 'suspended',
    }),
    dibaoX1: await entitlement(store, {
      ...hh(x, C1, '310105'),
      program: 'dibao',
      personId: null,
      amountFen: 99_900,
    }),
  };
  const line = (payable: string, h: { id: string }, committee: string, personId: string | null = null) => ({
    payable,
    householdId: h.id,
    committee,
    personId,
  });
  const oct = await run(store, '310110', '2026-10', 'closed');
  await lines(store, '310110', oct, [
    { ...line(e.dibaoH1, a, K1), program: 'dibao', period: '2026-10', amountFen: 200_000, state: 'paid' },
    {
      ...line(e.childH1, a, K1, h1.child),
      program: 'kunjing_child',
      period: '2026-10',
      amountFen: 10_000,
      state: 'paid',
    },
    { ...line(e.dibaoH3, c, K4), program: 'dibao', period: '2026-10', amountFen: 151_000, state: 'failed' },
    {
      ...line(e.elderH2, b, S1, b.persons[0]),
      program: 'elderly_allowance',
      period: '2026-Q4',
      amountFen: 45_000,
      state: 'paid',
    },
    {
      ...line(e.childH3, c, K4, c.persons[1]),
      program: 'kunjing_child',
      period: '2026-10',
      amountFen: 10_000,
      state: 'excluded',
    },
  ]);
  const nov = await run(store, '310110', '2026-11', 'exported');
  await lines(store, '310110', nov, [
    { ...line(e.dibaoH1, a, K1), program: 'dibao', period: '2026-11', amountFen: 200_000, state: 'paid' },
    {
      ...line(e.dibaoH1, a, K1),
      program: 'dibao',
      period: '2026-10',
      kind: 'arrears',
      amountFen: 5_000,
      state: 'paid',
    },
    {
      ...line(e.childH1, a, K1, h1.child),
      program: 'kunjing_child',
      period: '2026-11',
      amountFen: 10_000,
      state: 'pending',
    },
    {
      ...line(e.dibaoH3, c, K4),
      program: 'dibao',
      period: '2026-10',
      kind: 'carried',
      amountFen: 151_000,
      state: 'paid',
    },
    {
      ...line(e.childH1, a, K1, h1.child),
      program: 'kunjing_child',
      period: '2026-09',
      kind: 'offset',
      amountFen: -3_000,
      state: 'paid',
    },
  ]);
  const cn = await run(store, '310105', '2026-11', 'closed');
  await lines(store, '310105', cn, [
    { ...line(e.dibaoX1, x, C1), program: 'dibao', period: '2026-11', amountFen: 99_900, state: 'paid' },
  ]);
  const dec = await run(store, '310110', '2026-12', 'prepared');
  await lines(store, '310110', dec, [
    { ...line(e.dibaoH1, a, K1), program: 'dibao', period: '2026-12', amountFen: 200_000, state: 'pending' },
  ]);
  return {
    h1,
    h2: { id: b.id, elder: b.persons[0]! },
    h3: { id: c.id, head: c.persons[0]!, child: c.persons[1]! },
    x1: { id: x.id, head: x.persons[0]! },
    e,
  };
}
