import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { divisionScope } from '../../auth/scope.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { prepareDecision } from '../../entitlements/decision.service.ts';
import { getEntitlement, listEntitlements } from '../../entitlements/entitlement.service.ts';
import {
  APPROVER,
  approverActor,
  CASEWORKER,
  caseworkerActor,
  seedCase,
  type SeededCase,
} from '../../entitlements/entitlements.fixtures.ts';
import { addFact } from '../../registry/facts/facts.service.ts';
import { calendarFor } from '../../verification/verification.fixtures.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { ConflictError } from '../../workflow/workflow.errors.ts';
import { actOnCase } from '../case.actions.ts';
import type { CaseCaller } from '../case.deps.ts';
import { caseDeps } from '../case.wiring.ts';
import type { CasesError } from '../cases.errors.ts';
import { reportChange } from '../changes/change.service.ts';
import { householdType, nextReviewMonth, reviewCaseSteps, reviewDecider } from './review.parameters.ts';
import { listDueReviews, openDueReviews, openReview } from './review.service.ts';

const SYSTEM: CaseCaller = { scope: divisionScope('310110'), role: 'system', userId: null };
const CASEWORKER2: CaseCaller = { ...CASEWORKER, userId: 'u-street-2' };
const COMMITTEE: CaseCaller = {
  scope: divisionScope('310110012001'),
  role: 'committee_assistant',
  userId: 'u-com',
};
const OTHER: CaseCaller = { scope: divisionScope('310110016'), role: 'street_caseworker', userId: 'u-o' };

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

describe('review schedule parameters', () => {
  it('reviews 低保 households with members able to work every 6 months, the others every 12', () => {
    expect(
      nextReviewMonth({ program: 'dibao', type: 'labour', baseMonth: '2026-12', newCase: true }),
    ).toEqual({
      intervalMonths: 6,
      nextDueMonth: '2027-06',
      countedFrom: '2026-12',
    });
    expect(
      nextReviewMonth({ program: 'dibao', type: 'no_labour', baseMonth: '2026-12', newCase: true })
        .nextDueMonth,
    ).toBe('2027-12');
    expect(
      nextReviewMonth({ program: 'tekun', type: 'labour', baseMonth: '2026-12', newCase: true }).nextDueMonth,
    ).toBe('2027-12');
  });

  it('suspends 定期复审 of new 低保 and 特困 cases in 2020 (a dated parameter), counting from its end', () => {
    const dibao = nextReviewMonth({ program: 'dibao', type: 'labour', baseMonth: '2020-03', newCase: true });
    expect(dibao).toEqual({ intervalMonths: 6, nextDueMonth: '2021-07', countedFrom: '2021-01' });
    const tekun = nextReviewMonth({
      program: 'tekun',
      type: 'no_labour',
      baseMonth: '2020-02',
      newCase: true,
    });
    expect(tekun.countedFrom).toBe('2021-01');
    // Not a new case (a review decided in 2020) nor a program the suspension names: counted as usual.
    expect(
      nextReviewMonth({ program: 'dibao', type: 'labour', baseMonth: '2020-03', newCase: false })
        .nextDueMonth,
    ).toBe('2020-09');
    expect(
      nextReviewMonth({ program: 'rigid_expense', type: 'labour', baseMonth: '2020-03', newCase: true })
        .nextDueMonth,
    ).toBe('2020-09');
    expect(
      nextReviewMonth({ program: 'dibao', type: 'labour', baseMonth: '2019-12', newCase: true }).nextDueMonth,
    ).toBe('2020-06');
  });

  it('derives the household type from members’ ages and severe disability', () => {
    const elder = { birthDate: '1950-01-01', disabilityGrade: null };
    const adult = { birthDate: '1985-01-01', disabilityGrade: null };
    const child = { birthDate: '2016-01-01', disabilityGrade: null };
    expect(householdType([elder, child], '2026-12')).toBe('no_labour');
    expect(householdType([elder, adult], '2026-12')).toBe('labour');
    expect(householdType([{ ...adult, disabilityGrade: 1 as const }, elder], '2026-12')).toBe('no_labour');
  });

  it('gives reviews 核对 → 入户调查 → 审核 → 审批 and changes 核对 → 审核 → 审批, decided by the district', () => {
    expect(reviewCaseSteps('review', '2026-12-01')).toEqual(['verify', 'visit', 'review', 'decide']);
    expect(reviewCaseSteps('change', '2026-12-01')).toEqual(['verify', 'review', 'decide']);
    expect(reviewDecider('review', '2026-12-01')).toBe('district');
    expect(reviewDecider('exit', '2026-12-01')).toBe('street');
  });
});

describeStores('reviews and change cases', (ctx) => {
  let restore: () => void;
  let main: SeededCase;

  const grantAsApprover = async (c: SeededCase, month = '2026-12') => {
    await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      prepareDecision(tx, CASEWORKER, {
        districtCode: '310110',
        caseId: c.caseId,
        month,
        lines: [
          { program: 'dibao', outcome: 'granted' },
          { program: 'kunjing_child', outcome: 'denied', reasons: ['另案办理'] },
        ],
        payees: [
          {
            beneficiaryId: c.householdId,
            payeePersonId: c.adult.id,
            bankName: '上海农商银行',
            accountNo: '6222000011112222',
          },
        ],
      }),
    );
    const deps = caseDeps(await calendarFor(ctx.store));
    await inUnitOfWork(ctx.store, approverActor, (tx) =>
      deps.decisions.grant(tx, APPROVER, { districtCode: '310110', caseId: c.caseId }),
    );
  };
  const casesOf = async (householdId: string) =>
    (
      await selectRows<{ n: number }>(
        ctx.store.db,
        sql`select count(*)::int as n from cases where household_id = ${householdId}::uuid`,
      )
    )[0]!.n;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    main = await seedCase(ctx.store, 'R1');
    await grantAsApprover(main);
  });
  afterAll(() => restore());

  it('schedules the review when the grant is decided, and lists the household as due from that month', async () => {
    const [schedule] = await selectRows<{ household_type: string; next_due_month: string }>(
      ctx.store.db,
      sql`select household_type, next_due_month from case_review_schedules where household_id = ${main.householdId}::uuid`,
    );
    expect(schedule).toEqual({ household_type: 'labour', next_due_month: '2027-06' });
    const early = await listDueReviews(ctx.store.db, CASEWORKER, { month: '2027-05', limit: 20, offset: 0 });
    expect(early.items.find((i) => i.householdId === main.householdId)).toBeUndefined();
    const due = await listDueReviews(ctx.store.db, CASEWORKER, { month: '2027-06', limit: 20, offset: 0 });
    const item = due.items.find((i) => i.householdId === main.householdId)!;
    expect(item).toMatchObject({ dueMonth: '2027-06', programNames: ['最低生活保障'], openCase: null });
    const other = await listDueReviews(ctx.store.db, OTHER, { month: '2027-06', limit: 20, offset: 0 });
    expect(other.items).toHaveLength(0);
  });

  it('opens review cases idempotently: a second run, or a caseworker’s button, opens nothing twice', async () => {
    const calendar = await calendarFor(ctx.store);
    const run = () =>
      inUnitOfWork(ctx.store, { userId: null, divisionCode: '310110', reason: '开启定期复审' }, (tx) =>
        openDueReviews(tx, SYSTEM, calendar, {
          districtCode: '310110',
          month: '2027-06',
          after: '00000000-0000-0000-0000-000000000000',
          limit: 50,
          batchKey: 'test#1',
        }),
      );
    const first = await run();
    expect(first.opened).toBe(1);
    const second = await run();
    expect(second.opened).toBe(0);
    const [review] = await selectRows<{ kind: string; state: string; required_steps: string[] }>(
      ctx.store.db,
      sql`select kind, state, required_steps from cases where household_id = ${main.householdId}::uuid and kind = 'review'`,
    );
    expect(review).toMatchObject({ kind: 'review', state: 'accepted' });
    expect(review!.required_steps).toEqual(['verify', 'visit', 'review', 'decide']);
    const again = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        openReview(tx, CASEWORKER, calendar, {
          districtCode: '310110',
          householdId: main.householdId,
          month: '2027-06',
        }),
      ),
    );
    expect((again as CasesError).message).toContain('已有办理中的复审');
    const audit = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'cases.reviews_opened'`,
    );
    expect(audit[0]!.n).toBe(1);
  });

  it('a change case lowers the amount from a month, with history and the change case as basis', async () => {
    const c = await seedCase(ctx.store, 'R2');
    await grantAsApprover(c);
    const calendar = await calendarFor(ctx.store);
    const reported = await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      reportChange(tx, CASEWORKER, calendar, {
        districtCode: '310110',
        householdId: c.householdId,
        changeKind: 'income',
        occurredOn: '2026-12-01',
        note: '申请人重新就业，月工资 1500 元',
      }),
    );
    expect(reported.case).toMatchObject({ kind: 'change', state: 'accepted', programs: ['dibao'] });
    expect(reported.change).toMatchObject({ exit: false, effectiveMonth: '2027-01' });
    await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      addFact(
        tx,
        CASEWORKER.scope,
        { subjectType: 'person', districtCode: '310110', subjectId: c.adult.id },
        {
          kind: 'wage',
          amountFen: 150_000,
          validFrom: '2026-12-01',
          sourceKind: 'verified',
          sourceRef: '核对',
        },
      ),
    );
    // The change case's steps (核对, 审核) are the case module's, tested there: here it rests on the report.
    await ctx.store.db.execute(
      sql`update cases set state = 'deciding', verification_request_id = ${c.requestId}::uuid where id = ${reported.case.id}::uuid`,
    );
    const before = (await listEntitlements(ctx.store.db, APPROVER, { householdId: c.householdId })).items[0]!;
    await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      prepareDecision(tx, CASEWORKER, {
        districtCode: '310110',
        caseId: reported.case.id,
        month: '2027-01',
        lines: [{ program: 'dibao', outcome: 'granted' }],
        payees: [],
      }),
    );
    const deps = caseDeps(calendar);
    await inUnitOfWork(ctx.store, approverActor, (tx) =>
      deps.decisions.grant(tx, APPROVER, { districtCode: '310110', caseId: reported.case.id }),
    );
    const after = await getEntitlement(ctx.store.db, APPROVER, before);
    expect(after.amountFen).toBeLessThan(before.amountFen);
    expect(after.state).toBe('active');
    expect(after.payee.accountNo).toBe('6222000011112222');
    const change = after.history.at(-1)!;
    expect(change).toMatchObject({ kind: 'amount_changed', effectiveMonth: '2027-01' });
    expect(change.basis).toEqual({ kind: 'decision', caseId: reported.case.id, program: 'dibao' });
    expect((change.before as { amountFen: number }).amountFen).toBe(before.amountFen);
  });

  it('a death leaving nobody stops the entitlements from the next month after the street’s review', async () => {
    const c = await seedCase(ctx.store, 'R3');
    await grantAsApprover(c);
    // The others left the household before (their memberships ended): the adult lived alone when he died.
    await ctx.store.db.execute(
      sql`update household_members set valid_to = '2026-11-15' where household_id = ${c.householdId}::uuid and person_id <> ${c.adult.id}::uuid`,
    );
    const calendar = await calendarFor(ctx.store);
    const deps = caseDeps(calendar);
    const reported = await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      reportChange(tx, CASEWORKER, calendar, {
        districtCode: '310110',
        householdId: c.householdId,
        changeKind: 'death',
        occurredOn: '2026-12-01',
        note: '户主因病去世',
        subjectPersonId: c.adult.id,
      }),
    );
    expect(reported.change.exit).toBe(true);
    expect(reported.case).toMatchObject({
      state: 'review',
      decider: 'street',
      requiredSteps: ['review', 'decide'],
    });
    const key = { districtCode: '310110', id: reported.case.id };
    await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      actOnCase(tx, CASEWORKER, deps, {
        ...key,
        action: 'record_review',
        version: 1,
        record: { opinion: '情况属实，停发' },
      }),
    );
    // Stale version: refused, nothing changed.
    const stale = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        actOnCase(tx, CASEWORKER2, deps, { ...key, action: 'approve', version: 1 }),
      ),
    );
    expect(stale).toBeInstanceOf(ConflictError);
    await inUnitOfWork(ctx.store, { ...caseworkerActor, userId: 'u-street-2' }, (tx) =>
      actOnCase(tx, CASEWORKER2, deps, { ...key, action: 'approve', version: 2 }),
    );
    const [dibao] = (await listEntitlements(ctx.store.db, APPROVER, { householdId: c.householdId })).items;
    const detail = await getEntitlement(ctx.store.db, APPROVER, dibao!);
    expect(detail).toMatchObject({ state: 'stopped', toMonth: '2026-12' });
    const stop = detail.history.at(-1)!;
    expect(stop).toMatchObject({ kind: 'stopped', effectiveMonth: '2027-01' });
    expect(stop.basis).toEqual({ kind: 'decision', caseId: reported.case.id, program: 'dibao' });
    expect(stop.reason).toContain('死亡');
    // Nothing open any more: no change can be reported, and the household is no longer due for review.
    const closed = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        reportChange(tx, CASEWORKER, calendar, {
          districtCode: '310110',
          householdId: c.householdId,
          changeKind: 'other',
          occurredOn: '2026-12-01',
          note: '其他情况',
        }),
      ),
    );
    expect((closed as CasesError).message).toContain('没有发放中的待遇');
    const due = await listDueReviews(ctx.store.db, CASEWORKER, { month: '2027-12', limit: 50, offset: 0 });
    expect(due.items.find((i) => i.householdId === c.householdId)).toBeUndefined();
  });

  it('refuses a change report from a wrong role or division, changing nothing', async () => {
    const calendar = await calendarFor(ctx.store);
    const n = await casesOf(main.householdId);
    const input = {
      districtCode: '310110',
      householdId: main.householdId,
      changeKind: 'income',
      occurredOn: '2026-11-20',
      note: '收入增加',
    };
    const role = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) => reportChange(tx, COMMITTEE, calendar, input)),
    );
    expect((role as CasesError).code).toBe('forbidden');
    const division = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) => reportChange(tx, OTHER, calendar, input)),
    );
    expect((division as CasesError).code).toBe('not_found');
    const bad = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        reportChange(tx, CASEWORKER, calendar, { ...input, changeKind: 'lottery', occurredOn: '2027-01-01' }),
      ),
    );
    expect((bad as CasesError).problems.length).toBe(2);
    expect(await casesOf(main.householdId)).toBe(n);
  });

  it('takes a 核对变化 only from a re-verification whose change list has the household', async () => {
    const calendar = await calendarFor(ctx.store);
    const n = await casesOf(main.householdId);
    const jobId = '7d1f3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b';
    const input = {
      districtCode: '310110',
      householdId: main.householdId,
      changeKind: 'recheck',
      occurredOn: '2026-11-20',
      note: '定期复核发现工资收入增加',
      recheckJobId: jobId,
    };
    const missing = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) => reportChange(tx, CASEWORKER, calendar, input)),
    );
    expect((missing as CasesError).problems).toEqual(['所注明的定期复核任务的变更清单中没有该户']);
    expect(await casesOf(main.householdId)).toBe(n);
    // The change list row a re-verification writes (src/verification/recheck), here by hand.
    await ctx.store.db.execute(sql`insert into verification_changes
      (district_code, job_id, request_id, household_id, person_id, kind, program, old_value, new_value, source,
       as_of, affects_eligibility, affects_amount, created_at)
      values ('310110', ${jobId}::uuid, gen_random_uuid(), ${main.householdId}::uuid, null, 'wage', 'dibao', 0,
       150000, 'tax', '2026-11-20', false, true, now())`);
    const { change } = await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      reportChange(tx, CASEWORKER, calendar, input),
    );
    expect(change.recheckJobId).toBe(jobId);
    expect(await casesOf(main.householdId)).toBe(n + 1);
  });
});
