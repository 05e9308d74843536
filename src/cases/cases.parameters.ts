import { P } from '../policy/engine/parameters.ts';
import { parseMonth, type ParameterStore } from '../policy/index.ts';
import type { ParamHandle } from '../policy/engine/parameters.ts';
import { CASE_PROGRAMS, OPTIONAL_STEPS, type CaseProgram, type TimedStep } from './cases.handles.ts';
import { CasesError } from './cases.errors.ts';
import { STEP_ORDER, type Step } from './cases.steps.ts';
import { parametersInForce } from '../parameter-changes/parameters-in-force.ts';

/**
 * The case module's dated parameters (src/parameters/cases): which steps a program's case goes through, who
 * decides it, the time limits and the publicity period, as of a day (the value in force for its month, as
 * every parameter; docs/parameters.md). A day before the first value is refused.
 */
export const CP = P.cases;

export function caseParameter(
  handle: ParamHandle,
  day: string,
  parameters: ParameterStore = parametersInForce(),
): number {
  const resolution = parameters.resolve(handle.path, parseMonth(day.slice(0, 7)));
  if (!resolution.entry) throw new Error(`参数 ${handle.path} 在 ${day} 尚无取值`);
  return resolution.entry.value;
}

export function isCaseProgram(code: string): code is CaseProgram {
  return (CASE_PROGRAMS as readonly string[]).includes(code);
}

/** Unknown or unsupported program codes of `programs`, refused with every bad code named. */
export function checkPrograms(programs: readonly string[]): CaseProgram[] {
  const bad = programs.filter((p) => !isCaseProgram(p));
  if (programs.length === 0) throw new CasesError('invalid', '请至少选择一个申请项目');
  if (bad.length > 0) {
    throw new CasesError('invalid', `不能通过救助申请办理的项目：${bad.join('、')}`, [
      `可申请的项目为：${CASE_PROGRAMS.join('、')}`,
    ]);
  }
  return [...new Set(programs as CaseProgram[])];
}

/**
 * The steps a case for `programs` applied for on `day` goes through, in order: 核对, 审核 and the decision
 * always; 入户调查, 民主评议 and 公示 when any of its programs requires them on that day (the union).
 */
export function requiredSteps(
  programs: readonly CaseProgram[],
  day: string,
  parameters?: ParameterStore,
): Step[] {
  const optional = new Set(
    OPTIONAL_STEPS.filter((s) => programs.some((p) => caseParameter(CP.steps[s][p], day, parameters) === 1)),
  );
  return STEP_ORDER.filter(
    (s) => !(OPTIONAL_STEPS as readonly string[]).includes(s) || optional.has(s as never),
  );
}

/** 审批 by the district when any program requires it; else the street confirms (确认). */
export function decider(
  programs: readonly CaseProgram[],
  day: string,
  parameters?: ParameterStore,
): 'district' | 'street' {
  return programs.some((p) => caseParameter(CP.district_approval[p], day, parameters) === 1)
    ? 'district'
    : 'street';
}

export function stepWorkingDays(step: TimedStep, day: string, parameters?: ParameterStore): number {
  return caseParameter(CP.working_days[step], day, parameters);
}

export function publicityDays(day: string, parameters?: ParameterStore): number {
  return caseParameter(CP.publicity_days, day, parameters);
}

/** 先行救助's limit in fen for a program on a day; 0 when the program may not pay first. */
export function payFirstLimitFen(program: CaseProgram, day: string, parameters?: ParameterStore): number {
  return caseParameter(CP.pay_first_limit[program], day, parameters);
}
