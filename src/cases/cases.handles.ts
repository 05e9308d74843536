import type { ParamHandle } from '../policy/engine/parameters.ts';

/**
 * Handles of the case parameters (src/parameters/cases), spliced into the engine's `P.cases` so that the
 * files-match-handles test covers them: `P.cases.steps.visit.dibao`, `P.cases.working_days.review`.
 */

/** Programs a household applies for through a case (the engine's codes that have step parameters). */
export const CASE_PROGRAMS = ['dibao', 'dibao_edge', 'rigid_expense', 'temporary', 'tekun'] as const;
export type CaseProgram = (typeof CASE_PROGRAMS)[number];

/** Steps whose requirement is a dated parameter per program (the others every case goes through). */
export const OPTIONAL_STEPS = ['visit', 'evaluation', 'publicity'] as const;
export type OptionalStep = (typeof OPTIONAL_STEPS)[number];

/** Steps with a time limit in working days. */
export const TIMED_STEPS = ['accept', 'verify', 'visit', 'evaluation', 'review', 'decide'] as const;
export type TimedStep = (typeof TIMED_STEPS)[number];

type ByProgram = Readonly<Record<CaseProgram, ParamHandle>>;

export interface CasesHandles {
  readonly steps: Readonly<Record<OptionalStep, ByProgram>>;
  readonly district_approval: ByProgram;
  readonly pay_first_limit: ByProgram;
  readonly working_days: Readonly<Record<TimedStep, ParamHandle>>;
  readonly publicity_days: ParamHandle;
}

function byProgram(h: (path: string) => ParamHandle, prefix: string): ByProgram {
  return Object.fromEntries(CASE_PROGRAMS.map((p) => [p, h(`${prefix}.${p}`)])) as Record<
    CaseProgram,
    ParamHandle
  >;
}

export function casesHandles(h: (path: string) => ParamHandle): CasesHandles {
  return {
    steps: Object.fromEntries(OPTIONAL_STEPS.map((s) => [s, byProgram(h, `cases.steps.${s}`)])) as Record<
      OptionalStep,
      ByProgram
    >,
    district_approval: byProgram(h, 'cases.district_approval'),
    pay_first_limit: byProgram(h, 'cases.pay_first_limit'),
    working_days: Object.fromEntries(TIMED_STEPS.map((s) => [s, h(`cases.working_days.${s}`)])) as Record<
      TimedStep,
      ParamHandle
    >,
    publicity_days: h('cases.publicity_days'),
  };
}
