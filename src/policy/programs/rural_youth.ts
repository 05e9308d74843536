import { P } from '../engine/parameters.ts';
import type { ProgramDef } from '../engine/program.ts';
import { fixedAmountKernel, fixedAmountReasons } from './fixed-amount.ts';

export const rural_youth: ProgramDef = {
  code: 'rural_youth',
  name: '农婚知青生活困难补助',
  level: 'person',
  dependsOn: [],
  reads: [P.rural_youth.amount],
  reasons: fixedAmountReasons('RURAL_YOUTH', '户口在外地的农婚知青', false),
  run: fixedAmountKernel('rural_youth', P.rural_youth.amount, null),
};
