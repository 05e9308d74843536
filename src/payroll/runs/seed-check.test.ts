import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { loadConfig } from '../../config.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { JobKinds } from '../../jobs/job-kind.ts';
import { getJob } from '../../jobs/jobs.repository.ts';
import { payrollRunJobKind } from '../../jobs/kinds/payroll-run.job.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { baselineParameters } from '../../policy/index.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { actor, APPROVER, FINANCE, FINANCE2 } from './runs.fixtures.ts';
import { getRun } from './runs.read.ts';
import { findRun } from './runs.repository.ts';
import { actOnRun, startRun } from './runs.service.ts';
import {
  SEED_DISTRICT as D,
  SEED_MONTHS,
  SEED_TABLE,
  seedRecipients,
  valueIn,
  type SeedRecipients,
} from './seed-check.fixtures.ts';

/**
 * 种子核对 (docs/payroll.md): seed 000's table "2020年杨浦区粮油帮困经费发放情况" — 粮油帮困卡 (72 元) 240 特殊救助
 * 对象 (SPEC.md v1.1: 传统民政对象), 22,711 学龄前儿童及中小学生, 5,824 70 岁以上老人, 25,488 重残无业人员, 7,648
 * 大重病患者, 3,043 特困人员; 粮油帮困券 (22 元) 10,931 60–69 岁老人; 合计 75,885 人次 — paid as twelve monthly
 * runs of 2020 computed by the `payroll.run` job (the engine's grain_oil over registry recipients whose facts
 * give each row's benefit: seed-check.fixtures.ts), each run prepared by the job, checked by a second officer
 * and approved, and the year's totals read back from the runs: 64,954 × 72 = 4,676,688 元 and 10,931 × 22 =
 * 240,482 元, each row's person-times as the table prints them.
 */

interface Tally {
  row: string;
  amount_fen: number;
  engine_fen: number | null;
  state: string;
  basis_kind: string;
  n: number;
}

describeStores('seed check: 2020 Yangpu 粮油帮困 computed in twelve monthly runs', (ctx) => {
  let restore: () => void;
  let seeded: SeedRecipients;
  beforeAll(async () => {
    restore = setClock(fixedClock('2021-01-15T10:00:00+08:00'));
    seeded = await seedRecipients(ctx.store);
  }, 600_000);
  afterAll(() => restore());

  it('pays 64,954 card and 10,931 voucher person-times: 4,676,688 元 and 240,482 元', async () => {
    // ⌊n/12⌋ persons all year and one more for n mod 12 months: 6,326 persons.
    expect(Object.fromEntries(seeded.byRow)).toEqual(
      Object.fromEntries(SEED_TABLE.map((r) => [r.code, Math.ceil(r.personTimes / 12)])),
    );
    expect(seeded.persons).toBe(6_326);
    // The job as the server registers it (the installation's parameters: the shipped files, nothing approved),
    // in batches of up to its most households; no pause between batches (no request waits here).
    const kinds = new JobKinds().register(payrollRunJobKind({ initialLimit: 5000 }));
    const runner = new JobRunner({
      store: ctx.store,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      kinds,
      schedules: false,
      retryDelayMs: () => 0,
      pauseBetweenBatches: false,
    });
    const times = new Map<string, number>();
    const fen = { card: 0, voucher: 0 };
    const count = { card: 0, voucher: 0 };
    for (const month of SEED_MONTHS) {
      const { run, jobId } = await inUnitOfWork(ctx.store, actor(FINANCE, '发起粮油帮困发放'), (tx) =>
        startRun(tx, FINANCE, { districtCode: D, month }),
      );
      await runner.runUntilIdle();
      const job = await getJob(ctx.store.db, jobId);
      expect(job?.error ?? null).toBeNull();
      expect(job?.state).toBe('succeeded');
      const key = { districtCode: D, runId: run.id };
      const prepared = (await findRun(ctx.store.db, key))!;
      expect(prepared.state).toBe('prepared');

      // Every line is the engine's amount, paid as the entitlement says (none held), one per person.
      const tally = await selectRows<Tally>(
        ctx.store.db,
        sql`select split_part(h.household_no, '-', 2) as row, l.amount_fen::int as amount_fen,
            l.engine_amount_fen::int as engine_fen, l.state, l.basis_kind, count(*)::int as n
          from payroll_lines l
          join households h on h.district_code = l.district_code and h.id = l.household_id
          where l.district_code = ${D} and l.run_id = ${run.id}::uuid and l.program = 'grain_oil'
            and l.kind = 'regular' and l.period = ${month}
          group by 1, 2, 3, 4, 5`,
      );
      const [all] = await selectRows<{ n: number; persons: number }>(
        ctx.store.db,
        sql`select count(*)::int as n, count(distinct person_id)::int as persons from payroll_lines
          where district_code = ${D} and run_id = ${run.id}::uuid`,
      );
      const prices = {
        card: valueIn(baselineParameters().series('grain_oil.card'), month),
        voucher: valueIn(baselineParameters().series('grain_oil.voucher'), month),
      };
      let lines = 0;
      let total = 0;
      for (const t of tally) {
        const row = SEED_TABLE.find((r) => r.code === t.row)!;
        expect(t).toMatchObject({ amount_fen: prices[row.benefit], engine_fen: prices[row.benefit] });
        expect(t).toMatchObject({ state: 'pending', basis_kind: 'entitlement' });
        times.set(row.code, (times.get(row.code) ?? 0) + t.n);
        fen[row.benefit] += t.n * t.amount_fen;
        count[row.benefit] += t.n;
        lines += t.n;
        total += t.n * t.amount_fen;
      }
      expect(all).toEqual({ n: lines, persons: lines });
      expect({ lines: prepared.lineCount, total: prepared.totalFen, held: prepared.heldCount }).toEqual({
        lines,
        total,
        held: 0,
      });
      const [ledger] = await selectRows<{ fen: number }>(
        ctx.store.db,
        sql`select coalesce(sum(amount_fen), 0)::int as fen from ledger_entries
          where district_code = ${D} and run_id = ${run.id}::uuid and kind = 'accrual'`,
      );
      expect(ledger!.fen).toBe(total);

      await inUnitOfWork(ctx.store, actor(FINANCE2, '复核'), (tx) =>
        actOnRun(tx, FINANCE2, { ...key, action: 'check', version: prepared.version }),
      );
      const approved = await inUnitOfWork(ctx.store, actor(APPROVER, '审批'), (tx) =>
        actOnRun(tx, APPROVER, { ...key, action: 'approve', version: prepared.version + 1 }),
      );
      expect(approved.state).toBe('approved');
      const detail = await getRun(ctx.store.db, APPROVER, key);
      expect(detail.totals.find((t) => t.program === 'grain_oil')!.amountFen).toBe(total);
    }
    // Each row of the table, then the year's totals.
    expect(Object.fromEntries(times)).toEqual(
      Object.fromEntries(SEED_TABLE.map((r) => [r.code, r.personTimes])),
    );
    expect(count).toEqual({ card: 64_954, voucher: 10_931 });
    expect(count.card + count.voucher).toBe(75_885);
    expect(fen).toEqual({ card: 467_668_800, voucher: 24_048_200 });
  }, 1_800_000);
});
