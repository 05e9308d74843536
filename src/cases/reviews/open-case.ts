import { randomUUID } from 'node:crypto';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { recordStart } from '../../workflow/state-machine.ts';
import { appendEvent } from '../../workflow/workflow.repository.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { CaseCaller } from '../case.deps.ts';
import { insertCase, nextCaseSerial, UNTOUCHED_CASE, type CaseRow } from '../case.repository.ts';
import { caseNumber } from '../case.service.ts';
import { stepWorkingDays } from '../cases.parameters.ts';
import { caseMachine, type Decider } from '../cases.machine.ts';
import { STATE_TIME_LIMIT, type Step } from '../cases.steps.ts';

/**
 * Opens a review (复审) or change (变更) case: the street opens it itself, so it starts accepted, in the state of
 * its first required step (核对 first: 已受理, whence 发起核对). Its steps and decider are fixed now, as an
 * application's are at acceptance, and its machine is the one built from them.
 */
export interface OpenCaseInput {
  kind: 'review' | 'change';
  districtCode: string;
  householdId: string;
  committeeCode: string;
  programs: string[];
  applicantPersonId: string;
  contactPhone: string;
  steps: readonly Step[];
  decider: Decider;
  /** What the creating event and audit record say besides the case's number. */
  detail: Record<string, unknown>;
  /**
   * 'each': one audit record for this case (a caseworker's act); 'batch': the timeline event only, the caller
   * (the review job) records one audit entry for its whole batch.
   */
  audit: 'each' | 'batch';
}

export async function openCase(
  tx: WorkTx,
  caller: CaseCaller,
  calendar: WorkingCalendar,
  input: OpenCaseInput,
): Promise<CaseRow> {
  const machine = caseMachine(input.steps, input.decider);
  const action = input.kind === 'review' ? 'open_review' : 'open_change';
  const start = machine.transitions.find((t) => t.action === action)!;
  const state = start.to;
  const today = shanghaiToday(tx.now);
  const year = Number(today.slice(0, 4));
  const serial = await nextCaseSerial(tx, input.districtCode, year);
  const limit = STATE_TIME_LIMIT[state];
  const due = limit ? calendar.deadline(today, stepWorkingDays(limit, today)) : undefined;
  const now = tx.now.toISOString();
  const row: CaseRow = {
    districtCode: input.districtCode,
    id: randomUUID(),
    caseNo: caseNumber(input.districtCode, year, serial),
    kind: input.kind,
    householdId: input.householdId,
    committeeCode: input.committeeCode,
    programs: input.programs,
    channel: 'counter',
    applicantPersonId: input.applicantPersonId,
    contactPhone: input.contactPhone,
    materials: {},
    requiredSteps: [...input.steps],
    decider: input.decider,
    appliedOn: today,
    state,
    version: 1,
    dueOn: due?.due ?? null,
    dueFrom: due?.from ?? null,
    dueWorkingDays: due?.workingDays ?? null,
    dueProvisional: due?.provisional ?? false,
    receivedAt: now,
    acceptedOn: today,
    ...UNTOUCHED_CASE,
    createdBy: caller.userId,
    createdAt: now,
    updatedAt: now,
  };
  await insertCase(tx, row);
  const after = { caseNo: row.caseNo, householdId: row.householdId, programs: row.programs, ...input.detail };
  if (input.audit === 'each') {
    await recordStart(
      tx,
      machine,
      { id: row.id, action, divisionCode: row.committeeCode, role: caller.role },
      after,
    );
  } else {
    await appendEvent(tx, {
      districtCode: row.districtCode,
      entityType: machine.entityType,
      entityId: row.id,
      machine: machine.name,
      action,
      fromState: null,
      toState: state,
      version: 1,
      actorId: tx.actor.userId,
      actorDivision: tx.actor.divisionCode,
      reason: tx.actor.reason,
      attachments: [],
      at: now,
    });
  }
  return row;
}
