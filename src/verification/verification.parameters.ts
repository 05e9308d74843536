import { P, type ParamHandle } from '../policy/engine/parameters.ts';
import { parseMonth, type ParameterStore } from '../policy/index.ts';
import { parametersInForce } from '../parameter-changes/parameters-in-force.ts';

/**
 * The verification module's dated parameters (src/parameters/verification). A day reads the value in force
 * for its month, as every parameter does (docs/parameters.md); a day before the first value is refused.
 */
export function verificationParameter(
  handle: ParamHandle,
  day: string,
  parameters: ParameterStore = parametersInForce(),
): number {
  const resolution = parameters.resolve(handle.path, parseMonth(day.slice(0, 7)));
  if (!resolution.entry) throw new Error(`参数 ${handle.path} 在 ${day} 尚无取值`);
  return resolution.entry.value;
}

/** Handles of the verification parameters: `verificationParameter(VP.deadline_working_days, day)`. */
export const VP = P.verification;
