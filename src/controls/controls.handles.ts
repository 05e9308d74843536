import type { ParamHandle } from '../policy/engine/parameters.ts';
import { PROGRAM_CODES, type ProgramCode } from '../policy/engine/program.ts';

/**
 * Handles of the internal-control parameters (src/parameters/controls), spliced into the engine's
 * `P.controls` so that the files-match-handles test covers them: how many working days a finding of each
 * severity has, and each program's payment ceiling (over_ceiling).
 */
export type ControlsHandles = {
  readonly due_working_days: { readonly blocking: ParamHandle; readonly warning: ParamHandle };
  readonly ceiling: Readonly<Record<ProgramCode, ParamHandle>>;
};

export function controlsHandles(h: (path: string) => ParamHandle): ControlsHandles {
  return {
    due_working_days: {
      blocking: h('controls.due_working_days.blocking'),
      warning: h('controls.due_working_days.warning'),
    },
    ceiling: Object.fromEntries(PROGRAM_CODES.map((p) => [p, h(`controls.ceiling.${p}`)])) as Record<
      ProgramCode,
      ParamHandle
    >,
  };
}
