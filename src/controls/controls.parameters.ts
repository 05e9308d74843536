import { P } from '../policy/engine/parameters.ts';
import { parseMonth, type ParameterStore, type ProgramCode } from '../policy/index.ts';
import { ControlError } from './controls.errors.ts';
import type { Severity } from './rules/rule.ts';

/**
 * The module's dated parameters (src/parameters/controls): the working days a finding of each severity has
 * (its deadline), and each program's payment ceiling. A month reads the value in force for it.
 */
function valueIn(path: string, month: string, parameters: ParameterStore): number {
  const r = parameters.resolve(path, parseMonth(month));
  if (!r.entry) throw new ControlError('invalid', `参数 ${path} 在 ${month} 尚无取值，无法检查`);
  return r.entry.value;
}

export function dueWorkingDays(severity: Severity, month: string, parameters: ParameterStore): number {
  return valueIn(P.controls.due_working_days[severity].path, month, parameters);
}

/** The ceiling of a program's one payment in `month`, in fen; null while the parameter has no value yet. */
export function ceilingFen(program: ProgramCode, month: string, parameters: ParameterStore): number | null {
  const r = parameters.resolve(P.controls.ceiling[program].path, parseMonth(month));
  return r.entry ? r.entry.value : null;
}
