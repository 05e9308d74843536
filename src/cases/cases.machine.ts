import { defineMachine, type MachineDef, type TransitionDef } from '../workflow/state-machine.ts';
import type { CasesPermission } from './cases.access.ts';
import { STEP_NAMES, STEP_STATE, type Step } from './cases.steps.ts';

/**
 * 救助申请的状态. A case is received (待受理: at the counter or online), then accepted or not (或退回 an
 * online draft), and goes through its required steps (cases.steps.ts) to the decision. The machine of a
 * case is built from its steps and who decides: each step's completing action leads to the next required
 * step, so an action that would skip one finds the case in the wrong state and is refused (409).
 */
export type CaseState =
  | 'draft'
  | 'returned'
  | 'not_accepted'
  | 'accepted'
  | 'verifying'
  | 'visit'
  | 'tekun_assessment'
  | 'evaluation'
  | 'review'
  | 'publicity'
  | 'deciding'
  | 'approved'
  | 'denied'
  | 'withdrawn';

export const CASE_STATE_NAMES: Readonly<Record<CaseState, string>> = {
  draft: '待受理',
  returned: '已退回',
  not_accepted: '不予受理',
  accepted: '已受理',
  verifying: '核对中',
  visit: '入户调查',
  tekun_assessment: '特困人员认定',
  evaluation: '民主评议',
  review: '审核',
  publicity: '公示',
  deciding: '待审批',
  approved: '已批准',
  denied: '不予批准',
  withdrawn: '已撤回',
};

export const CASE_STATES = Object.keys(CASE_STATE_NAMES) as [CaseState, ...CaseState[]];

/** States in which a case is closed: nothing may change any more. */
export const CLOSED_STATES: readonly CaseState[] = [
  'returned',
  'not_accepted',
  'approved',
  'denied',
  'withdrawn',
];

export type Decider = 'district' | 'street';

/** What the service found that forbids the step now (own case, relatives, a missing report …). */
export interface CaseCheck {
  problems: readonly string[];
}

/** The action that completes each step (its record travels in the action's body). */
export const COMPLETE_ACTION: Readonly<Record<Step, string>> = {
  verify: 'verified',
  visit: 'record_visit',
  tekun_assessment: 'record_tekun_assessment',
  evaluation: 'record_evaluation',
  review: 'record_review',
  publicity: 'end_publicity',
  decide: 'approve',
};

const COMPLETE_LABEL: Readonly<Record<Step, string>> = {
  verify: '完成核对（核对报告已出具）',
  visit: '登记入户调查',
  tekun_assessment: '登记特困人员认定',
  evaluation: '登记民主评议',
  review: '登记审核意见',
  publicity: '结束公示',
  decide: '审批通过',
};

const COMPLETE_PERMISSION: Readonly<Record<Exclude<Step, 'decide'>, CasesPermission>> = {
  verify: 'cases.process',
  visit: 'cases.visit',
  tekun_assessment: 'cases.process',
  evaluation: 'cases.visit',
  review: 'cases.process',
  publicity: 'cases.process',
};

type T = TransitionDef<CaseState, CaseCheck>;
const problems = (c: CaseCheck) => [...c.problems];

function build(steps: readonly Step[], by: Decider): MachineDef<CaseState, CaseCheck> {
  const decide: CasesPermission = by === 'district' ? 'cases.approve' : 'cases.confirm';
  const decideLabel = by === 'district' ? '审批通过' : '确认';
  const open: CaseState[] = ['draft', 'accepted', ...steps.map((s) => STEP_STATE[s])];
  const transitions: T[] = [
    {
      action: 'intake',
      label: '窗口登记申请',
      from: [],
      to: 'draft',
      permission: 'cases.intake',
      check: problems,
    },
    {
      action: 'submit',
      label: '网上提交申请',
      from: [],
      to: 'draft',
      permission: 'cases.intake',
      check: problems,
    },
    // 复审与变更 are opened by the street itself (or the review job): no 受理, straight to the first step.
    ...(['open_review', 'open_change'] as const).map((action): T => ({
      action,
      label: action === 'open_review' ? '开启复审' : '报告变更',
      from: [],
      to: steps[0] === 'verify' || steps[0] === undefined ? 'accepted' : STEP_STATE[steps[0]],
      permission: 'cases.intake',
      check: problems,
    })),
    {
      action: 'accept',
      label: '受理',
      from: ['draft'],
      to: 'accepted',
      permission: 'cases.accept',
      check: problems,
    },
    {
      action: 'not_accept',
      label: '不予受理',
      from: ['draft'],
      to: 'not_accepted',
      permission: 'cases.accept',
      check: problems,
    },
    {
      action: 'return',
      label: '退回网上申请',
      from: ['draft'],
      to: 'returned',
      permission: 'cases.accept',
      check: problems,
    },
    {
      action: 'start_verification',
      label: '发起家庭经济状况核对',
      from: ['accepted'],
      to: 'verifying',
      permission: 'cases.process',
      check: problems,
    },
  ];
  steps.forEach((step, i) => {
    if (step === 'decide') return;
    const next = steps[i + 1];
    if (next === undefined) throw new Error(`cases: the last step must be decide, not ${step}`);
    transitions.push({
      action: COMPLETE_ACTION[step],
      label: COMPLETE_LABEL[step],
      from: [STEP_STATE[step]],
      to: STEP_STATE[next],
      permission: COMPLETE_PERMISSION[step],
      check: problems,
    });
  });
  transitions.push(
    {
      action: 'approve_first',
      label: '第一审批人同意',
      from: ['deciding'],
      to: 'deciding',
      permission: decide,
      check: problems,
    },
    {
      action: 'approve',
      label: decideLabel,
      from: ['deciding'],
      to: 'approved',
      permission: decide,
      check: problems,
    },
    {
      action: 'deny',
      label: by === 'district' ? '不予批准' : '不予确认',
      from: ['deciding'],
      to: 'denied',
      permission: decide,
      check: problems,
    },
    {
      action: 'withdraw',
      label: '撤回申请',
      from: open,
      to: 'withdrawn',
      permission: 'cases.accept',
      check: problems,
    },
  );
  return defineMachine<CaseState, CaseCheck>({
    name: 'cases.case',
    entityType: 'case',
    auditAction: 'cases.transition',
    states: CASE_STATE_NAMES,
    transitions,
  });
}

const machines = new Map<string, MachineDef<CaseState, CaseCheck>>();

/** The machine of a case with these required steps, decided by `by` (built once per combination). */
export function caseMachine(steps: readonly Step[], by: Decider): MachineDef<CaseState, CaseCheck> {
  const key = `${steps.join(',')}|${by}`;
  let machine = machines.get(key);
  if (!machine) {
    machine = build(steps, by);
    machines.set(key, machine);
  }
  return machine;
}

/** Before acceptance the steps are not fixed yet: a machine for the states up to 受理. */
export const intakeMachine = caseMachine(['verify', 'review', 'decide'], 'district');

export function stepNames(steps: readonly Step[], by: Decider): string[] {
  return steps.map((s) => (s === 'decide' ? (by === 'district' ? '审批' : '确认') : STEP_NAMES[s]));
}
