import { defineMachine } from '../workflow/state-machine.ts';

/**
 * 核对委托的状态, after MZ/T 072-2024's steps: 接受申请 (received) → 信息获取 (gathering: the sources are
 * asked) → 信息核对 and 出具报告 (reported: the comparison runs when the last source has answered, failed or
 * timed out, and the report is issued in the same step) → 结果复核 (in_review, then reviewed).
 */
export type VerificationState =
  'received' | 'gathering' | 'reported' | 'in_review' | 'reviewed' | 'withdrawn';

export interface VerificationCheck {
  problems: readonly string[];
}

/**
 * Human steps go through `applyTransition`; the system's bulk steps (gather, report: thousands of requests
 * in one batch of a job) are set-based compare-and-sets over the same table of transitions
 * (`transitionOf`), one audit record per batch.
 */
export const verificationMachine = defineMachine<VerificationState, VerificationCheck>({
  name: 'verification.request',
  entityType: 'verification_request',
  auditAction: 'verification.transition',
  states: {
    received: '已受理',
    gathering: '信息获取中',
    reported: '已出具报告',
    in_review: '复核中',
    reviewed: '已复核',
    withdrawn: '已撤销',
  },
  transitions: [
    {
      action: 'start',
      label: '受理核对委托',
      from: [],
      to: 'received',
      permission: 'verification.request',
      check: (c) => [...c.problems],
    },
    {
      action: 'gather',
      label: '发起信息获取',
      from: ['received'],
      to: 'gathering',
      permission: 'verification.request',
    },
    {
      action: 'report',
      label: '出具核对报告',
      from: ['gathering'],
      to: 'reported',
      permission: 'verification.request',
    },
    {
      action: 'withdraw',
      label: '撤销委托',
      from: ['received', 'gathering'],
      to: 'withdrawn',
      permission: 'verification.request',
    },
    {
      action: 'object',
      label: '提出复核申请',
      from: ['reported'],
      to: 'in_review',
      permission: 'verification.object',
      check: (c) => [...c.problems],
    },
    {
      action: 'uphold',
      label: '复核：更正报告',
      from: ['in_review'],
      to: 'reviewed',
      permission: 'verification.review',
      check: (c) => [...c.problems],
    },
    {
      action: 'dismiss',
      label: '复核：维持原报告',
      from: ['in_review'],
      to: 'reviewed',
      permission: 'verification.review',
      check: (c) => [...c.problems],
    },
  ],
});

/** The transition an action names (for the set-based system steps); throws on a typo. */
export function transitionOf(action: 'gather' | 'report') {
  const t = verificationMachine.transitions.find((x) => x.action === action);
  if (!t) throw new Error(`verification.request: no transition ${action}`);
  return t;
}
