import { defineMachine } from '../../workflow/state-machine.ts';
import { ONLINE_STATE_NAMES, type OnlineApplicationState } from './outcomes.ts';
/** The street's two final actions on an unmatched application (outcomes.ts names the states). */
export const onlineApplicationMachine = defineMachine<OnlineApplicationState, null>({
  name: 'cases.public_application',
  entityType: 'public_application',
  auditAction: 'cases.public_application_handled',
  states: ONLINE_STATE_NAMES,
  transitions: [
    { action: 'match', label: '匹配建案', from: ['unmatched'], to: 'matched', permission: 'cases.accept' },
    { action: 'close', label: '办结', from: ['unmatched'], to: 'closed', permission: 'cases.accept' },
  ],
});
