import { mayAct } from '../auth/roles.ts';
import { maskPhone } from '../registry/present.ts';
import type {
  CaseRow,
  EvaluationRow,
  ObjectionRow,
  PublicityRow,
  ReviewRow,
  VisitRow,
} from './case.repository.ts';
import type { CaseCaller } from './case.deps.ts';
import { allowedTransitions } from '../workflow/state-machine.ts';
import {
  CASE_STATE_NAMES,
  caseMachine,
  CLOSED_STATES,
  intakeMachine,
  stepNames,
  type CaseState,
  type Decider,
} from './cases.machine.ts';
import { isStep, type Step } from './cases.steps.ts';
import type { TimelineEventView } from '../workflow/timeline.ts';
import type { AttachmentView } from '../files/files.service.ts';
import { shanghaiToday } from '../core/clock.ts';
import { mayPayFirst, type PayFirstView } from './pay-first/pay-first.service.ts';
import type { TekunStepView } from './tekun/tekun.service.ts';

/** A case as lists show it: code, state, programs, due date and overdue flag, the household's number. */
export interface CaseView {
  districtCode: string;
  id: string;
  caseNo: string;
  kind: string;
  householdId: string;
  householdNo: string | null;
  /** The applicant's name (lists: beside the household's number). */
  applicantName: string | null;
  committeeCode: string;
  programs: string[];
  channel: string;
  state: CaseState;
  stateName: string;
  version: number;
  appliedOn: string;
  acceptedOn: string | null;
  dueOn: string | null;
  dueProvisional: boolean;
  overdue: boolean;
  requiredSteps: Step[];
  stepNames: string[];
  decider: Decider;
  relativesFlagged: boolean;
  secondApproverRequired: boolean;
  /** What the caller may do now (action ids of the case's machine, plus the records of the current step). */
  allowedActions: string[];
}

export interface CaseDetailView extends CaseView {
  applicantPersonId: string;
  contactPhone: string;
  materials: Record<string, boolean>;
  verificationRequestId: string | null;
  relativesMatches: unknown[];
  relativesDeclared: boolean;
  firstApprovedBy: string | null;
  reason: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  createdBy: string | null;
  createdAt: string;
  steps: {
    visit: VisitRow | null;
    evaluation: EvaluationRow | null;
    review: ReviewRow | null;
    publicity: PublicityRow | null;
    objections: ObjectionRow[];
  };
  attachments: AttachmentView[];
  timeline: TimelineEventView[];
  /** 特困人员认定: the supporters the registry shows and the record (null when the case has no such step). */
  tekun: TekunStepView | null;
  /** 先行救助 paid on the case and, once decided, how it was settled (overpaid amounts to recover). */
  payFirst: PayFirstView[];
}

export function machineOf(row: CaseRow) {
  const steps = row.requiredSteps.filter(isStep);
  return steps.length > 0 ? caseMachine(steps, row.decider as Decider) : intakeMachine;
}

/** Open and past its due day (today Shanghai's). */
export function isOverdue(row: CaseRow, today: string): boolean {
  return !CLOSED_STATES.includes(row.state as CaseState) && row.dueOn !== null && row.dueOn < today;
}

/** The actions that record without moving the state, by the state they belong to. */
const RECORD_ACTIONS: readonly {
  action: string;
  states: readonly CaseState[];
  permission: 'cases.process';
}[] = [
  { action: 'start_publicity', states: ['publicity'], permission: 'cases.process' },
  { action: 'record_objection', states: ['publicity'], permission: 'cases.process' },
  {
    action: 'declare_relatives',
    states: ['accepted', 'verifying', 'visit', 'evaluation', 'review', 'publicity', 'deciding'],
    permission: 'cases.process',
  },
];

export function allowedActions(row: CaseRow, caller: CaseCaller): string[] {
  const state = row.state as CaseState;
  const machine = machineOf(row);
  const moves = allowedTransitions(machine, state)
    .filter((t) => mayAct(caller.role, t.permission))
    .filter((t) => t.action !== 'return' || row.channel === 'online')
    .filter(
      (t) => t.action !== 'approve_first' || (row.secondApproverRequired && row.firstApprovedBy === null),
    )
    .map((t) => t.action);
  const records = RECORD_ACTIONS.filter((r) => r.states.includes(state) && mayAct(caller.role, r.permission))
    .filter(
      (r) => r.action !== 'declare_relatives' || (row.relativesFlagged && row.relativesDeclaredAt === null),
    )
    .map((r) => r.action);
  const payFirst = mayPayFirst(row, caller, shanghaiToday()) ? ['pay_first'] : [];
  return [...moves, ...records, ...payFirst];
}

export function presentCase(
  row: CaseRow,
  caller: CaseCaller,
  extra: { householdNo: string | null; applicantName?: string | null | undefined; today: string },
): CaseView {
  const steps = row.requiredSteps.filter(isStep);
  const decider = row.decider as Decider;
  return {
    districtCode: row.districtCode,
    id: row.id,
    caseNo: row.caseNo,
    kind: row.kind,
    householdId: row.householdId,
    householdNo: extra.householdNo,
    applicantName: extra.applicantName ?? null,
    committeeCode: row.committeeCode,
    programs: [...row.programs],
    channel: row.channel,
    state: row.state as CaseState,
    stateName: CASE_STATE_NAMES[row.state as CaseState] ?? row.state,
    version: row.version,
    appliedOn: row.appliedOn,
    acceptedOn: row.acceptedOn,
    dueOn: row.dueOn,
    dueProvisional: row.dueProvisional,
    overdue: isOverdue(row, extra.today),
    requiredSteps: steps,
    stepNames: stepNames(steps, decider),
    decider,
    relativesFlagged: row.relativesFlagged,
    secondApproverRequired: row.secondApproverRequired,
    allowedActions: allowedActions(row, caller),
  };
}

/**
 * The contact phone as views show it: always masked, as the registry masks it; the full number is read
 * through the registry's audited unmasking (person.unmask, with a purpose).
 */
export function phoneFor(phone: string): string {
  return maskPhone(phone);
}
