import { P } from '../engine/parameters.ts';
import type { ProgramDef } from '../engine/program.ts';
import { fixedAmountKernel, fixedAmountReasons } from './fixed-amount.ts';

export const kunjing_child: ProgramDef = {
  code: 'kunjing_child',
  name: '困境儿童基本生活费',
  level: 'person',
  dependsOn: [],
  reads: [P.kunjing_child.amount, P.kunjing_child.age_limit],
  reasons: fixedAmountReasons('KUNJING_CHILD', '困境儿童', true),
  run: fixedAmountKernel('kunjing_child', P.kunjing_child.amount, P.kunjing_child.age_limit),
};
