import { addDays } from '../calendar/days.ts';
import type { CaseProgram } from '../cases/cases.handles.ts';
import { decider, requiredSteps } from '../cases/cases.parameters.ts';

/**
 * What the demo's 救助申请 look like: each scenario is one application and the state it has reached today,
 * and its steps are laid out backwards from today, so that every state of the case list is represented and
 * some cases wait longer than their step allows (overdue against the working-day calendar). The steps a case
 * goes through are the dated parameters' (requiredSteps, decider), as the case service fixes them on 受理.
 */

/** The street of a demo account: A is the caseworker's and the committee's, B the second caseworker's. */
export type DemoStreet = 'A' | 'B';

export type DemoTarget =
  | 'draft'
  | 'not_accepted'
  | 'returned'
  | 'verifying'
  | 'visit'
  | 'evaluation'
  | 'review'
  | 'publicity'
  | 'deciding'
  | 'deciding_first'
  | 'approved'
  | 'denied';

export interface DemoScenario {
  street: DemoStreet;
  /** The household lies in the committee assistant's committee, who registers and visits it. */
  committee?: boolean;
  channel: 'counter' | 'online';
  programs: CaseProgram[];
  target: DemoTarget;
  /** Days the case has waited in its present state today. */
  waiting: number;
  /** The applicant's head is a declared relative of the committee assistant (two approvers). */
  relative?: boolean;
  /** The reason of a refusal, a return or a denial. */
  reason?: string;
}

export type DemoActor = 'caseworker' | 'committee' | 'approver' | 'approver2' | 'public';

export type DemoStepKind = 'declare_relative' | 'intake' | 'submit_online' | 'action' | 'gather' | 'prepare';

export interface DemoStep {
  kind: DemoStepKind;
  actor: DemoActor;
  /** The case action (kind 'action'). */
  action?: string;
  /** Days after the previous step. */
  gap: number;
}

/** Days between steps: a street that works its queue in about a month from application to decision. */
const GAP = {
  accept: 1,
  verified: 3,
  visit: 2,
  evaluation: 3,
  review: 2,
  publicity: 1,
  endPublicity: 7,
  prepare: 1,
  decide: 2,
} as const;

const DENIAL = '经入户调查核实，申请人之子在外地就业且未如实申报收入，家庭人均收入高于本市低保标准';

/**
 * The plan. The demo's 低保 households (the ones with a 授权书 on file, which a 核对 needs) are few in a
 * street, so the second street carries more of the later states; the applications not yet at 核对 may come
 * from any household of the street.
 */
export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  // 待受理: counter and online, fresh and overdue (受理 allows 3 working days); refused and returned.
  { street: 'A', committee: true, channel: 'counter', programs: ['dibao'], target: 'draft', waiting: 1 },
  { street: 'A', channel: 'counter', programs: ['dibao'], target: 'draft', waiting: 8 },
  { street: 'A', channel: 'online', programs: ['dibao'], target: 'draft', waiting: 2 },
  { street: 'A', channel: 'online', programs: ['dibao'], target: 'draft', waiting: 7 },
  {
    street: 'A',
    channel: 'counter',
    programs: ['dibao'],
    target: 'not_accepted',
    waiting: 3,
    reason: '申请人家庭已于本月在户籍地街道提出同一申请，不重复受理，已告知申请人',
  },
  {
    street: 'A',
    channel: 'online',
    programs: ['dibao'],
    target: 'returned',
    waiting: 4,
    reason: '网上填写的居住地址与户籍地址不一致，请到居住地所在街道社区事务受理服务中心申请',
  },
  // 核对中: the request went to the simulated sources; one waits far beyond its 15 working days.
  { street: 'A', channel: 'online', programs: ['dibao'], target: 'verifying', waiting: 24 },
  // 入户调查 (one overdue), 审核, 公示 within its period.
  { street: 'A', committee: true, channel: 'counter', programs: ['dibao'], target: 'visit', waiting: 2 },
  { street: 'A', channel: 'counter', programs: ['dibao'], target: 'visit', waiting: 11 },
  { street: 'A', channel: 'counter', programs: ['dibao'], target: 'review', waiting: 1 },
  { street: 'A', channel: 'counter', programs: ['dibao'], target: 'publicity', waiting: 3 },
  // 待审批: a committee member's declared relative (two approvers; the first has agreed).
  {
    street: 'A',
    channel: 'counter',
    programs: ['dibao'],
    target: 'deciding_first',
    waiting: 1,
    relative: true,
  },
  // Decided.
  { street: 'A', committee: true, channel: 'counter', programs: ['dibao'], target: 'approved', waiting: 4 },
  { street: 'A', channel: 'online', programs: ['dibao'], target: 'approved', waiting: 1 },
  { street: 'A', channel: 'counter', programs: ['dibao'], target: 'denied', waiting: 2, reason: DENIAL },
  // The second street.
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'draft', waiting: 2 },
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'verifying', waiting: 3 },
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'visit', waiting: 3 },
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'evaluation', waiting: 2 },
  { street: 'B', channel: 'online', programs: ['dibao'], target: 'publicity', waiting: 2 },
  // Its period ended nine days into it, and the street has not closed it.
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'publicity', waiting: 9 },
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'deciding', waiting: 1 },
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'deciding', waiting: 5 },
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'approved', waiting: 3 },
  { street: 'B', channel: 'online', programs: ['dibao'], target: 'approved', waiting: 1 },
  { street: 'B', channel: 'counter', programs: ['dibao'], target: 'approved', waiting: 4 },
  {
    street: 'B',
    channel: 'counter',
    programs: ['dibao'],
    target: 'denied',
    waiting: 1,
    reason: '家庭成员名下有一辆机动车（核对报告载明），不符合本市低保家庭财产条件',
  },
];

/** The states before 核对: any household of the street may be in them (no 授权书 needed yet). */
export function needsAuthorisation(s: DemoScenario): boolean {
  return !['draft', 'not_accepted', 'returned'].includes(s.target);
}

const STEP_TARGET: Readonly<Record<string, DemoTarget>> = {
  visit: 'visit',
  evaluation: 'evaluation',
  review: 'review',
  publicity: 'publicity',
};

/**
 * The steps of a scenario up to its target, given the steps the case will require (the parameters of its
 * application day). The first step's gap is 0; the application day is fixed by `applicationDay`.
 */
export function stepsOf(s: DemoScenario, appliedOn: string): DemoStep[] {
  const registrar: DemoActor = s.committee ? 'committee' : 'caseworker';
  const out: DemoStep[] = [];
  if (s.relative) out.push({ kind: 'declare_relative', actor: 'committee', gap: 0 });
  out.push(
    s.channel === 'online'
      ? { kind: 'submit_online', actor: 'public', gap: 0 }
      : { kind: 'intake', actor: registrar, gap: 0 },
  );
  const act = (action: string, actor: DemoActor, gap: number) =>
    out.push({ kind: 'action', action, actor, gap });
  if (s.target === 'draft') return out;
  if (s.target === 'not_accepted' || s.target === 'returned') {
    act(s.target === 'returned' ? 'return' : 'not_accept', 'caseworker', GAP.accept);
    return out;
  }
  act('accept', 'caseworker', GAP.accept);
  act('start_verification', 'caseworker', 0);
  out.push({ kind: 'gather', actor: 'caseworker', gap: 0 });
  if (s.target === 'verifying') return out;
  act('verified', 'caseworker', GAP.verified);
  for (const step of requiredSteps(s.programs, appliedOn)) {
    if (STEP_TARGET[step] === s.target && step !== 'publicity') return out;
    if (step === 'visit') act('record_visit', registrar, GAP.visit);
    else if (step === 'evaluation') act('record_evaluation', registrar, GAP.evaluation);
    else if (step === 'review') act('record_review', 'caseworker', GAP.review);
    else if (step === 'publicity') {
      act('start_publicity', 'caseworker', GAP.publicity);
      if (s.target === 'publicity') return out;
      act('end_publicity', 'caseworker', GAP.endPublicity);
    }
  }
  out.push({ kind: 'prepare', actor: 'caseworker', gap: GAP.prepare });
  if (s.relative) act('declare_relatives', 'caseworker', 0);
  const by = decider(s.programs, appliedOn) === 'district' ? 'approver' : 'caseworker';
  if (s.relative) act('approve_first', by, GAP.decide);
  if (s.target === 'deciding' || s.target === 'deciding_first') return out;
  act(s.target === 'denied' ? 'deny' : 'approve', s.relative ? 'approver2' : by, GAP.decide);
  return out;
}

/** The application day: the steps' gaps and the present wait counted back from today. */
export function applicationDay(s: DemoScenario, today: string): string {
  // The steps depend (slightly) on the application day's parameters: settle on a day whose steps fit.
  let day = addDays(today, -s.waiting);
  for (let i = 0; i < 3; i += 1) {
    const total = stepsOf(s, day).reduce((sum, step) => sum + step.gap, 0);
    day = addDays(today, -(total + s.waiting));
  }
  return day;
}

/**
 * The earliest application day of the plan: every household's authorisation must be signed by then. The
 * demo's standing authorisations are signed a month before the population's day (generator.ts), so the
 * plan reaches back less than that.
 */
export function earliestDay(today: string): string {
  return DEMO_SCENARIOS.map((s) => applicationDay(s, today)).reduce((a, b) => (a < b ? a : b));
}
