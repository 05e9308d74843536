import { defineMachine } from '../../workflow/state-machine.ts';

/**
 * 发放批次的状态 (docs/payroll.md 批次): 计算中 (computing: the job writes the lines) → 待复核 (prepared) →
 * 已复核 (checked: a second finance officer) → 已审批 (approved: the district approver) → 已导出 (exported:
 * the bank files went out) → 已办结 (closed: every line paid or failed); 计算中、待复核、已复核 → 已撤销.
 * Maker ≠ checker ≠ approver: the service's checks (run's `check`) and the table's CHECK.
 */
export type RunState =
  'computing' | 'prepared' | 'checked' | 'approved' | 'exported' | 'closed' | 'cancelled';

export const RUN_STATES: readonly RunState[] = [
  'computing',
  'prepared',
  'checked',
  'approved',
  'exported',
  'closed',
  'cancelled',
];

export const RUN_STATE_NAMES: Readonly<Record<RunState, string>> = {
  computing: '计算中',
  prepared: '待复核',
  checked: '已复核',
  approved: '已审批',
  exported: '已导出',
  closed: '已办结',
  cancelled: '已撤销',
};

/** What a transition's check runs: the service's checks of the run as it is now (throws to refuse). */
export interface RunCheck {
  check: () => Promise<void>;
}

export const runMachine = defineMachine<RunState, RunCheck>({
  name: 'payroll.run',
  entityType: 'payroll_run',
  auditAction: 'payroll.transition',
  states: RUN_STATE_NAMES,
  transitions: [
    { action: 'start', label: '发起发放', from: [], to: 'computing', permission: 'payroll.prepare' },
    {
      action: 'prepare',
      label: '计算完成',
      from: ['computing'],
      to: 'prepared',
      permission: 'payroll.prepare',
    },
    {
      action: 'check',
      label: '复核通过',
      from: ['prepared'],
      to: 'checked',
      permission: 'payroll.check',
      check: async (c) => (await c.check(), []),
    },
    {
      action: 'approve',
      label: '审批通过',
      from: ['checked'],
      to: 'approved',
      permission: 'payroll.approve',
      check: async (c) => (await c.check(), []),
    },
    {
      action: 'export',
      label: '导出银行文件',
      from: ['approved'],
      to: 'exported',
      permission: 'payroll.prepare',
    },
    { action: 'close', label: '办结', from: ['exported'], to: 'closed', permission: 'payroll.prepare' },
    {
      action: 'cancel',
      label: '撤销批次',
      from: ['computing', 'prepared', 'checked'],
      to: 'cancelled',
      permission: 'payroll.prepare',
    },
  ],
});

/** The actions a user takes from the console or the API (the rest are the job's and the bank's). */
export const RUN_USER_ACTIONS = ['check', 'approve', 'cancel'] as const;
export type RunUserAction = (typeof RUN_USER_ACTIONS)[number];
