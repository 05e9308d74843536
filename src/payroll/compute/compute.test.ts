import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { loadConfig } from '../../config.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { JobKinds } from '../../jobs/job-kind.ts';
import { getJob } from '../../jobs/jobs.repository.ts';
import { enqueueJob } from '../../jobs/jobs.service.ts';
import { PAYROLL_RUN_KIND, payrollRunJobKind } from '../../jobs/kinds/payroll-run.job.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { parseMonth } from '../../policy/engine/month.ts';
import { reformFromOverrides } from '../../policy/engine/reform-overrides.ts';
import { baselineParameters, PROGRAMS, type ParameterStore } from '../../policy/index.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { HOLD_MISMATCH } from './amount-rule.ts';
import {
  FIXTURE_DISTRICT as D,
  fixtureActor,
  loadPopulation,
  seedEntitlements,
  startRun,
} from './compute.fixtures.ts';
import { baselineRunParameters, type ApprovedChange, type RunParameters } from './parameters.ts';
import { monthsCovered, quarterMonths } from './periods.ts';

async function runJob(store: Store, runId: string, parameters: RunParameters): Promise<string> {
  const kinds = new JobKinds().register(payrollRunJobKind({ parameters, initialLimit: 10 }));
  const { job } = await enqueueJob(store, kinds, {
    kind: PAYROLL_RUN_KIND,
    payload: { districtCode: D, runId },
    actor: fixtureActor,
    divisionCode: D,
    idempotencyKey: randomUUID(),
  });
  const runner = new JobRunner({
    store,
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    kinds,
    batchMs: 20,
    schedules: false,
    retryDelayMs: () => 0,
  });
  await runner.runUntilIdle();
  const done = await getJob(store.db, job.id);
  expect(done?.error ?? null).toBeNull();
  expect(done?.state).toBe('succeeded');
  return job.id;
}

interface LineRow {
  payable_id: string;
  program: string;
  period: string;
  kind: string;
  state: string;
  amount_fen: number;
  entitlement_amount_fen: number | null;
  engine_amount_fen: number | null;
  basis_kind: string;
  basis_ref: string | null;
  hold_reason: string | null;
  line_no: number;
}

const lines = (store: Store, runId: string) =>
  selectRows<LineRow>(
    store.db,
    sql`select payable_id::text as payable_id, program, period, kind, state, amount_fen::int as amount_fen,
        entitlement_amount_fen::int as entitlement_amount_fen, engine_amount_fen::int as engine_amount_fen,
        basis_kind, basis_ref, hold_reason, line_no from payroll_lines
      where district_code = ${D} and run_id = ${runId}::uuid order by line_no`,
  );

const ledgerOf = (store: Store, runId: string) =>
  selectRows<{
    payable_id: string;
    period: string;
    kind: string;
    seq: number;
    amount_fen: number;
    line_no: number;
  }>(
    store.db,
    sql`select payable_id::text as payable_id, period, kind, seq, amount_fen::int as amount_fen, line_no
      from ledger_entries where district_code = ${D} and run_id = ${runId}::uuid`,
  );

const ents = (store: Store) =>
  selectRows<{
    id: string;
    program: string;
    schedule: string;
    amount_fen: number;
    from_month: string;
    version: number;
  }>(
    store.db,
    sql`select id::text as id, program, schedule, amount_fen::int as amount_fen, from_month, version
      from entitlements where district_code = ${D} and state = 'active' order by id`,
  );

const pathOf = (program: 'grain_oil' | 'dibao', suffix: string) =>
  PROGRAMS[program].reads.map((r) => r.path).find((p) => p.endsWith(suffix))!;

describeStores('payroll computation', (ctx) => {
  const GRAIN = pathOf('grain_oil', 'card');
  const DIBAO = pathOf('dibao', 'standard');
  const c1: ApprovedChange = {
    id: randomUUID(),
    path: GRAIN,
    effective: '2026-11-01',
    approvedAt: '2026-10-15T02:00:00.000Z',
    districtCode: null,
    value: 8000,
  };
  const c2: ApprovedChange = {
    id: randomUUID(),
    path: DIBAO,
    effective: '2026-11-01',
    approvedAt: '2026-11-20T02:00:00.000Z',
    districtCode: null,
    value: 175000,
  };
  let withC1: ParameterStore;
  let withBoth: ParameterStore;
  const changing = (inForce: () => ParameterStore, known: ApprovedChange[]): RunParameters => ({
    inForce,
    approvedChangesSince: (_db, _d, since) =>
      Promise.resolve(known.filter((c) => Date.parse(c.approvedAt) > Date.parse(since))),
    approvedAsOf: (_db, iso) =>
      Promise.resolve(
        Date.parse(iso) < Date.parse(c1.approvedAt)
          ? baselineParameters()
          : Date.parse(iso) < Date.parse(c2.approvedAt)
            ? withC1
            : withBoth,
      ),
  });
  let october: string;
  let november: string;
  let heldId: string;

  beforeAll(async () => {
    const nov = parseMonth('2026-11');
    withC1 = reformFromOverrides(baselineParameters(), [{ parameter: GRAIN, value: c1.value }], nov);
    withBoth = reformFromOverrides(withC1, [{ parameter: DIBAO, value: c2.value }], nov);
    await loadPopulation(ctx.store, 700);
    const n = await seedEntitlements(ctx.store, { month: '2026-10', fromMonth: '2026-07' });
    expect(n).toBeGreaterThan(50);
    // One monthly entitlement's amount no longer what the engine gives (facts changed without a decision).
    const [one] = (await ents(ctx.store)).filter((e) => e.schedule === 'monthly' && e.program !== 'dibao');
    heldId = one!.id;
    await inUnitOfWork(ctx.store, fixtureActor, async (tx) => {
      await tx.db.execute(
        sql`update entitlements set amount_fen = amount_fen + 100 where id = ${heldId}::uuid`,
      );
      tx.record({ action: 'entitlement.changed', entityType: 'entitlement', entityId: heldId, district: D });
    });
  }, 240_000);

  describe('October (a quarter opens)', () => {
    it('pays every payable entitlement, 老年综合津贴 for the quarter, and holds a differing amount', async () => {
      october = await startRun(ctx.store, '2026-10', '2026-10-01T01:00:00.000Z');
      await runJob(ctx.store, october, baselineRunParameters);
      const all = await ents(ctx.store);
      const got = await lines(ctx.store, october);
      expect(got.length).toBe(all.length);
      expect(new Set(got.map((l) => l.line_no)).size).toBe(got.length);
      const byId = new Map(got.map((l) => [l.payable_id, l]));
      const q = quarterMonths('2026-Q4');
      for (const e of all) {
        const l = byId.get(e.id)!;
        expect(l.kind).toBe('regular');
        if (e.id === heldId) {
          expect(l).toMatchObject({ state: 'held', hold_reason: HOLD_MISMATCH, amount_fen: e.amount_fen });
          expect(l.engine_amount_fen).toBe(e.amount_fen - 100);
        } else if (e.schedule === 'quarterly') {
          const months = monthsCovered(q.first, q.last, e.from_month, null);
          expect(l).toMatchObject({ period: '2026-Q4', state: 'pending', amount_fen: e.amount_fen * months });
          expect(months).toBe(3);
        } else {
          expect(l).toMatchObject({ period: '2026-10', state: 'pending', amount_fen: e.amount_fen });
          expect(l.basis_kind).toBe('entitlement');
        }
      }
      const ledger = await ledgerOf(ctx.store, october);
      const pending = got.filter((l) => l.state === 'pending');
      expect(ledger.length).toBe(pending.length);
      expect(ledger.every((e) => e.kind === 'accrual' && e.seq === 1)).toBe(true);
      expect(ledger.some((e) => e.payable_id === heldId)).toBe(false);
      const sum = (xs: { amount_fen: number }[]) => xs.reduce((s, x) => s + x.amount_fen, 0);
      expect(sum(ledger)).toBe(sum(pending));
      const [run] = await selectRows<{
        state: string;
        line_count: number;
        total_fen: number;
        held_count: number;
        held_fen: number;
      }>(
        ctx.store.db,
        sql`select state, line_count, total_fen::int as total_fen, held_count, held_fen::int as held_fen
          from payroll_runs where id = ${october}::uuid`,
      );
      expect(run).toEqual({
        state: 'prepared',
        line_count: pending.length,
        total_fen: sum(pending),
        held_count: 1,
        held_fen: byId.get(heldId)!.amount_fen,
      });
    }, 240_000);

    it('writes nothing new when the finished run is computed again', async () => {
      const before = (await lines(ctx.store, october)).length;
      const ledger = (await ledgerOf(ctx.store, october)).length;
      await runJob(ctx.store, october, baselineRunParameters);
      expect((await lines(ctx.store, october)).length).toBe(before);
      expect((await ledgerOf(ctx.store, october)).length).toBe(ledger);
    }, 120_000);
  });

  it('November: no quarterly lines; an approved parameter change moves the amounts it explains', async () => {
    const grainBefore = new Map(
      (await ents(ctx.store)).filter((e) => e.program === 'grain_oil').map((e) => [e.id, e]),
    );
    november = await startRun(ctx.store, '2026-11', '2026-11-01T01:00:00.000Z');
    await runJob(
      ctx.store,
      november,
      changing(() => withC1, [c1]),
    );
    const got = await lines(ctx.store, november);
    expect(got.some((l) => l.period.includes('Q'))).toBe(false);
    const grain = got.filter((l) => l.program === 'grain_oil' && l.payable_id !== heldId);
    expect(grain.length).toBeGreaterThan(0);
    const moved = grain.filter((l) => l.basis_kind === 'parameter_change');
    expect(moved.length).toBeGreaterThan(0);
    for (const l of moved) {
      expect(l.basis_ref).toBe(c1.id);
      expect(l.state).toBe('pending');
      expect(l.amount_fen).not.toBe(grainBefore.get(l.payable_id)!.amount_fen);
    }
    const after = new Map((await ents(ctx.store)).map((e) => [e.id, e]));
    for (const l of moved) {
      expect(after.get(l.payable_id)).toMatchObject({ amount_fen: l.amount_fen, version: 2 });
    }
    const history = await selectRows<{ rule: string; effective_month: string }>(
      ctx.store.db,
      sql`select rule, effective_month from entitlement_changes where district_code = ${D}
        and entitlement_id = ${moved[0]!.payable_id}::uuid and kind = 'amount_changed'`,
    );
    expect(history).toEqual([{ rule: `parameter_change:${c1.id}`, effective_month: '2026-11' }]);
    // The held one stays held: a difference no decision and no change explains.
    expect(got.find((l) => l.payable_id === heldId)).toMatchObject({
      state: 'held',
      hold_reason: HOLD_MISMATCH,
    });
    const [run] = await selectRows<{ parameter_changes: string[] }>(
      ctx.store.db,
      sql`select parameter_changes from payroll_runs where id = ${november}::uuid`,
    );
    expect(run?.parameter_changes).toEqual([c1.id]);
  }, 240_000);

  it('December: a change back-dated to November pays one arrears line per period, accrued at seq 2', async () => {
    const december = await startRun(ctx.store, '2026-12', '2026-12-01T01:00:00.000Z');
    await runJob(
      ctx.store,
      december,
      changing(() => withBoth, [c1, c2]),
    );
    const got = await lines(ctx.store, december);
    const arrears = got.filter((l) => l.kind === 'arrears');
    const dibao = got.filter((l) => l.program === 'dibao' && l.kind === 'regular');
    expect(dibao.length).toBeGreaterThan(0);
    expect(arrears.length).toBeGreaterThan(0);
    const novLines = new Map((await lines(ctx.store, november)).map((l) => [l.payable_id, l]));
    const seen = new Set<string>();
    for (const a of arrears) {
      expect(a).toMatchObject({
        period: '2026-11',
        state: 'pending',
        basis_kind: 'parameter_change',
        basis_ref: c2.id,
      });
      expect(seen.has(a.payable_id)).toBe(false);
      seen.add(a.payable_id);
      const paid = novLines.get(a.payable_id)!;
      expect(a.amount_fen).toBe(a.engine_amount_fen! - paid.amount_fen);
      expect(a.amount_fen).toBeGreaterThan(0);
    }
    for (const l of dibao.filter((x) => x.basis_kind === 'parameter_change')) expect(l.basis_ref).toBe(c2.id);
    const ledger = await ledgerOf(ctx.store, december);
    const arrearsLegs = ledger.filter((e) => e.period === '2026-11');
    expect(arrearsLegs.length).toBe(arrears.length);
    expect(arrearsLegs.every((e) => e.seq === 2 && e.kind === 'accrual')).toBe(true);
  }, 240_000);

  it('January: a birthday in the quarter before into the next 老年综合津贴 band follows by rule; a failed line is carried', async () => {
    const store = baselineParameters().forDistrict(D);
    const jan = parseMonth('2027-01');
    const band = (n: number) => store.resolve(`elderly_allowance.amount.band_${n}`, jan).entry!.value;
    const minAge2 = store.resolve('elderly_allowance.band_min_age.band_2', jan).entry!.value;
    const [elder] = await selectRows<{ id: string; person_id: string }>(
      ctx.store.db,
      sql`select id::text as id, person_id::text as person_id from entitlements
        where district_code = ${D} and program = 'elderly_allowance' and id <> ${heldId}::uuid order by id limit 1`,
    );
    const [failed] = (await lines(ctx.store, october)).filter(
      (l) => l.state === 'pending' && l.kind === 'regular',
    );
    await inUnitOfWork(ctx.store, fixtureActor, async (tx) => {
      await tx.db.execute(
        // Turned 70 in November: December's engine already pays the next band, October's did not.
        sql`update persons set birth_date = ${`${2026 - minAge2}-11-15`}::date where id = ${elder!.person_id}::uuid`,
      );
      await tx.db.execute(sql`update entitlements set amount_fen = ${band(1)} where id = ${elder!.id}::uuid`);
      await tx.db.execute(
        sql`update payroll_lines set state = 'failed', failure_reason = '账户已销户'
          where run_id = ${october}::uuid and line_no = ${failed!.line_no}`,
      );
      tx.record({
        action: 'entitlement.changed',
        entityType: 'entitlement',
        entityId: elder!.id,
        district: D,
      });
    });
    const january = await startRun(ctx.store, '2027-01', '2027-01-01T01:00:00.000Z');
    await runJob(
      ctx.store,
      january,
      changing(() => withBoth, [c1, c2]),
    );
    const got = await lines(ctx.store, january);
    const moved = got.find((l) => l.payable_id === elder!.id)!;
    expect(moved).toMatchObject({
      period: '2027-Q1',
      state: 'pending',
      basis_kind: 'rule',
      basis_ref: 'age_band',
    });
    expect(moved.amount_fen).toBe(band(2) * 3);
    expect(band(2)).not.toBe(band(1));
    const [after] = (await ents(ctx.store)).filter((e) => e.id === elder!.id);
    expect(after!.amount_fen).toBe(band(2));
    const carried = await selectRows<{
      period: string;
      amount_fen: number;
      from_run: string;
      from_line: number;
    }>(
      ctx.store.db,
      sql`select period, amount_fen::int as amount_fen, carried_from_run::text as from_run, carried_from_line as from_line
        from payroll_lines where run_id = ${january}::uuid and kind = 'carried'`,
    );
    expect(carried).toEqual([
      {
        period: failed!.period,
        amount_fen: failed!.amount_fen,
        from_run: october,
        from_line: failed!.line_no,
      },
    ]);
    const legs = (await ledgerOf(ctx.store, january)).filter(
      (e) => e.payable_id === failed!.payable_id && e.period === failed!.period,
    );
    expect(legs).toEqual([]);
    // The arrears of December are not paid again (no change approved since the last run).
    expect(got.filter((l) => l.kind === 'arrears')).toEqual([]);
  }, 240_000);
});
