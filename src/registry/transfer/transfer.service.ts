import { randomUUID } from 'node:crypto';
import { mayAct, OPERATOR, type Acting } from '../../auth/roles.ts';
import { inScope, type DataScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import {
  allowedTransitions,
  applyTransition,
  recordStart,
  type MachineStore,
} from '../../workflow/state-machine.ts';
import { presentTimeline, type TimelineEventView } from '../../workflow/timeline.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { WorkflowError } from '../../workflow/workflow.errors.ts';
import { HEAD_RELATION, relationName, sexName } from '../codes.ts';
import { divisionIndex } from '../divisions.ts';
import { moveFactsOfPerson } from '../facts/facts.service.ts';
import {
  endMembershipRow,
  householdMemberRows,
  insertMembership,
  nextSeq,
  personMemberships,
  bumpHouseholdVersion,
} from '../household.repository.ts';
import { maskIdNumber } from '../id-number.ts';
import {
  describePerson,
  isUuid,
  lockHousehold,
  lockPerson,
  membershipChange,
  registryWrite,
  throwIfProblems,
} from '../membership.service.ts';
import {
  otherPersonWithIdNumber,
  personRowsById,
  pointEarlierRowsAt,
  upsertArrivingPerson,
} from '../person.repository.ts';
import { RegistryError, uniqueViolation } from '../registry.errors.ts';
import type { Change, MembershipRecord, PersonRecord, WriteOptions, WriteResult } from '../registry.types.ts';
import { checkDate, checkRelation, type Problem } from '../registry.validation.ts';
import {
  findTransfer,
  insertTransfer,
  listTransferRows,
  pendingTransferOf,
  saveTransferState,
  type TransferListRow,
  type TransferRow,
} from './transfer.repository.ts';
import { TRANSFER_SIDE, transferMachine, type TransferState } from './transfer.machine.ts';

/**
 * 跨区迁移: moving a person to another district of the city.
 *
 * Person ids are stable city-wide, but every registry key starts with the district (Citus distributes and
 * co-locates by it), so a person's row lives in the district that manages them, beside their households
 * and memberships. A move to another district therefore does not re-key anything: on acceptance the
 * receiving district gets a row with the same id (or, if the person lived there before, its old row is
 * brought up to date), which becomes the managing row; the sending district keeps its row, because its
 * membership history (and its audit trail) refers to it, with the residence pointed at the new district.
 * "Managed here" is exactly "residence lies in the row's own district" (person.repository.ts managedHere):
 * every district's scope and the city-wide reads therefore see each person once, by the managing row,
 * and nothing of the old district's history is rewritten. Entitlements and facts key by the person id,
 * so they follow the person.
 */

/** Who acts: their data scope and role (a route takes them from the session; the CLI acts for the city). */
export interface TransferCaller {
  scope: DataScope;
  role: Acting;
}

export interface StartTransferInput {
  /** The sending district: the person's managing district. */
  districtCode: string;
  personId: string;
  /** The person's version the sender saw. */
  personVersion?: number | undefined;
  toDistrictCode: string;
  toCommitteeCode?: string | null | undefined;
  moveDate: string;
}

export interface TransferRef {
  /** The sending district (the transfer's key). */
  districtCode: string;
  id: string;
  /** The transfer's version the caller saw. */
  version?: number | undefined;
}

export interface AcceptTransferInput extends TransferRef {
  /** The household in the receiving district the person joins. */
  householdId: string;
  householdVersion?: number | undefined;
  /** GB/T 4761 relation to that household's head. */
  relationCode: string;
}

export interface TransferView {
  id: string;
  districtCode: string;
  districtName: string | null;
  fromCommitteeCode: string;
  fromCommitteeName: string | null;
  toDistrictCode: string;
  toDistrictName: string | null;
  toCommitteeCode: string | null;
  toCommitteeName: string | null;
  moveDate: string;
  state: TransferState;
  stateName: string;
  version: number;
  person: {
    id: string;
    name: string;
    sex: number;
    sexName: string;
    birthDate: string;
    idNumberMasked: string;
  };
  toHouseholdId: string | null;
  toRelationCode: string | null;
  toRelationName: string | null;
  createdAt: string;
  decidedAt: string | null;
  /** The steps this caller may take now (action and label). */
  allowedActions: { action: string; label: string }[];
}

const NOT_FOUND = '跨区迁移记录不存在或不在您的数据范围内';

function nameOf(code: string | null): string | null {
  return code === null ? null : (divisionIndex().get(code)?.name ?? null);
}

/** The sending side: the person lived in the caller's scope when the transfer started. */
function onSendingSide(scope: DataScope, t: Pick<TransferRow, 'fromCommitteeCode'>): boolean {
  return inScope(scope, t.fromCommitteeCode);
}

/** The receiving side: the caller's scope is the receiving district, or lies in it and holds the named committee. */
function onReceivingSide(
  scope: DataScope,
  t: Pick<TransferRow, 'toDistrictCode' | 'toCommitteeCode'>,
): boolean {
  if (scope.kind === 'all') return true;
  if (!scope.code.startsWith(t.toDistrictCode)) return false;
  return t.toCommitteeCode === null || t.toCommitteeCode.startsWith(scope.code);
}

function sideAllows(caller: TransferCaller, t: TransferRow, action: string): boolean {
  const side = TRANSFER_SIDE[action];
  return side === 'from' ? onSendingSide(caller.scope, t) : onReceivingSide(caller.scope, t);
}

function openActions(caller: TransferCaller, t: TransferRow): { action: string; label: string }[] {
  return allowedTransitions(
    transferMachine,
    t.state as TransferState,
    caller.role === OPERATOR ? undefined : caller.role,
  )
    .filter((tr) => sideAllows(caller, t, tr.action))
    .map((tr) => ({ action: tr.action, label: tr.label }));
}

function present(row: TransferListRow, caller: TransferCaller): TransferView {
  const state = row.state as TransferState;
  return {
    id: row.id,
    districtCode: row.districtCode,
    districtName: nameOf(row.districtCode),
    fromCommitteeCode: row.fromCommitteeCode,
    fromCommitteeName: nameOf(row.fromCommitteeCode),
    toDistrictCode: row.toDistrictCode,
    toDistrictName: nameOf(row.toDistrictCode),
    toCommitteeCode: row.toCommitteeCode,
    toCommitteeName: nameOf(row.toCommitteeCode),
    moveDate: row.moveDate,
    state,
    stateName: transferMachine.states[state],
    version: row.version,
    person: {
      id: row.personId,
      name: row.personName,
      sex: row.personSex,
      sexName: sexName(row.personSex),
      birthDate: row.personBirthDate,
      idNumberMasked: maskIdNumber(row.personIdNumber),
    },
    toHouseholdId: row.toHouseholdId,
    toRelationCode: row.toRelationCode,
    toRelationName: row.toRelationCode === null ? null : relationName(row.toRelationCode),
    createdAt: new Date(row.createdAt).toISOString(),
    decidedAt: row.decidedAt === null ? null : new Date(row.decidedAt).toISOString(),
    allowedActions: openActions(caller, row),
  };
}

/** The transfer's machine store: the repository's compare-and-set, with the fields a step sets alongside. */
function transferStore(
  districtCode: string,
  fields: Parameters<typeof saveTransferState>[4] = {},
): MachineStore<TransferState> {
  return {
    async load(tx, id) {
      const row = await findTransfer(tx.db, { districtCode, id });
      return row
        ? { id, divisionCode: row.districtCode, state: row.state as TransferState, version: row.version }
        : null;
    },
    save: (tx, id, expected, next) => saveTransferState(tx, { districtCode, id }, expected, next, fields),
  };
}

/** The managing row of a person in the district, locked; undefined when the person is not managed there. */
function managingRow(rows: readonly PersonRecord[], districtCode: string): PersonRecord | undefined {
  return rows.find(
    (r) => r.districtCode === districtCode && r.residenceDivisionCode.startsWith(districtCode),
  );
}

/** Problems that stop the person from leaving their household on `moveDate` (start and accept both ask). */
async function leavingProblems(
  tx: WorkTx,
  person: PersonRecord,
  moveDate: string,
): Promise<{ problems: string[]; current: MembershipRecord | undefined }> {
  const problems: string[] = [];
  if (person.deathDate !== null) problems.push(`${describePerson(person)}已登记死亡（${person.deathDate}）`);
  if (moveDate < person.birthDate) problems.push(`迁移日期不能早于出生日期 ${person.birthDate}`);
  const history = await personMemberships(tx.db, person.districtCode, person.id, true);
  const current = history.find((m) => m.validTo === null);
  if (current) {
    if (moveDate < current.validFrom) {
      problems.push(`迁移日期不能早于其在原户的起始日期 ${current.validFrom}`);
    }
    if (current.relationCode === HEAD_RELATION) {
      const members = await householdMemberRows(tx.db, current.districtCode, current.householdId, true);
      if (members.length > 1) problems.push('该人员是原户户主且原户仍有其他成员，请迁出区先变更户主');
    }
  }
  return { problems, current };
}

/**
 * 发起跨区迁移 (the sending district): records the request; nothing moves until the receiving district
 * accepts. Refused at once when the person could not leave (dead, head of a household with others, a
 * date before their current membership) or already has an open transfer.
 */
export async function startTransfer(
  tx: WorkTx,
  caller: TransferCaller,
  input: StartTransferInput,
): Promise<TransferView> {
  const problems: Problem[] = [];
  checkDate(problems, 'moveDate', input.moveDate, '迁移日期');
  const to = divisionIndex().get(input.toDistrictCode);
  if (!to || to.level !== 'district') {
    problems.push({ field: 'toDistrictCode', message: `「${input.toDistrictCode}」不是本市的区代码` });
  } else if (input.toDistrictCode === input.districtCode) {
    problems.push({ field: 'toDistrictCode', message: '迁入区与迁出区相同：区内迁移请使用“转户”' });
  }
  const committee = input.toCommitteeCode ? divisionIndex().get(input.toCommitteeCode) : undefined;
  if (
    input.toCommitteeCode &&
    (!committee || committee.level !== 'committee' || !input.toCommitteeCode.startsWith(input.toDistrictCode))
  ) {
    problems.push({
      field: 'toCommitteeCode',
      message: `「${input.toCommitteeCode}」不是迁入区的居委会代码`,
    });
  }
  throwIfProblems(problems);
  const person = await lockPerson(tx, caller.scope, input, input.personVersion);
  const { problems: leaving, current } = await leavingProblems(tx, person, input.moveDate);
  if (leaving.length > 0) throw new RegistryError('validation', `不能发起跨区迁移：${leaving.join('；')}`);
  if (await pendingTransferOf(tx.db, person.districtCode, person.id)) {
    throw new RegistryError(
      'conflict',
      `${describePerson(person)}已有一项待接收的跨区迁移，请等待接收或先撤回`,
    );
  }
  const row: TransferRow = {
    districtCode: person.districtCode,
    id: randomUUID(),
    personId: person.id,
    fromCommitteeCode: person.residenceDivisionCode,
    fromHouseholdId: current?.householdId ?? null,
    toDistrictCode: input.toDistrictCode,
    toCommitteeCode: input.toCommitteeCode ?? null,
    moveDate: input.moveDate,
    state: 'pending',
    version: 1,
    toHouseholdId: null,
    toRelationCode: null,
    createdBy: tx.actor.userId,
    createdAt: tx.now.toISOString(),
    decidedBy: null,
    decidedAt: null,
  };
  try {
    await insertTransfer(tx, row);
  } catch (error) {
    if (uniqueViolation(error) === 'person_transfers_pending_uq') {
      throw new RegistryError(
        'conflict',
        `${describePerson(person)}已有一项待接收的跨区迁移，请等待接收或先撤回`,
      );
    }
    throw error;
  }
  await recordStart(
    tx,
    transferMachine,
    { id: row.id, action: 'start', divisionCode: row.districtCode, role: caller.role },
    {
      personId: row.personId,
      toDistrictCode: row.toDistrictCode,
      toCommitteeCode: row.toCommitteeCode,
      moveDate: row.moveDate,
    },
  );
  return present({ ...row, ...personColumnsOf(person) }, caller);
}

function personColumnsOf(person: PersonRecord) {
  return {
    personName: person.name,
    personSex: person.sex,
    personBirthDate: person.birthDate,
    personIdNumber: person.idNumber,
  };
}

/** Loads a transfer the caller may act on for `action`, or says why not (absent, or the other side's step). */
async function transferFor(
  tx: WorkTx,
  caller: TransferCaller,
  ref: TransferRef,
  action: string,
): Promise<TransferRow> {
  const row =
    isUuid(ref.id) && /^\d{6}$/.test(ref.districtCode) ? await findTransfer(tx.db, ref, true) : undefined;
  if (!row || !(onSendingSide(caller.scope, row) || onReceivingSide(caller.scope, row))) {
    throw new WorkflowError('not_found', NOT_FOUND);
  }
  if (!sideAllows(caller, row, action)) {
    const label = transferMachine.transitions.find((t) => t.action === action)?.label ?? action;
    const side =
      TRANSFER_SIDE[action] === 'to'
        ? `迁入区（${nameOf(row.toDistrictCode) ?? row.toDistrictCode}）`
        : `迁出区（${nameOf(row.districtCode) ?? row.districtCode}）`;
    throw new WorkflowError('forbidden', `只有${side}可以${label}`);
  }
  return row;
}

async function viewOf(
  db: Db,
  caller: TransferCaller,
  key: { districtCode: string; id: string },
): Promise<TransferView> {
  const row = await findTransfer(db, key);
  if (!row) throw new WorkflowError('not_found', NOT_FOUND);
  const [person] = (await personRowsById(db, row.personId)).filter(
    (p) => p.districtCode === row.districtCode,
  );
  if (!person) throw new WorkflowError('not_found', NOT_FOUND);
  return present({ ...row, ...personColumnsOf(person) }, caller);
}

/** 退回 (the receiving district, with its reasons in the unit's reason) or 撤回 (the sending district). */
export async function closeTransfer(
  tx: WorkTx,
  caller: TransferCaller,
  ref: TransferRef,
  action: 'refuse' | 'withdraw',
): Promise<TransferView> {
  const row = await transferFor(tx, caller, ref, action);
  await applyTransition(
    tx,
    transferMachine,
    transferStore(row.districtCode, { decidedBy: tx.actor.userId, decidedAt: tx.now.toISOString() }),
    {
      id: row.id,
      action,
      expectedVersion: ref.version,
      role: caller.role,
      context: { problems: [] },
    },
  );
  return viewOf(tx.db, caller, row);
}

/**
 * 接收 (the receiving district): in one unit, the transition (compare-and-set on state and version) and the
 * move itself — the person's membership in the sending district ends on the move date ('moved_out'), the
 * person's managing row is written in the receiving district with the same id, the sending district's
 * row points at the new residence, and the membership in the chosen household starts on the move date.
 * Every check runs again here (the registry may have changed while the transfer waited); any problem
 * refuses the step (422) and nothing is written.
 */
export async function acceptTransfer(
  tx: WorkTx,
  caller: TransferCaller,
  input: AcceptTransferInput,
  options?: WriteOptions,
): Promise<WriteResult<TransferView>> {
  const fieldProblems: Problem[] = [];
  checkRelation(fieldProblems, 'relationCode', input.relationCode);
  if (!isUuid(input.householdId)) fieldProblems.push({ field: 'householdId', message: '请选择迁入的家庭户' });
  throwIfProblems(fieldProblems);
  if (!mayAct(caller.role, 'registry.write')) {
    throw new WorkflowError('forbidden', '您没有权限执行「接收」');
  }
  const row = await transferFor(tx, caller, input, 'accept');
  return registryWrite(tx, 'person.transfer', options, async (changes) => {
    const problems: string[] = [];
    let move: (() => Promise<void>) | undefined;
    // A step from the wrong state or a stale page is answered by applyTransition (409) before any check.
    if (row.state === 'pending' && (input.version === undefined || input.version === row.version)) {
      const plan = await planArrival(tx, caller, row, input, changes);
      problems.push(...plan.problems);
      move = plan.move;
    }
    await applyTransition(
      tx,
      transferMachine,
      transferStore(row.districtCode, {
        toHouseholdId: input.householdId,
        toRelationCode: input.relationCode,
        decidedBy: tx.actor.userId,
        decidedAt: tx.now.toISOString(),
      }),
      {
        id: row.id,
        action: 'accept',
        expectedVersion: input.version,
        role: caller.role,
        context: { problems },
      },
    );
    if (move) await move();
    return viewOf(tx.db, caller, row);
  });
}

/**
 * What accepting needs: the checks (as sentences), and the writes to run once the transition is allowed.
 * Reading first and writing after keeps a refused step free of writes.
 */
async function planArrival(
  tx: WorkTx,
  caller: TransferCaller,
  row: TransferRow,
  input: AcceptTransferInput,
  changes: Change[],
): Promise<{ problems: string[]; move: () => Promise<void> }> {
  const rows = await personRowsById(tx.db, row.personId, true);
  const person = managingRow(rows, row.districtCode);
  const problems: string[] = [];
  if (!person) {
    problems.push('该人员已不由迁出区管理（可能已迁往他区）');
    return { problems, move: async () => {} };
  }
  const { problems: leaving, current } = await leavingProblems(tx, person, row.moveDate);
  problems.push(...leaving);
  const duplicate = await otherPersonWithIdNumber(tx.db, row.toDistrictCode, person.idNumber, person.id);
  if (duplicate) {
    problems.push(`本区已有同一身份证号的另一人员登记（${duplicate.name}），请先核实后再接收`);
  }
  const household = await lockHousehold(
    tx,
    caller.scope,
    { districtCode: row.toDistrictCode, id: input.householdId },
    input.householdVersion,
  ).catch((error: unknown) => {
    if (error instanceof RegistryError && error.code === 'not_found') {
      throw new RegistryError('not_found', '迁入的家庭户不存在或不在您的数据范围内', 'householdId');
    }
    throw error;
  });
  const members = await householdMemberRows(tx.db, household.districtCode, household.id, true);
  if (
    input.relationCode === HEAD_RELATION &&
    members.some((m) => m.membership.relationCode === HEAD_RELATION)
  ) {
    problems.push('迁入的家庭户已有户主；请选择其他关系');
  }
  const move = async () => {
    if (current) {
      const ended = await endMembershipRow(tx.db, current, row.moveDate, 'moved_out');
      if (!ended) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
      await bumpHouseholdVersion(tx.db, { districtCode: current.districtCode, id: current.householdId });
      changes.push(membershipChange(current, ended));
    }
    const version = (person.version ?? 1) + 1;
    const arriving = {
      ...person,
      districtCode: household.districtCode,
      residenceDivisionCode: household.committeeCode,
      version,
    };
    const before = rows.find((r) => r.districtCode === household.districtCode) ?? null;
    await upsertArrivingPerson(tx.db, arriving);
    changes.push({
      entityType: 'person',
      entityId: person.id,
      districtCode: household.districtCode,
      before,
      after: arriving,
    });
    await pointEarlierRowsAt(tx.db, person.id, household.districtCode, household.committeeCode);
    changes.push({
      entityType: 'person',
      entityId: person.id,
      districtCode: person.districtCode,
      before: person,
      after: { ...person, residenceDivisionCode: household.committeeCode, version: version },
    });
    const started: MembershipRecord = {
      districtCode: household.districtCode,
      householdId: household.id,
      personId: person.id,
      relationCode: input.relationCode,
      validFrom: row.moveDate,
      validTo: null,
      endReason: null,
      seq: await nextSeq(tx.db, household.districtCode, household.id),
    };
    await insertMembership(tx.db, started);
    changes.push(membershipChange(null, started));
    // Economic facts are keyed by district too: those still holding on the move date go with the person.
    await moveFactsOfPerson(tx, person.id, row.districtCode, household.districtCode, row.moveDate);
  };
  return { problems, move };
}

/** One transfer the caller may see (either side), with the steps they may take and its timeline. */
export async function getTransfer(
  db: Db,
  caller: TransferCaller,
  key: { districtCode: string; id: string },
): Promise<TransferView & { timeline: TimelineEventView[] }> {
  const row = isUuid(key.id) && /^\d{6}$/.test(key.districtCode) ? await findTransfer(db, key) : undefined;
  if (!row || !(onSendingSide(caller.scope, row) || onReceivingSide(caller.scope, row))) {
    throw new WorkflowError('not_found', NOT_FOUND);
  }
  const view = await viewOf(db, caller, row);
  return { ...view, timeline: await presentTimeline(db, transferMachine, row.id) };
}

/** 待接收的迁入 (incoming) or the district's own requests (outgoing), newest first. */
export async function listTransfers(
  db: Db,
  caller: TransferCaller,
  filter: {
    direction: 'incoming' | 'outgoing';
    state?: TransferState | undefined;
    limit?: number;
    offset?: number;
  },
): Promise<TransferView[]> {
  const rows = await listTransferRows(db, caller.scope, {
    direction: filter.direction,
    state: filter.state,
    limit: Math.min(Math.max(filter.limit ?? 50, 1), 200),
    offset: Math.max(filter.offset ?? 0, 0),
  });
  return rows.map((r) => present(r, caller));
}

/** Whether a role may take transfer steps at all (the console hides the buttons otherwise). */
export function canTransfer(role: Acting): boolean {
  return mayAct(role, 'registry.write');
}
