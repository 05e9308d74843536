import type { TimedStep } from './cases.handles.ts';

/**
 * 办理环节 after 受理, in the order a case goes through them. The required ones of a case are fixed at
 * acceptance (cases.parameters.ts requiredSteps); its machine is built from that list, so the action that
 * completes a step leads to the next required one and no required step can be skipped.
 */
export const STEP_ORDER = [
  'verify',
  'visit',
  // 特困人员认定 rests on what the visit found (who supports the applicant, how they manage alone).
  'tekun_assessment',
  'evaluation',
  'review',
  'publicity',
  'decide',
] as const;
export type Step = (typeof STEP_ORDER)[number];

export const STEP_NAMES: Readonly<Record<Step, string>> = {
  verify: '家庭经济状况核对',
  visit: '入户调查',
  tekun_assessment: '特困人员认定',
  evaluation: '民主评议',
  review: '审核',
  publicity: '公示',
  decide: '审批',
};

/** The case's state while a step is open. */
export const STEP_STATE = {
  verify: 'verifying',
  visit: 'visit',
  tekun_assessment: 'tekun_assessment',
  evaluation: 'evaluation',
  review: 'review',
  publicity: 'publicity',
  decide: 'deciding',
} as const satisfies Record<Step, string>;

/** The time limit that applies in a state (publicity counts calendar days instead; see publicityDays). */
export const STATE_TIME_LIMIT: Readonly<Partial<Record<string, TimedStep>>> = {
  draft: 'accept',
  accepted: 'verify',
  verifying: 'verify',
  visit: 'visit',
  tekun_assessment: 'tekun_assessment',
  evaluation: 'evaluation',
  review: 'review',
  deciding: 'decide',
};

export function isStep(value: string): value is Step {
  return (STEP_ORDER as readonly string[]).includes(value);
}
