import { defineMachine } from '../workflow/state-machine.ts';

/**
 * 待遇的状态: 发放中 (active) ⇄ 暂停 (suspended), and 停发 (stopped) from either, from a month on. A stopped
 * entitlement stays stopped: paying again is a new decision (a new case), not a restart.
 */
export type EntitlementState = 'active' | 'suspended' | 'stopped';

export interface EntitlementCheck {
  problems: readonly string[];
}

export const entitlementMachine = defineMachine<EntitlementState, EntitlementCheck>({
  name: 'entitlements.entitlement',
  entityType: 'entitlement',
  auditAction: 'entitlement.transition',
  states: { active: '发放中', suspended: '暂停发放', stopped: '已停发' },
  transitions: [
    {
      action: 'suspend',
      label: '暂停发放',
      from: ['active'],
      to: 'suspended',
      permission: 'entitlements.change',
      check: (c) => [...c.problems],
    },
    {
      action: 'restart',
      label: '恢复发放',
      from: ['suspended'],
      to: 'active',
      permission: 'entitlements.change',
      check: (c) => [...c.problems],
    },
    {
      action: 'stop',
      label: '停发',
      from: ['active', 'suspended'],
      to: 'stopped',
      permission: 'entitlements.change',
      check: (c) => [...c.problems],
    },
  ],
});

export const ENTITLEMENT_ACTIONS = ['suspend', 'restart', 'stop'] as const;
export type EntitlementAction = (typeof ENTITLEMENT_ACTIONS)[number];
