import type { ProgramCode, ProgramDef } from '../engine/program.ts';
import { anhui_resettled } from './anhui_resettled.ts';
import { dibao } from './dibao.ts';
import { dibao_edge } from './dibao_edge.ts';
import { elderly_allowance } from './elderly_allowance.ts';
import { grain_oil } from './grain_oil.ts';
import { kunjing_child } from './kunjing_child.ts';
import { orphan } from './orphan.ts';
import { price_subsidy } from './price_subsidy.ts';
import { renovation } from './renovation.ts';
import { rigid_expense } from './rigid_expense.ts';
import { rural_youth } from './rural_youth.ts';
import { severe_disability_unemployed } from './severe_disability_unemployed.ts';
import { tekun } from './tekun.ts';
import { temporary } from './temporary.ts';
import { traditional } from './traditional.ts';

/** Every program, keyed by code (the engine orders them by dependency). */
export const PROGRAMS: Readonly<Record<ProgramCode, ProgramDef>> = {
  dibao,
  dibao_edge,
  rigid_expense,
  temporary,
  tekun,
  severe_disability_unemployed,
  renovation,
  traditional,
  rural_youth,
  anhui_resettled,
  kunjing_child,
  orphan,
  elderly_allowance,
  grain_oil,
  price_subsidy,
};
