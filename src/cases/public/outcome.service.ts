import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { visibleLength } from '../../core/text.ts';
import type { Db } from '../../db/store.ts';
import { maskIdNumber } from '../../registry/id-number.ts';
import { currentMembership, findHousehold } from '../../registry/household.repository.ts';
import { findPerson, findPersonIdByIdNumber } from '../../registry/person.repository.ts';
import { applyTransition, type MachineStore } from '../../workflow/state-machine.ts';
import { presentTimeline, type TimelineEventView } from '../../workflow/timeline.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { ConflictError, staleVersion } from '../../workflow/workflow.errors.ts';
import type { CaseCaller } from '../case.deps.ts';
import { findCase } from '../case.repository.ts';
import { createOnlineDraft } from '../case.service.ts';
import { CasesError } from '../cases.errors.ts';
import { onlineApplicationMachine } from './online.machine.ts';
import {
  ONLINE_OUTCOMES,
  ONLINE_STATE_NAMES,
  type OnlineApplicationState,
  type OnlineOutcome,
} from './outcomes.ts';
import { PublicError } from './public.errors.ts';
import { findApplication, settleApplication } from './public.repository.ts';
import type { PublicApplicationRow } from './schema.ts';
import { allowed, presentApplication, stateOf, type OnlineApplicationView } from './street.service.ts';

/**
 * 网上申请的办结: after calling the applicant, the street either matches an unmatched application to a
 * household now in the registry — the applicant (the application's ID number) a current member — and
 * creates the online draft case from it (建案), or closes it with an outcome from a fixed list and a note
 * (办结). Each is one unit of work through the application's machine (permission, state, version, audit,
 * timeline), reading and writing only applications of the caller's streets.
 */

const NOT_FOUND = '网上申请不存在或不在您的数据范围内';

type Key = { districtCode: string; id: string };

/** The registry's person with the application's ID number now, and their household (in the caller's scope). */
export interface RegistryMatch {
  personName: string;
  nameMatches: boolean;
  householdId: string | null;
  householdNo: string | null;
  address: string | null;
}

export interface OnlineApplicationDetail extends OnlineApplicationView {
  caseNo: string | null;
  registryMatch: RegistryMatch | null;
  timeline: TimelineEventView[];
}

async function registryMatch(db: Db, caller: CaseCaller, row: PublicApplicationRow) {
  const personId = await findPersonIdByIdNumber(db, row.districtCode, row.idNumber);
  const person = personId ? await findPerson(db, caller.scope, row.districtCode, personId) : undefined;
  if (!person || !personId) return null;
  const membership = await currentMembership(db, row.districtCode, personId);
  const household = membership
    ? await findHousehold(db, caller.scope, { districtCode: row.districtCode, id: membership.householdId })
    : undefined;
  return {
    personName: person.name,
    nameMatches: person.name === row.name,
    householdId: household?.id ?? null,
    householdNo: household?.householdNo ?? null,
    address: household?.address ?? null,
  };
}

async function load(db: Db, caller: CaseCaller, key: Key): Promise<PublicApplicationRow> {
  allowed(caller);
  const row = await findApplication(db, caller.scope, key.districtCode, key.id);
  if (!row) throw new PublicError('not_found', NOT_FOUND);
  return row;
}

/** One application for the street: masked, with the registry's match now, its case and its timeline. */
export async function getOnlineApplication(
  db: Db,
  caller: CaseCaller,
  key: Key,
): Promise<OnlineApplicationDetail> {
  const row = await load(db, caller, key);
  const [match, linked, timeline] = await Promise.all([
    stateOf(row) === 'unmatched' ? registryMatch(db, caller, row) : Promise.resolve(null),
    row.caseId ? findCase(db, caller.scope, row.districtCode, row.caseId) : Promise.resolve(undefined),
    presentTimeline(db, onlineApplicationMachine, row.id),
  ]);
  return { ...presentApplication(row), caseNo: linked?.caseNo ?? null, registryMatch: match, timeline };
}

/** Refused before any write: a page that is out of date, or an application already dealt with. */
function mustBeOpen(row: PublicApplicationRow, version: number, label: string): void {
  const state = stateOf(row);
  if (row.version !== version) throw staleVersion('网上申请', row.version);
  if (state !== 'unmatched') {
    throw new ConflictError('wrong_state', `该网上申请${ONLINE_STATE_NAMES[state]}，不能再${label}`, {
      state,
      version: row.version,
      allowedActions: [],
    });
  }
}

function storeFor(
  caller: CaseCaller,
  key: Key,
  settle: Omit<Parameters<typeof settleApplication>[3], 'state'>,
): MachineStore<OnlineApplicationState> {
  return {
    load: async (tx) => {
      const row = await findApplication(tx.db, caller.scope, key.districtCode, key.id);
      return row
        ? { id: row.id, divisionCode: row.streetCode, state: stateOf(row), version: row.version }
        : null;
    },
    save: (tx, _id, expected, next) =>
      next.state === 'matched' || next.state === 'closed'
        ? settleApplication(tx, key, expected, { ...settle, state: next.state })
        : Promise.resolve(false),
  };
}

function noteOf(note: string | undefined, required: boolean): string {
  const value = (note ?? '').trim();
  if (required && visibleLength(value) < 2) {
    throw new PublicError('invalid', '请写明与申请人联系核实的情况（至少 2 个字）', {
      problems: [{ field: 'note', reason: '请写明与申请人联系核实的情况' }],
    });
  }
  return value;
}

/**
 * 建案: the applicant — the registry's person with the application's ID number — must be a current member
 * of the household the caseworker picked (in their scope); the online draft case is created for that
 * household with the programs and phone the resident gave, and waits in 待受理 as every online draft.
 */
export async function matchOnlineApplication(
  tx: WorkTx,
  caller: CaseCaller,
  calendar: WorkingCalendar,
  input: Key & { version: number; householdId: string; note?: string | undefined },
): Promise<OnlineApplicationDetail> {
  const row = await load(tx.db, caller, input);
  mustBeOpen(row, input.version, '匹配建案');
  const note = noteOf(input.note, false);
  const masked = maskIdNumber(row.idNumber);
  const personId = await findPersonIdByIdNumber(tx.db, row.districtCode, row.idNumber);
  const person = personId ? await findPerson(tx.db, caller.scope, row.districtCode, personId) : undefined;
  if (!person || !personId) {
    throw new CasesError(
      'invalid',
      `人口信息库中没有身份证号为 ${masked} 的人员（或不在您的数据范围内），请先登记该人员及其家庭户后再建案`,
    );
  }
  if (person.deathDate !== null) throw new CasesError('invalid', `身份证号为 ${masked} 的人员已登记死亡`);
  const membership = await currentMembership(tx.db, row.districtCode, personId);
  if (membership?.householdId !== input.householdId) {
    throw new CasesError(
      'invalid',
      `申请人${person.name}（${masked}）不是所选家庭户的在册成员，请选择申请人所在的家庭户`,
    );
  }
  const draft = await createOnlineDraft(
    tx,
    caller,
    { calendar },
    {
      districtCode: row.districtCode,
      householdId: input.householdId,
      programs: row.programs,
      applicantPersonId: personId,
      contactPhone: row.phone,
    },
    row.receivedAt,
  );
  await applyTransition(
    tx,
    onlineApplicationMachine,
    storeFor(caller, input, { caseId: draft.id, outcome: null, outcomeNote: note, handledBy: caller.userId }),
    { id: row.id, action: 'match', expectedVersion: input.version, role: caller.role, context: null },
  );
  tx.record({
    action: 'cases.public_application_handled',
    entityType: 'public_application',
    entityId: row.id,
    district: row.streetCode,
    after: {
      receiptNo: row.receiptNo,
      caseId: draft.id,
      caseNo: draft.caseNo,
      householdId: input.householdId,
    },
  });
  return getOnlineApplication(tx.db, caller, input);
}

/** 办结: an outcome from the fixed list and the caseworker's note on the call. */
export async function closeOnlineApplication(
  tx: WorkTx,
  caller: CaseCaller,
  input: Key & { version: number; outcome: OnlineOutcome; note: string },
): Promise<OnlineApplicationDetail> {
  const row = await load(tx.db, caller, input);
  mustBeOpen(row, input.version, '办结');
  const note = noteOf(input.note, true);
  await applyTransition(
    tx,
    onlineApplicationMachine,
    storeFor(caller, input, {
      caseId: null,
      outcome: input.outcome,
      outcomeNote: note,
      handledBy: caller.userId,
    }),
    { id: row.id, action: 'close', expectedVersion: input.version, role: caller.role, context: null },
  );
  tx.record({
    action: 'cases.public_application_handled',
    entityType: 'public_application',
    entityId: row.id,
    district: row.streetCode,
    after: {
      receiptNo: row.receiptNo,
      outcome: input.outcome,
      outcomeName: ONLINE_OUTCOMES[input.outcome].label,
    },
  });
  return getOnlineApplication(tx.db, caller, input);
}
