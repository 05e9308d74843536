import type { ParamHandle } from '../policy/engine/parameters.ts';

/**
 * Handles of the case parameters (src/parameters/cases), spliced into the engine's `P.cases` so that the
 * files-match-handles test covers them: `P.cases.steps.visit.dibao`, `P.cases.working_days.review`.
 */

/** Programs a household applies for through a case (the engine's codes that have step parameters). */
export const CASE_PROGRAMS = ['dibao', 'dibao_edge', 'rigid_expense', 'temporary', 'tekun'] as const;
export type CaseProgram = (typeof CASE_PROGRAMS)[number];

/** Steps whose requirement is a dated parameter per program (the others every case goes through). */
export const OPTIONAL_STEPS = ['visit', 'tekun_assessment', 'evaluation', 'publicity'] as const;
export type OptionalStep = (typeof OPTIONAL_STEPS)[number];

/** Steps with a time limit in working days. */
export const TIMED_STEPS = [
  'accept',
  'verify',
  'visit',
  'tekun_assessment',
  'evaluation',
  'review',
  'decide',
] as const;
export type TimedStep = (typeof TIMED_STEPS)[number];

type ByProgram = Readonly<Record<CaseProgram, ParamHandle>>;

export interface CasesHandles {
  readonly steps: Readonly<Record<OptionalStep, ByProgram>>;
  readonly district_approval: ByProgram;
  readonly pay_first_limit: ByProgram;
  readonly working_days: Readonly<Record<TimedStep, ParamHandle>>;
  readonly publicity_days: ParamHandle;
  readonly review: ReviewHandles;
}

/** 复审与变更 (src/cases/reviews, src/cases/changes): programs reviewed periodically and their handles. */
export const REVIEWED_PROGRAMS = ['dibao', 'rigid_expense', 'tekun'] as const;
export type ReviewedProgram = (typeof REVIEWED_PROGRAMS)[number];
export const HOUSEHOLD_TYPES = ['labour', 'no_labour'] as const;
export type HouseholdType = (typeof HOUSEHOLD_TYPES)[number];
export const REVIEW_KINDS = ['review', 'change'] as const;
/** Optional steps of review and change cases (their own parameters; 特困认定 is not repeated at review). */
export const REVIEW_OPTIONAL_STEPS = ['visit', 'evaluation', 'publicity'] as const;
export type ReviewOptionalStep = (typeof REVIEW_OPTIONAL_STEPS)[number];
export const DECIDED_KINDS = ['review', 'change', 'exit'] as const;

// A type, not an interface: the handles' tree needs an index signature (parameters.ts Tree).
export type ReviewHandles = {
  readonly interval_months: Readonly<Record<ReviewedProgram, Readonly<Record<HouseholdType, ParamHandle>>>>;
  readonly suspended_new: Readonly<Record<ReviewedProgram, ParamHandle>>;
  readonly labour_age_from: ParamHandle;
  readonly labour_age_until: ParamHandle;
  readonly steps: Readonly<
    Record<(typeof REVIEW_KINDS)[number], Readonly<Record<ReviewOptionalStep, ParamHandle>>>
  >;
  readonly district_approval: Readonly<Record<(typeof DECIDED_KINDS)[number], ParamHandle>>;
};

function reviewHandles(h: (path: string) => ParamHandle): ReviewHandles {
  const map = <K extends string, V>(keys: readonly K[], f: (k: K) => V) =>
    Object.fromEntries(keys.map((k) => [k, f(k)])) as Record<K, V>;
  const r = 'cases.review';
  return {
    interval_months: map(REVIEWED_PROGRAMS, (p) =>
      map(HOUSEHOLD_TYPES, (t) => h(`${r}.interval_months.${p}.${t}`)),
    ),
    suspended_new: map(REVIEWED_PROGRAMS, (p) => h(`${r}.suspended_new.${p}`)),
    labour_age_from: h(`${r}.labour_age_from`),
    labour_age_until: h(`${r}.labour_age_until`),
    steps: map(REVIEW_KINDS, (k) => map(REVIEW_OPTIONAL_STEPS, (s) => h(`${r}.steps.${k}.${s}`))),
    district_approval: map(DECIDED_KINDS, (k) => h(`${r}.district_approval.${k}`)),
  };
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
    review: reviewHandles(h),
  };
}
