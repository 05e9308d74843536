import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ensureInitialUsers } from '../auth/bootstrap.service.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { seedDivisions } from '../registry/registry.service.ts';
import { DEMO_SCENARIOS } from './demo-case-plan.ts';
import { seedDemoCases, type DemoCasesOutcome } from './demo-cases.ts';
import { seedDemoPopulation } from './demo.service.ts';

/**
 * The demo's cases on the demo population as `serve` loads it (20,000 persons, the demo seed): every state
 * of the plan is there, built through the services (audited, with timelines), the entitlements are exactly
 * the granted decision lines, and the advisers' records exist. The clock stands still on a working day.
 */
const TODAY = '2026-12-01';
const DISTRICT = '310110';

interface CaseRow {
  id: string;
  state: string;
  channel: string;
  due_on: string | null;
  verification_request_id: string | null;
  second_approver_required: boolean;
  first_approved_by: string | null;
  reason: string | null;
}

describeStores('demo cases', (ctx) => {
  let restore: () => void;
  let outcome: DemoCasesOutcome;
  let cases: CaseRow[];
  const rows = <T>(query: ReturnType<typeof sql>) => selectRows<T>(ctx.store.db, query);

  beforeAll(async () => {
    restore = setClock(fixedClock(`${TODAY}T16:00:00+08:00`));
    await seedDivisions(ctx.store);
    await seedDemoPopulation(ctx.store, { district: DISTRICT, persons: 20_000, seed: 'minzheng-demo' });
    await ensureInitialUsers(ctx.store, { district: DISTRICT, demo: true });
    outcome = await seedDemoCases(ctx.store, { district: DISTRICT, dataDir: '/nonexistent' });
    cases = await rows<CaseRow>(
      sql`select id, state, channel, due_on::text, verification_request_id, second_approver_required,
                 first_approved_by, reason from cases where district_code = ${DISTRICT}`,
    );
  }, 600_000);
  afterAll(() => restore());

  it('places every scenario of the plan and adds the second approver and the advisers', () => {
    if (outcome.status !== 'loaded') throw new Error(outcome.reason);
    expect(outcome.cases).toBe(DEMO_SCENARIOS.length);
    expect(cases).toHaveLength(DEMO_SCENARIOS.length);
    expect(outcome.accounts.map((a) => [a.username, a.role])).toEqual([
      ['approver2', 'district_approver'],
      ['adviser', 'assistance_adviser'],
      ['adviser2', 'assistance_adviser'],
    ]);
  });

  it('has cases in every state, counter and online drafts, and overdue ones', () => {
    const count = (state: string) => cases.filter((c) => c.state === state).length;
    const expected: Record<string, number> = {};
    for (const s of DEMO_SCENARIOS) {
      const state = s.target === 'deciding_first' ? 'deciding' : s.target;
      expected[state] = (expected[state] ?? 0) + 1;
    }
    for (const [state, n] of Object.entries(expected)) expect([state, count(state)]).toEqual([state, n]);
    const drafts = cases.filter((c) => c.state === 'draft');
    expect(new Set(drafts.map((c) => c.channel))).toEqual(new Set(['counter', 'online']));
    const open = cases.filter((c) => c.due_on !== null);
    const overdue = new Set(open.filter((c) => c.due_on! < TODAY).map((c) => c.state));
    for (const state of ['draft', 'verifying', 'visit', 'publicity']) expect(overdue).toContain(state);
    expect(open.some((c) => c.due_on! >= TODAY)).toBe(true);
    const twoApprovers = cases.filter((c) => c.second_approver_required);
    expect(twoApprovers).toHaveLength(1);
    expect(twoApprovers[0]).toMatchObject({ state: 'deciding' });
    expect(twoApprovers[0]!.first_approved_by).not.toBeNull();
    for (const c of cases.filter((x) => ['denied', 'not_accepted', 'returned'].includes(x.state))) {
      expect(c.reason?.length ?? 0).toBeGreaterThan(5);
    }
  });

  it('verifies on the simulated sources: every case past 受理 has a request, and past 核对 a report', async () => {
    const requests = await rows<{ id: string; state: string }>(
      sql`select id::text, state from verification_requests where district_code = ${DISTRICT}`,
    );
    const byId = new Map(requests.map((r) => [r.id, r.state]));
    const verifying = cases.filter((c) => !['draft', 'not_accepted', 'returned'].includes(c.state));
    for (const c of verifying) expect(byId.has(c.verification_request_id ?? '')).toBe(true);
    for (const c of verifying.filter((x) => x.state !== 'verifying')) {
      expect(['reported', 'in_review', 'reviewed']).toContain(byId.get(c.verification_request_id!));
    }
    const publicity = await rows<{ ends_on: string; state: string }>(
      sql`select p.ends_on::text, c.state from case_publicity p
            join cases c on c.district_code = p.district_code and c.id = p.case_id
           where c.state = 'publicity'`,
    );
    expect(publicity.some((p) => p.ends_on >= TODAY)).toBe(true);
    expect(publicity.some((p) => p.ends_on < TODAY)).toBe(true);
  });

  it('creates the entitlements of the granted lines, and none for denied cases', async () => {
    const lines = await rows<{
      case_id: string;
      program: string;
      outcome: string;
      amount_fen: number;
      start_month: string;
      reasons: string[];
    }>(
      sql`select case_id::text, program, outcome, amount_fen::int, start_month, reasons
            from case_decisions where district_code = ${DISTRICT} and decided_at is not null`,
    );
    const ents = await rows<{ case_id: string; program: string; amount_fen: number; from_month: string }>(
      sql`select case_id::text, program, amount_fen::int, from_month from entitlements
           where district_code = ${DISTRICT}`,
    );
    const approved = cases.filter((c) => c.state === 'approved');
    const denied = cases.filter((c) => c.state === 'denied');
    expect(approved.length).toBeGreaterThan(0);
    for (const c of approved) {
      const granted = lines.filter((l) => l.case_id === c.id && l.outcome === 'granted');
      expect(granted.length).toBeGreaterThan(0);
      const mine = ents.filter((e) => e.case_id === c.id);
      expect(mine.map((e) => [e.program, e.amount_fen, e.from_month]).sort()).toEqual(
        granted.map((l) => [l.program, l.amount_fen, l.start_month]).sort(),
      );
      for (const e of mine) expect(e.amount_fen).toBeGreaterThan(0);
    }
    for (const c of denied) {
      expect(ents.filter((e) => e.case_id === c.id)).toEqual([]);
      const mine = lines.filter((l) => l.case_id === c.id);
      expect(mine.length).toBeGreaterThan(0);
      for (const l of mine) expect(l).toMatchObject({ outcome: 'denied', amount_fen: 0 });
      expect(mine.flatMap((l) => l.reasons)).toContain(c.reason);
    }
    // Nothing decided outside the approved and denied cases.
    const decided = new Set(lines.map((l) => l.case_id));
    expect([...decided].sort()).toEqual([...approved, ...denied].map((c) => c.id).sort());
  });

  it('audits every step as the demo staff, dated over the past month, with each case’s timeline', async () => {
    const [audit] = await rows<{ n: number; first: string; last: string }>(
      sql`select count(*)::int as n, min(at)::text as first, max(at)::text as last
            from audit_log where request_id = 'demo-cases'`,
    );
    expect(audit!.n).toBeGreaterThan(DEMO_SCENARIOS.length * 3);
    const actors = await rows<{ username: string | null }>(
      sql`select distinct u.username from audit_log a left join users u on u.id::text = a.actor_id
           where a.request_id = 'demo-cases'`,
    );
    // approver2 has not acted yet: the relative's case waits for them as its second approver.
    const staff = ['caseworker', 'caseworker2', 'committee', 'approver', 'adviser', 'adviser2'];
    expect(actors.map((a) => a.username ?? '').sort()).toEqual(
      [...staff, ...(actors.some((a) => a.username === null) ? [''] : [])].sort(),
    );
    expect(audit!.first < `${TODAY}`).toBe(true);
    expect(new Date(audit!.last).getTime()).toBeLessThanOrEqual(
      new Date(`${TODAY}T16:00:00+08:00`).getTime(),
    );
    const [timeline] = await rows<{ cases: number }>(
      sql`select count(distinct entity_id)::int as cases from audit_log
           where request_id = 'demo-cases' and entity_type = 'case'`,
    );
    expect(timeline!.cases).toBe(DEMO_SCENARIOS.length);
    // Dated in the past after the population's record of today: the chain is in id order and still whole.
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });

  it('has advisers following households with visits, an assessment, a started plan and referrals', async () => {
    if (outcome.status !== 'loaded') throw new Error(outcome.reason);
    const [a] = await rows<{ assignments: number; visits: number; assessments: number; plans: number }>(
      sql`select (select count(*)::int from adviser_assignments where state = 'active') as assignments,
                 (select count(*)::int from adviser_visits) as visits,
                 (select count(*)::int from adviser_assessments) as assessments,
                 (select count(*)::int from adviser_plans where state = 'active') as plans`,
    );
    expect(a).toEqual({
      assignments: outcome.adviserHouseholds,
      visits: outcome.adviserHouseholds * 2,
      assessments: outcome.adviserHouseholds,
      plans: outcome.adviserHouseholds,
    });
    expect(outcome.adviserHouseholds).toBeGreaterThanOrEqual(4);
    const overdue = await rows<{ n: number }>(
      sql`select count(*)::int as n from adviser_plan_actions where status = 'open' and due_on < ${TODAY}::date`,
    );
    expect(overdue[0]!.n).toBeGreaterThan(0);
  });

  it('adds nothing the second time', async () => {
    expect(await seedDemoCases(ctx.store, { district: DISTRICT, dataDir: '/nonexistent' })).toEqual({
      status: 'skipped',
      reason: '已有救助申请',
    });
  });
});
