import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import type { SeededHousehold } from '../verification/verification.fixtures.ts';
import { ConflictError, WorkflowError } from '../workflow/workflow.errors.ts';
import { getCase, listCases } from './case.service.ts';
import { CasesError } from './cases.errors.ts';
import {
  act,
  APPROVER,
  APPROVER2,
  CASEWORKER,
  CASEWORKER2,
  COMMITTEE,
  intake,
  OTHER_STREET,
  seedCaseHousehold,
  testDeps,
  type FakeDeps,
} from './cases.fixtures.ts';

async function refusal(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('not refused');
}

const visit = {
  visitedOn: '2026-11-02',
  visitors: ['张三', '李四'],
  checklist: { housing: true },
  notes: '家中无贵重物品',
};
const evaluation = {
  heldOn: '2026-11-02',
  participants: ['甲', '乙', '丙'],
  votesFor: 3,
  votesAgainst: 0,
  votesAbstain: 0,
  opinion: '同意',
};

describeStores('cases: intake, steps and decisions', (ctx) => {
  let restore: () => void;
  let deps: FakeDeps;
  let seeded: SeededHousehold;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-11-02T10:00:00+08:00'));
    deps = await testDeps(ctx.store);
    seeded = await seedCaseHousehold(ctx.store, 'C1', '2026-10-30');
  });
  afterAll(() => restore());

  it('registers at the counter in 待受理 with a code and the acceptance due date; refuses bad input naming every problem', async () => {
    const view = await intake(ctx.store, deps, seeded);
    expect(view.caseNo).toMatch(/^SA310110-2026-\d{6}$/);
    expect(view.state).toBe('draft');
    expect(view.dueOn).toBe('2026-11-05');
    expect(view.contactPhone).toBe('138****5678');
    expect(view.timeline.map((e) => e.action)).toEqual(['intake']);
    const bad = await refusal(intake(ctx.store, deps, seeded, ['dibao', 'nonsense']).then(() => undefined));
    expect(bad).toBeInstanceOf(CasesError);
    expect((bad as CasesError).message).toContain('nonsense');
    const outside = await refusal(intake(ctx.store, deps, seeded, ['dibao'], OTHER_STREET));
    expect((outside as CasesError).code).toBe('not_found');
  });

  it('goes through every required step in order, refusing a skipped step and a stale version', async () => {
    const c = await intake(ctx.store, deps, seeded);
    const key = { id: c.id };
    let v = (await act(ctx.store, deps, CASEWORKER, { ...key, action: 'accept', version: 1 })).version;
    let shown = await getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.id }, '2026-11-02');
    expect(shown.requiredSteps).toEqual(['verify', 'visit', 'evaluation', 'review', 'publicity', 'decide']);
    expect(shown.state).toBe('accepted');
    // Skipping: 审核 while the case waits for its verification.
    const skipped = await refusal(
      act(ctx.store, deps, CASEWORKER, {
        ...key,
        action: 'record_review',
        version: v,
        record: { opinion: '同意' },
      }),
    );
    expect(skipped).toBeInstanceOf(ConflictError);
    expect((skipped as ConflictError).code).toBe('wrong_state');
    const stale = await refusal(
      act(ctx.store, deps, CASEWORKER, { ...key, action: 'start_verification', version: v - 1 }),
    );
    expect((stale as ConflictError).code).toBe('stale_version');
    v = (await act(ctx.store, deps, CASEWORKER, { ...key, action: 'start_verification', version: v }))
      .version;
    shown = await getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.id }, '2026-11-02');
    expect(shown.verificationRequestId).not.toBeNull();
    const early = await refusal(act(ctx.store, deps, CASEWORKER, { ...key, action: 'verified', version: v }));
    expect(early.message).toContain('核对报告尚未出具');
    deps.reports.add(shown.verificationRequestId!);
    v = (await act(ctx.store, deps, CASEWORKER, { ...key, action: 'verified', version: v })).version;
    const noVisitors = await refusal(
      act(ctx.store, deps, COMMITTEE, {
        ...key,
        action: 'record_visit',
        version: v,
        record: { ...visit, visitors: [] },
      }),
    );
    expect(noVisitors.message).toContain('调查人员');
    v = (await act(ctx.store, deps, COMMITTEE, { ...key, action: 'record_visit', version: v, record: visit }))
      .version;
    v = (
      await act(ctx.store, deps, COMMITTEE, {
        ...key,
        action: 'record_evaluation',
        version: v,
        record: evaluation,
      })
    ).version;
    v = (
      await act(ctx.store, deps, CASEWORKER, {
        ...key,
        action: 'record_review',
        version: v,
        record: { opinion: '符合条件' },
      })
    ).version;
    v = (await act(ctx.store, deps, CASEWORKER, { ...key, action: 'start_publicity', version: v })).version;
    shown = await getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.id }, '2026-11-02');
    expect(shown.steps.publicity).toMatchObject({ startsOn: '2026-11-02', endsOn: '2026-11-08', days: 7 });
    expect(shown.dueOn).toBe('2026-11-08');
    v = (
      await act(ctx.store, deps, CASEWORKER, {
        ...key,
        action: 'record_objection',
        version: v,
        record: { receivedOn: '2026-11-02', content: '邻居反映有车辆', handling: '经核实车辆已于2025年出售' },
      })
    ).version;
    const tooEarly = await refusal(
      act(ctx.store, deps, CASEWORKER, { ...key, action: 'end_publicity', version: v }),
    );
    expect(tooEarly.message).toContain('期满');
    const back = setClock(fixedClock('2026-11-09T10:00:00+08:00'));
    try {
      v = (await act(ctx.store, deps, CASEWORKER, { ...key, action: 'end_publicity', version: v })).version;
      const notTheirs = await refusal(
        act(ctx.store, deps, CASEWORKER, { ...key, action: 'approve', version: v }),
      );
      expect(notTheirs).toBeInstanceOf(WorkflowError);
      expect((notTheirs as WorkflowError).code).toBe('forbidden');
      const done = await act(ctx.store, deps, APPROVER, { ...key, action: 'approve', version: v });
      expect(done.state).toBe('approved');
      expect(deps.decided).toContainEqual({ action: 'grant', caseId: c.id, by: 'u-ap1' });
      const again = await refusal(
        act(ctx.store, deps, APPROVER, { ...key, action: 'deny', version: done.version, reason: '重复' }),
      );
      expect((again as ConflictError).code).toBe('wrong_state');
      shown = await getCase(ctx.store.db, APPROVER, { districtCode: '310110', id: c.id }, '2026-11-09');
      expect(shown.timeline.map((e) => e.action)).toEqual([
        'intake',
        'accept',
        'start_verification',
        'verified',
        'record_visit',
        'record_evaluation',
        'record_review',
        'end_publicity',
        'approve',
      ]);
      expect(shown.steps.objections).toHaveLength(1);
      expect(shown.allowedActions).toEqual([]);
    } finally {
      back();
    }
  });

  it('passes the verification module’s refusal through when the household has not authorised', async () => {
    const { seedHousehold } = await import('../verification/verification.fixtures.ts');
    const bare = await seedHousehold(ctx.store, 'C2');
    const c = await intake(ctx.store, deps, bare);
    const v = (await act(ctx.store, deps, CASEWORKER, { id: c.id, action: 'accept', version: 1 })).version;
    const error = await refusal(
      act(ctx.store, deps, CASEWORKER, { id: c.id, action: 'start_verification', version: v }),
    );
    expect((error as { code?: string }).code).toBe('authorisation_missing');
    const rows = await selectRows<{ state: string }>(
      ctx.store.db,
      sql`select state from cases where id = ${c.id}::uuid`,
    );
    expect(rows[0]?.state).toBe('accepted');
  });

  it('refuses to let the street confirm its own registration; another caseworker may', async () => {
    const other = await seedCaseHousehold(ctx.store, 'C3', '2026-10-30');
    const c = await intake(ctx.store, deps, other, ['temporary']);
    let v = (await act(ctx.store, deps, CASEWORKER2, { id: c.id, action: 'accept', version: 1 })).version;
    v = (await act(ctx.store, deps, CASEWORKER2, { id: c.id, action: 'start_verification', version: v }))
      .version;
    const shown = await getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.id }, '2026-11-02');
    expect(shown.decider).toBe('street');
    expect(shown.requiredSteps).toEqual(['verify', 'visit', 'review', 'decide']);
    deps.reports.add(shown.verificationRequestId!);
    v = (await act(ctx.store, deps, CASEWORKER2, { id: c.id, action: 'verified', version: v })).version;
    v = (
      await act(ctx.store, deps, CASEWORKER2, { id: c.id, action: 'record_visit', version: v, record: visit })
    ).version;
    v = (
      await act(ctx.store, deps, CASEWORKER2, {
        id: c.id,
        action: 'record_review',
        version: v,
        record: { opinion: '同意' },
      })
    ).version;
    const own = await refusal(act(ctx.store, deps, CASEWORKER, { id: c.id, action: 'approve', version: v }));
    expect(own.message).toContain('不能审批本人登记的申请');
    const visited = await refusal(
      act(ctx.store, deps, CASEWORKER2, { id: c.id, action: 'approve', version: v }),
    );
    expect(visited.message).toContain('不能审批本人入户调查的申请');
    const denyNoReason = await refusal(
      act(ctx.store, deps, CASEWORKER2, { id: c.id, action: 'deny', version: v }),
    );
    expect(denyNoReason.message).toContain('理由');
    const denied = await act(ctx.store, deps, CASEWORKER2, {
      id: c.id,
      action: 'deny',
      version: v,
      reason: '收入超过标准',
    });
    expect(denied.state).toBe('denied');
  });

  it('flags a relative of staff: the relative may not act, the declaration is needed, and two different approvers', async () => {
    const other = await seedCaseHousehold(ctx.store, 'C4', '2026-10-30');
    deps.conflicts.push({
      staff: { staffId: 's1', userId: 'u-cw2', name: '赵经办', roleName: '街道经办人' },
      member: { personId: other.adults[0]!.id, name: '王C4' },
      relation: { name: '兄弟姐妹' },
      foundByName: '本人备案',
    });
    const c = await intake(ctx.store, deps, other, ['temporary']);
    let v: number;
    try {
      v = (await act(ctx.store, deps, CASEWORKER, { id: c.id, action: 'accept', version: 1 })).version;
    } finally {
      deps.conflicts.length = 0;
    }
    const relative = await refusal(
      act(ctx.store, deps, CASEWORKER2, { id: c.id, action: 'start_verification', version: v }),
    );
    expect((relative as CasesError).code).toBe('relative_conflict');
    v = (await act(ctx.store, deps, CASEWORKER, { id: c.id, action: 'start_verification', version: v }))
      .version;
    const s = await getCase(ctx.store.db, CASEWORKER, { districtCode: '310110', id: c.id }, '2026-11-02');
    expect(s.relativesFlagged).toBe(true);
    expect(s.secondApproverRequired).toBe(true);
    deps.reports.add(s.verificationRequestId!);
    v = (await act(ctx.store, deps, CASEWORKER, { id: c.id, action: 'verified', version: v })).version;
    v = (
      await act(ctx.store, deps, COMMITTEE, { id: c.id, action: 'record_visit', version: v, record: visit })
    ).version;
    v = (
      await act(ctx.store, deps, CASEWORKER, {
        id: c.id,
        action: 'record_review',
        version: v,
        record: { opinion: '同意' },
      })
    ).version;
    // The street decides 临时救助; a third caseworker of the street is the first approver, the committee cannot.
    const third = { ...CASEWORKER, userId: 'u-cw3' };
    const fourth = { ...CASEWORKER, userId: 'u-cw4' };
    const undeclared = await refusal(
      act(ctx.store, deps, third, { id: c.id, action: 'approve_first', version: v }),
    );
    expect(undeclared.message).toContain('近亲属备案');
    v = (await act(ctx.store, deps, CASEWORKER, { id: c.id, action: 'declare_relatives', version: v }))
      .version;
    const single = await refusal(act(ctx.store, deps, third, { id: c.id, action: 'approve', version: v }));
    expect(single.message).toContain('两名审批人');
    v = (await act(ctx.store, deps, third, { id: c.id, action: 'approve_first', version: v })).version;
    const same = await refusal(act(ctx.store, deps, third, { id: c.id, action: 'approve', version: v }));
    expect(same.message).toContain('第二审批人须与第一审批人不同');
    const done = await act(ctx.store, deps, fourth, { id: c.id, action: 'approve', version: v });
    expect(done.state).toBe('approved');
  });

  it('lists by due date inside the scope, with the overdue flag and filters', async () => {
    const mine = await listCases(ctx.store.db, CASEWORKER, { limit: 50, offset: 0 }, '2026-11-20');
    expect(mine.total).toBeGreaterThanOrEqual(5);
    const dues = mine.items.map((i) => i.dueOn ?? '9999');
    expect([...dues].sort()).toEqual(dues);
    expect(mine.items.some((i) => i.overdue)).toBe(true);
    // Names, not ids: every listed case names its applicant (a member of the household in the registry).
    expect(mine.items.every((i) => i.applicantName !== null && i.applicantName.length > 0)).toBe(true);
    const overdue = await listCases(ctx.store.db, CASEWORKER, {
      overdueOn: '2026-11-20',
      limit: 50,
      offset: 0,
    });
    expect(overdue.items.every((i) => i.dueOn !== null && i.dueOn < '2026-11-20')).toBe(true);
    const temporary = await listCases(ctx.store.db, APPROVER2, {
      program: 'temporary',
      limit: 50,
      offset: 0,
    });
    expect(temporary.items.every((i) => i.programs.includes('temporary'))).toBe(true);
    const elsewhere = await listCases(ctx.store.db, OTHER_STREET, { limit: 50, offset: 0 });
    expect(elsewhere.total).toBe(0);
  });
});

describe('case numbers', () => {
  it('are SA, the district, the year and a six-digit serial', async () => {
    const { caseNumber } = await import('./case.service.ts');
    expect(caseNumber('310110', 2026, 123)).toBe('SA310110-2026-000123');
  });
});
