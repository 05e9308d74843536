import { P } from '../engine/parameters.ts';
import type { ProgramDef } from '../engine/program.ts';
import { fixedAmountKernel, fixedAmountReasons } from './fixed-amount.ts';

export const orphan: ProgramDef = {
  code: 'orphan',
  name: '散居孤儿基本生活费',
  level: 'person',
  dependsOn: [],
  reads: [P.orphan.amount, P.orphan.age_limit],
  reasons: fixedAmountReasons('ORPHAN', '散居孤儿', true),
  run: fixedAmountKernel('orphan', P.orphan.amount, P.orphan.age_limit),
};
