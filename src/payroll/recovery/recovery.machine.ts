import { defineMachine } from '../../workflow/state-machine.ts';

/**
 * 追缴的状态 (docs/payroll.md 追缴): 待追缴 (open) → 已抵扣 (offset: deducted from later payments) | 已收回
 * (collected) | 已核销 (written off: a second person, the approver, agrees) | 已撤销 (cancelled: raised in
 * error). Every step with actor and reason.
 */
export type RecoveryState = 'open' | 'offset' | 'collected' | 'written_off' | 'cancelled';

export const RECOVERY_STATES: readonly RecoveryState[] = [
  'open',
  'offset',
  'collected',
  'written_off',
  'cancelled',
];

export const RECOVERY_STATE_NAMES: Readonly<Record<RecoveryState, string>> = {
  open: '待追缴',
  offset: '已抵扣',
  collected: '已收回',
  written_off: '已核销',
  cancelled: '已撤销',
};

export const RECOVERY_CAUSES = ['death', 'ineligible', 'stopped', 'other'] as const;
export type RecoveryCause = (typeof RECOVERY_CAUSES)[number];

export const RECOVERY_CAUSE_NAMES: Readonly<Record<RecoveryCause, string>> = {
  death: '死亡后发放',
  ineligible: '核对不符合条件',
  stopped: '停发后发放',
  other: '其他',
};

export interface RecoveryCheck {
  check: () => Promise<void>;
}

export const recoveryMachine = defineMachine<RecoveryState, RecoveryCheck>({
  name: 'payroll.recovery',
  entityType: 'recovery_item',
  auditAction: 'recovery.transition',
  states: RECOVERY_STATE_NAMES,
  transitions: [
    {
      action: 'offset',
      label: '抵扣',
      from: ['open'],
      to: 'offset',
      permission: 'payroll.prepare',
    },
    {
      action: 'collect',
      label: '收回',
      from: ['open'],
      to: 'collected',
      permission: 'payroll.prepare',
    },
    {
      action: 'write_off',
      label: '核销',
      from: ['open'],
      to: 'written_off',
      permission: 'payroll.approve',
      check: async (c) => (await c.check(), []),
    },
    { action: 'cancel', label: '撤销', from: ['open'], to: 'cancelled', permission: 'payroll.prepare' },
  ],
});

export const RECOVERY_USER_ACTIONS = ['collect', 'write_off', 'cancel'] as const;
export type RecoveryUserAction = (typeof RECOVERY_USER_ACTIONS)[number];
