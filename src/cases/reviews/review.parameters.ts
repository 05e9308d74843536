import { ageOn, dateKey, parseMonth } from '../../policy/engine/month.ts';
import type { PolicyMember } from '../../policy/household.ts';
import type { ParameterStore } from '../../policy/index.ts';
import { caseParameter, CP } from '../cases.parameters.ts';
import {
  REVIEW_OPTIONAL_STEPS,
  REVIEWED_PROGRAMS,
  type HouseholdType,
  type ReviewedProgram,
} from '../cases.handles.ts';
import { STEP_ORDER, type Step } from '../cases.steps.ts';

/**
 * 复审与变更的参数 (src/parameters/cases/review): how often a household is reviewed by program and household type,
 * the 2020 suspension of 定期复审 for new cases, the steps and the decider of review and change cases. Pure: the
 * month or day is an argument, the values are the dated parameters in force then.
 */

export const HOUSEHOLD_TYPE_NAMES: Readonly<Record<HouseholdType, string>> = {
  labour: '有劳动能力成员的家庭',
  no_labour: '无劳动能力成员的家庭',
};

export function isReviewedProgram(code: string): code is ReviewedProgram {
  return (REVIEWED_PROGRAMS as readonly string[]).includes(code);
}

/** YYYY-MM plus n months. */
export function addMonths(month: string, n: number): string {
  const total = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

const day1 = (month: string) => `${month}-01`;

/**
 * 有劳动能力成员: a counted member of labour age (the parameters' range, on the month's last day) who is not
 * severely disabled (grade 1 or 2). A household of elders, children and the severely disabled only is the other
 * type. Derived from the registry's facts for the month (the engine's household input).
 */
export function householdType(
  members: readonly Pick<PolicyMember, 'birthDate' | 'disabilityGrade'>[],
  month: string,
  parameters?: ParameterStore,
): HouseholdType {
  const from = caseParameter(CP.review.labour_age_from, day1(month), parameters);
  const until = caseParameter(CP.review.labour_age_until, day1(month), parameters);
  const last = parseMonth(month).lastDayKey;
  const labour = members.some((m) => {
    const birth = dateKey(m.birthDate);
    if (birth === null) return false;
    const age = ageOn(birth, last);
    const severe = m.disabilityGrade === 1 || m.disabilityGrade === 2;
    return age >= from && age < until && !severe;
  });
  return labour ? 'labour' : 'no_labour';
}

export function reviewIntervalMonths(
  program: ReviewedProgram,
  type: HouseholdType,
  month: string,
  parameters?: ParameterStore,
): number {
  return caseParameter(CP.review.interval_months[program][type], day1(month), parameters);
}

/** How far ahead the suspension of reviews for new cases is looked through (ten years). */
const SUSPENSION_HORIZON = 120;

/**
 * The next review month of a program for a household of a type, counted from `baseMonth`. A newly granted
 * case (`newCase`) in a month when 定期复审 of new cases is suspended (seed 000: 2020) starts counting from the
 * first month the suspension is lifted; null when reviews are not periodic (interval 0) or the suspension is
 * not lifted within ten years.
 */
export function nextReviewMonth(
  input: { program: ReviewedProgram; type: HouseholdType; baseMonth: string; newCase: boolean },
  parameters?: ParameterStore,
): { intervalMonths: number; nextDueMonth: string | null; countedFrom: string } {
  let from = input.baseMonth;
  if (input.newCase) {
    let i = 0;
    while (caseParameter(CP.review.suspended_new[input.program], day1(from), parameters) === 1) {
      i += 1;
      if (i > SUSPENSION_HORIZON) return { intervalMonths: 0, nextDueMonth: null, countedFrom: from };
      from = addMonths(from, 1);
    }
  }
  const interval = reviewIntervalMonths(input.program, input.type, from, parameters);
  return {
    intervalMonths: interval,
    nextDueMonth: interval > 0 ? addMonths(from, interval) : null,
    countedFrom: from,
  };
}

/** The steps of a review or a recomputing change case opened on `day`: 核对, 审核 and the decision always. */
export function reviewCaseSteps(kind: 'review' | 'change', day: string, parameters?: ParameterStore): Step[] {
  const optional = new Set<string>(
    REVIEW_OPTIONAL_STEPS.filter((s) => caseParameter(CP.review.steps[kind][s], day, parameters) === 1),
  );
  return STEP_ORDER.filter((s) => s === 'verify' || s === 'review' || s === 'decide' || optional.has(s));
}

/** A death or a move out: the street's review, then the decision that stops. */
export const EXIT_STEPS: readonly Step[] = ['review', 'decide'];

export function reviewDecider(
  kind: 'review' | 'change' | 'exit',
  day: string,
  parameters?: ParameterStore,
): 'district' | 'street' {
  return caseParameter(CP.review.district_approval[kind], day, parameters) === 1 ? 'district' : 'street';
}
