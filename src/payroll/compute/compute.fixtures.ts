import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { divisionScope } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { loadDemoPopulation } from '../../demo/demo.service.ts';
import { PROGRAM_SCHEDULES } from '../../entitlements/schedules.ts';
import type { PolicyHousehold } from '../../policy/household.ts';
import { baselineParameters, PROGRAMS, type ParameterStore, type ProgramCode } from '../../policy/index.ts';
import { streamPolicyHouseholds } from '../../registry/policy-input.service.ts';
import { seedDivisions } from '../../registry/registry.service.ts';
import { RowDigest, inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { engineAmounts, type EngineSubject } from './engine.ts';

/**
 * Fixtures of the payroll computation (tests and bench/payroll.bench.ts): the synthetic population (the demo
 * loader) and, for every household, an entitlement per program the engine grants it in `month` at the
 * engine's amount (paid monthly or quarterly; one-offs and statuses left out), written by COPY with basis
 * rule `payroll_fixture`. Then a run in state computing, as the run's start leaves it.
 */

export const FIXTURE_DISTRICT = '310110';
export const fixtureActor: ActingContext = {
  userId: 'u-finance',
  divisionCode: FIXTURE_DISTRICT,
  reason: '发放计算测试数据',
};

const PAID = (Object.keys(PROGRAM_SCHEDULES) as ProgramCode[]).filter((p) => {
  const s = PROGRAM_SCHEDULES[p].schedule;
  return s === 'monthly' || s === 'quarterly';
});

const COLUMNS = [
  'district_code',
  'id',
  'program',
  'beneficiary_kind',
  'beneficiary_id',
  'household_id',
  'person_id',
  'committee_code',
  'payee_person_id',
  'payee_role',
  'bank_name',
  'account_no',
  'schedule',
  'amount_fen',
  'from_month',
  'to_month',
  'state',
  'case_id',
  'decision_program',
  'rule',
  'version',
  'created_at',
  'updated_at',
] as const;

export async function loadPopulation(store: Store, persons: number, seed = 'payroll-test'): Promise<void> {
  await seedDivisions(store);
  await loadDemoPopulation(store, { district: FIXTURE_DISTRICT, persons, seed, asOf: '2026-06-30' });
}

/** Entitlements of every household granted something in `month`; returns how many were written. */
export async function seedEntitlements(
  store: Store,
  options: {
    month: string;
    fromMonth?: string;
    createdAt?: string;
    parameters?: ParameterStore;
    max?: number;
  },
): Promise<number> {
  const d = FIXTURE_DISTRICT;
  const params = (options.parameters ?? baselineParameters()).forDistrict(d);
  const committees = new Map(
    (
      await selectRows<{ id: string; committee_code: string }>(
        store.db,
        sql`select id::text as id, committee_code from households where district_code = ${d}`,
      )
    ).map((r) => [r.id, r.committee_code]),
  );
  const at = options.createdAt ?? '2026-06-01T00:00:00.000Z';
  const from = options.fromMonth ?? options.month;
  const lines: string[] = [];
  let written = 0;
  let serial = 0;
  const flush = (chunk: { id: string; household: PolicyHousehold }[]): void => {
    const houses = new Map(chunk.map((c) => [c.id, c.household]));
    const subjects: (EngineSubject & { payee: string })[] = [];
    for (const c of chunk) {
      for (const program of PAID) {
        if (PROGRAMS[program].level === 'household') {
          const payee = c.household.members[0]?.id;
          if (payee) subjects.push({ id: randomUUID(), program, householdId: c.id, personId: null, payee });
        } else {
          for (const m of c.household.members) {
            subjects.push({ id: randomUUID(), program, householdId: c.id, personId: m.id, payee: m.id });
          }
        }
      }
    }
    const amounts = engineAmounts(houses, subjects, options.month, params);
    for (const s of subjects) {
      const a = amounts.get(s.id);
      if (!a || 'error' in a || a.amountFen <= 0) continue;
      if (options.max !== undefined && written >= options.max) return;
      serial += 1;
      const person = s.personId !== null;
      lines.push(
        `${[
          d,
          s.id,
          s.program,
          person ? 'person' : 'household',
          s.personId ?? s.householdId,
          s.householdId,
          s.personId ?? '',
          committees.get(s.householdId) ?? '',
          s.payee,
          person ? 'beneficiary' : 'household_member',
          '上海农商银行',
          `62220000${String(serial).padStart(11, '0')}`,
          PROGRAM_SCHEDULES[s.program as ProgramCode].schedule,
          a.amountFen,
          from,
          '',
          'active',
          '',
          '',
          'payroll_fixture',
          1,
          at,
          at,
        ].join(',')}\n`,
      );
      written += 1;
    }
  };
  let chunk: { id: string; household: PolicyHousehold }[] = [];
  for await (const row of streamPolicyHouseholds(store.db, divisionScope(d), options.month, {
    batchSize: 2000,
  })) {
    chunk.push({ id: row.householdId, household: row.household });
    if (chunk.length >= 2000) {
      flush(chunk);
      chunk = [];
    }
  }
  flush(chunk);
  if (lines.length === 0) return 0;
  await inUnitOfWork(store, fixtureActor, async (tx) => {
    await tx.copyFrom('entitlements', COLUMNS, [lines.join('')]);
    tx.recordBatch({
      action: 'entitlement.created',
      entityType: 'entitlement',
      entityId: `fixture:${options.month}`,
      district: d,
      digest: new RowDigest().add({ rows: lines.length }),
    });
  });
  return written;
}

/** A run of `month` in state computing (as the run's start leaves it), returns its id. */
export async function startRun(store: Store, month: string, createdAt?: string): Promise<string> {
  const id = randomUUID();
  const at = createdAt ?? new Date().toISOString();
  await inUnitOfWork(store, fixtureActor, async (tx) => {
    await tx.db.execute(
      sql`insert into payroll_runs (district_code, id, month, state, prepared_by, prepared_at, created_at, updated_at)
        values (${FIXTURE_DISTRICT}, ${id}::uuid, ${month}, 'computing', 'u-finance', ${at}::timestamptz,
          ${at}::timestamptz, ${at}::timestamptz)`,
    );
    tx.record({
      action: 'payroll.transition',
      entityType: 'payroll_run',
      entityId: id,
      district: FIXTURE_DISTRICT,
    });
  });
  return id;
}
