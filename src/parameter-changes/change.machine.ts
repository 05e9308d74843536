import { defineMachine } from '../workflow/state-machine.ts';

/**
 * 参数调整的状态: 待审批 (proposed) → 已批准 (approved) | 已驳回 (rejected) | 已撤回 (withdrawn). The last three
 * are final: a corrected value is a new change.
 */
export type ChangeState = 'proposed' | 'approved' | 'rejected' | 'withdrawn';

export const CHANGE_STATES: Readonly<Record<ChangeState, string>> = {
  proposed: '待审批',
  approved: '已批准',
  rejected: '已驳回',
  withdrawn: '已撤回',
};

export interface ChangeCheck {
  problems: readonly string[];
}

export const changeMachine = defineMachine<ChangeState, ChangeCheck>({
  name: 'parameters.change',
  entityType: 'parameter_change',
  auditAction: 'parameter_change.transition',
  states: CHANGE_STATES,
  transitions: [
    { action: 'propose', label: '提出调整', from: [], to: 'proposed', permission: 'parameters.propose' },
    {
      action: 'approve',
      label: '批准',
      from: ['proposed'],
      to: 'approved',
      permission: 'parameters.approve',
      check: (c) => [...c.problems],
    },
    {
      action: 'reject',
      label: '驳回',
      from: ['proposed'],
      to: 'rejected',
      permission: 'parameters.approve',
      check: (c) => [...c.problems],
    },
    {
      action: 'withdraw',
      label: '撤回',
      from: ['proposed'],
      to: 'withdrawn',
      permission: 'parameters.propose',
      check: (c) => [...c.problems],
    },
  ],
});

export const CHANGE_ACTIONS = ['approve', 'reject', 'withdraw'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];
