import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { baselineParameters } from '../../policy/index.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { actor, APPROVER, FINANCE, FINANCE2 } from './runs.fixtures.ts';
import { getRun } from './runs.read.ts';
import { findRun } from './runs.repository.ts';
import { actOnRun, completeComputation, startRun } from './runs.service.ts';

/**
 * 种子核对 (docs/payroll.md): seed 000's table "2020年杨浦区粮油帮困经费发放情况" — 粮油帮困卡 (72 元) 240 特殊救助
 * 对象 (SPEC.md v1.1: 传统民政对象), 22,711 学龄前儿童及中小学生, 5,824 70 岁以上老人, 25,488 重残无业人员, 7,648
 * 大重病患者, 3,043 特困人员; 粮油帮困券 (22 元) 10,931 60–69 岁老人; 合计 75,885 人次 — paid as twelve monthly
 * runs of 2020 at the amounts of src/parameters/grain_oil, each run prepared, checked by a second officer and
 * approved, and the year's totals read back from the runs: 64,954 × 72 = 4,676,688 元 and 10,931 × 22 =
 * 240,482 元.
 *
 * The lines are written set-based (one insert … select per month), as the computation writes them, with the
 * card or voucher amount of the month's parameters; the computation's own engine path (H2a's computeBatch)
 * needs registry rows whose engine amounts are these (not built here: see docs/payroll.md 种子核对).
 */

const CARD = [240, 22_711, 5_824, 25_488, 7_648, 3_043];
const VOUCHER = [10_931];
const MONTHS = Array.from({ length: 12 }, (_, i) => `2020-${String(i + 1).padStart(2, '0')}`);

function amountIn(path: string, month: string): number {
  const series = baselineParameters().series(path);
  const entries = (series?.entries ?? []).filter((e) => e.key <= `${month}-01`);
  const last = entries[entries.length - 1];
  if (!last) throw new Error(`no value of ${path} in ${month}`);
  return last.value;
}

/** Person-times of a category spread over the year: `count` split into 12 months (the first months one more). */
function perMonth(count: number): number[] {
  return MONTHS.map((_, i) => Math.floor(count / 12) + (i < count % 12 ? 1 : 0));
}

describeStores('seed check: 2020 Yangpu 粮油帮困 through twelve monthly runs', (ctx) => {
  let restore: () => void;
  beforeAll(() => {
    restore = setClock(fixedClock('2021-01-15T10:00:00+08:00'));
  });
  afterAll(() => restore());

  it('pays 64,954 card and 10,931 voucher person-times: 4,676,688 元 and 240,482 元', async () => {
    const groups = [
      ...CARD.map((count) => ({ kind: 'card' as const, months: perMonth(count) })),
      ...VOUCHER.map((count) => ({ kind: 'voucher' as const, months: perMonth(count) })),
    ];
    let cardTimes = 0;
    let voucherTimes = 0;
    let cardFen = 0;
    let voucherFen = 0;
    for (const [m, month] of MONTHS.entries()) {
      const { run } = await inUnitOfWork(ctx.store, actor(FINANCE, '发起粮油帮困发放'), (tx) =>
        startRun(tx, FINANCE, { districtCode: '310110', month }),
      );
      let lineNo = 0;
      let total = 0;
      for (const g of groups) {
        const n = g.months[m]!;
        const fen = amountIn(`grain_oil.${g.kind}`, month);
        await ctx.store.db
          .execute(sql`insert into payroll_lines (district_code, run_id, line_no, payable_kind,
            payable_id, program, committee_code, period, kind, amount_fen, entitlement_amount_fen, engine_amount_fen,
            basis_kind, state, payee_person_id)
          select '310110', ${run.id}::uuid, ${lineNo} + i, 'entitlement', gen_random_uuid(), 'grain_oil',
            '310110012001', ${month}, 'regular', ${fen}, ${fen}, ${fen}, 'entitlement', 'pending', gen_random_uuid()
          from generate_series(1, ${n}) as i`);
        lineNo += n;
        total += n * fen;
      }
      await inUnitOfWork(
        ctx.store,
        { userId: 'system:job-runner', divisionCode: null, reason: '发放计算' },
        (tx) =>
          completeComputation(
            tx,
            'system',
            { districtCode: '310110', runId: run.id },
            { lineCount: lineNo, totalFen: total, heldCount: 0, heldFen: 0 },
          ),
      );
      const key = { districtCode: '310110', runId: run.id };
      const v = (await findRun(ctx.store.db, key))!.version;
      await inUnitOfWork(ctx.store, actor(FINANCE2, '复核'), (tx) =>
        actOnRun(tx, FINANCE2, { ...key, action: 'check', version: v }),
      );
      const approved = await inUnitOfWork(ctx.store, actor(APPROVER, '审批'), (tx) =>
        actOnRun(tx, APPROVER, { ...key, action: 'approve', version: v + 1 }),
      );
      expect(approved.state).toBe('approved');
      const detail = await getRun(ctx.store.db, APPROVER, key);
      const grain = detail.totals.find((t) => t.program === 'grain_oil')!;
      const card = amountIn('grain_oil.card', month);
      const byAmount = await ctx.store.db.execute(sql`select amount_fen, count(*)::int as n from payroll_lines
        where district_code = '310110' and run_id = ${run.id}::uuid group by amount_fen`);
      for (const r of (byAmount as { rows: { amount_fen: string | number; n: number }[] }).rows) {
        if (Number(r.amount_fen) === card) {
          cardTimes += r.n;
          cardFen += r.n * card;
        } else {
          voucherTimes += r.n;
          voucherFen += r.n * Number(r.amount_fen);
        }
      }
      expect(grain.amountFen).toBe(total);
    }
    expect(cardTimes).toBe(64_954);
    expect(voucherTimes).toBe(10_931);
    expect(cardTimes + voucherTimes).toBe(75_885);
    expect(cardFen).toBe(467_668_800);
    expect(voucherFen).toBe(24_048_200);
  });
});
