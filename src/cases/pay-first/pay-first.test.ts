import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { prepareDecision } from '../../entitlements/decision.service.ts';
import { listEntitlements } from '../../entitlements/entitlement.service.ts';
import {
  CASEWORKER as PREPARER,
  caseworkerActor,
  seedCase,
  type SeededCase,
} from '../../entitlements/entitlements.fixtures.ts';
import { baselineParameters, parseMonth } from '../../policy/index.ts';
import { reformFromOverrides } from '../../policy/engine/reform-overrides.ts';
import { calendarFor } from '../../verification/verification.fixtures.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { ConflictError } from '../../workflow/workflow.errors.ts';
import { findCase } from '../case.repository.ts';
import { getCase } from '../case.service.ts';
import { caseDeps } from '../case.wiring.ts';
import type { CaseDeps } from '../case.deps.ts';
import type { CasesError } from '../cases.errors.ts';
import { act, actor, APPROVER, CASEWORKER, COMMITTEE } from '../cases.fixtures.ts';
import type { Step } from '../cases.steps.ts';
import { approvalNoticeDocument } from '../notices/approval.document.ts';
import { caseNoticeData } from '../notices/notice.data.ts';
import { placeCase } from '../tekun/tekun.fixtures.ts';
import { payFirst } from './pay-first.service.ts';

const STEPS: Step[] = ['verify', 'visit', 'review', 'decide'];

async function refusal(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('not refused');
}

describeStores('先行救助 (pay first, verify after)', (ctx) => {
  let restore: () => void;
  let deps: CaseDeps;
  let paid: SeededCase;
  let denied: SeededCase;

  const record = (c: SeededCase, amountFen: number) => ({
    program: 'temporary',
    amountFen,
    payeePersonId: c.adult.id,
    bankName: '上海农商银行',
    accountNo: '6222000012345678',
  });
  const pay = (c: SeededCase, version: number, amountFen: number, caller = CASEWORKER) =>
    act(ctx.store, deps, caller, {
      id: c.caseId,
      action: 'pay_first',
      version,
      reason: '突发火灾，基本生活陷入困境',
      record: record(c, amountFen),
    });
  const show = (c: SeededCase) => getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.caseId });

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-02T10:00:00+08:00'));
    deps = caseDeps(await calendarFor(ctx.store));
    paid = await seedCase(ctx.store, 'PF1', { programs: ['temporary'] });
    denied = await seedCase(ctx.store, 'PF2', { programs: ['temporary'] });
  });
  afterAll(() => restore());

  it('is offered to the street once the case is accepted, refused to other roles, from other states and over the limit', async () => {
    const v = await placeCase(ctx.store, paid.caseId, 'accepted', STEPS);
    expect((await show(paid)).allowedActions).toContain('pay_first');
    for (const caller of [COMMITTEE, APPROVER]) {
      const refused = await refusal(pay(paid, v, 10000, caller));
      expect((refused as CasesError).code).toBe('forbidden');
    }
    const over = await refusal(pay(paid, v, 200001));
    expect(over.message).toContain('先行救助金额 2000.01 元超过临时救助先行救助上限 2000.00 元');
    const visit = await placeCase(ctx.store, denied.caseId, 'visit', STEPS);
    const late = await refusal(pay(denied, visit, 10000));
    expect(late).toBeInstanceOf(ConflictError);
    expect(late.message).toContain('核对报告出具前');
    const shown = await show(paid);
    expect([shown.payFirst, shown.version]).toEqual([[], v]);
  });

  it('pays within the limit: a one-off entitlement with the case as its basis; once only', async () => {
    let v = (await show(paid)).version;
    v = (await pay(paid, v, 100000)).version;
    const shown = await show(paid);
    expect(shown.payFirst).toMatchObject([
      { program: 'temporary', amountFen: 100000, limitFen: 200000, paidOn: '2026-12-02', settledAt: null },
    ]);
    expect(shown.allowedActions).not.toContain('pay_first');
    const { items } = await listEntitlements(ctx.store.db, PREPARER, { caseId: paid.caseId });
    expect(items).toMatchObject([
      {
        program: 'temporary',
        schedule: 'once',
        amountFen: 100000,
        fromMonth: '2026-12',
        toMonth: '2026-12',
        basis: { kind: 'pay_first', caseId: paid.caseId },
      },
    ]);
    const twice = await refusal(pay(paid, v, 1000));
    expect(twice.message).toContain('已先行救助');
  });

  it('applies the limit in force on the day paid (a dated parameter)', async () => {
    // From 2027-01 the limit is 500 元 in this store; in 2026-12 the 2000 元 still applies.
    const lowered = reformFromOverrides(
      baselineParameters(),
      [{ parameter: 'cases.pay_first_limit.temporary', value: 50000 }],
      parseMonth('2027-01'),
    );
    const v = await placeCase(ctx.store, denied.caseId, 'verifying', STEPS);
    const attempt = (at: string) => {
      const back = setClock(fixedClock(at));
      return inUnitOfWork(ctx.store, actor(CASEWORKER, '先行救助'), async (tx) => {
        const row = (await findCase(tx.db, CASEWORKER.scope, '310110', denied.caseId))!;
        return payFirst(
          tx,
          CASEWORKER,
          row,
          { version: v, reason: '突发重病', record: record(denied, 150000) },
          at.slice(0, 10),
          lowered,
        );
      }).finally(back);
    };
    const january = await refusal(attempt('2027-01-05T10:00:00+08:00'));
    expect(january.message).toContain('上限 500.00 元（2027-01-05 适用）');
    const december = await attempt('2026-12-02T10:00:00+08:00');
    expect(december.version).toBe(v + 1);
  });

  it('counts the amount paid first at approval: the entitlements together make the engine amount', async () => {
    const v = await placeCase(ctx.store, paid.caseId, 'deciding', STEPS);
    const decision = await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      prepareDecision(tx, PREPARER, {
        districtCode: '310110',
        caseId: paid.caseId,
        month: '2026-12',
        temporaryAssistanceMonths: 1,
        lines: [{ program: 'temporary', outcome: 'granted' }],
        payees: [
          {
            beneficiaryId: paid.householdId,
            payeePersonId: paid.adult.id,
            bankName: '上海农商银行',
            accountNo: '6222000012345678',
          },
        ],
      }),
    );
    const engineFen = decision.lines[0]!.amountFen;
    expect(engineFen).toBeGreaterThan(100000);
    await act(ctx.store, deps, APPROVER, { id: paid.caseId, action: 'approve', version: v });
    const { items } = await listEntitlements(ctx.store.db, PREPARER, { caseId: paid.caseId });
    expect(items.map((e) => e.amountFen).sort((a, b) => a - b)).toEqual([100000, engineFen - 100000]);
    expect(items.reduce((sum, e) => sum + e.amountFen, 0)).toBe(engineFen);
    expect((await show(paid)).payFirst).toMatchObject([
      { settledOutcome: 'granted', countedFen: 100000, overpaidFen: 0, overpaidReason: null },
    ]);
    const notice = await caseNoticeData(
      ctx.store.db,
      CASEWORKER,
      { districtCode: '310110', id: paid.caseId },
      'approval',
      { calendar: await calendarFor(ctx.store), today: '2026-12-02' },
    );
    if (notice.kind !== 'approval') throw new Error('not an approval notice');
    expect(notice.data.paidFirst).toEqual([
      { programName: '临时救助', paidOn: '2026-12-02', countedFen: 100000 },
    ]);
    expect(JSON.stringify(approvalNoticeDocument(notice.data).blocks)).toContain(
      '临时救助已于2026年12月2日先行救助1,000.00元，计入上表金额',
    );
  });

  it('records the whole amount as overpaid, with why, when the case is denied after paying first', async () => {
    const v = await placeCase(ctx.store, denied.caseId, 'deciding', STEPS);
    await act(ctx.store, deps, APPROVER, {
      id: denied.caseId,
      action: 'deny',
      version: v,
      reason: '核对发现家庭存款超过标准',
    });
    const [row] = (await show(denied)).payFirst;
    expect(row).toMatchObject({ settledOutcome: 'denied', countedFen: 0, overpaidFen: 150000 });
    expect(row!.overpaidReason).toContain('核对发现家庭存款超过标准');
    expect(row!.overpaidReason).toContain('先行救助 1500.00 元应予追回');
  });
});
