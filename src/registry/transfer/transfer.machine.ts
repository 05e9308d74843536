import { defineMachine } from '../../workflow/state-machine.ts';

/** 跨区迁移的状态. */
export type TransferState = 'pending' | 'accepted' | 'refused' | 'withdrawn';

/** What a step's checks look at: the problems the service found in the registry for this step. */
export interface TransferCheck {
  problems: readonly string[];
}

/**
 * The cross-district move as a machine: the sending district starts it (发起), the receiving district
 * accepts (接收) or refuses (退回), the sending district may withdraw (撤回) while it waits. Accepting is
 * the only step that moves the person; its checks are the registry's (transfer.service.ts), run in the
 * same unit as the move.
 */
export const transferMachine = defineMachine<TransferState, TransferCheck>({
  name: 'registry.transfer',
  entityType: 'person_transfer',
  auditAction: 'person.transfer',
  states: { pending: '待接收', accepted: '已接收', refused: '已退回', withdrawn: '已撤回' },
  transitions: [
    { action: 'start', label: '发起迁移', from: [], to: 'pending', permission: 'registry.write' },
    {
      action: 'accept',
      label: '接收',
      from: ['pending'],
      to: 'accepted',
      permission: 'registry.write',
      check: (c) => [...c.problems],
    },
    {
      action: 'refuse',
      label: '退回',
      from: ['pending'],
      to: 'refused',
      permission: 'registry.write',
    },
    { action: 'withdraw', label: '撤回', from: ['pending'], to: 'withdrawn', permission: 'registry.write' },
  ],
});

/** Which side of a transfer may take each step: the sending district or the receiving one. */
export const TRANSFER_SIDE: Readonly<Record<string, 'from' | 'to'>> = {
  start: 'from',
  accept: 'to',
  refuse: 'to',
  withdraw: 'from',
};
