import { P } from '../policy/engine/parameters.ts';
import { parseMonth, type ParameterStore, type ProgramCode } from '../policy/index.ts';
import { EntitlementError } from './entitlements.errors.ts';
import { parametersInForce } from '../parameter-changes/parameters-in-force.ts';

/**
 * The module's dated parameters (src/parameters/entitlements): how old a verification report may be for each
 * program, and the age of majority that decides whether a person receives their own benefit (民法典 第十七条,
 * the verification module's `adult_age`, the same rule). A day reads the value in force for its month.
 */
function valueOn(path: string, day: string, parameters: ParameterStore): number {
  const r = parameters.resolve(path, parseMonth(day.slice(0, 7)));
  if (!r.entry) throw new EntitlementError('invalid', `参数 ${path} 在 ${day} 尚无取值，无法认定`);
  return r.entry.value;
}

export function reportMaxAgeDays(
  program: ProgramCode,
  day: string,
  district: string,
  parameters: ParameterStore = parametersInForce(),
): number {
  return valueOn(P.entitlements.report_max_age_days[program].path, day, parameters.forDistrict(district));
}

export function adultAge(day: string, parameters: ParameterStore = parametersInForce()): number {
  return valueOn(P.verification.adult_age.path, day, parameters);
}
