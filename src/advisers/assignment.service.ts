import { randomUUID } from 'node:crypto';
import { inScope } from '../auth/scope.ts';
import { findUserById, listUsers } from '../auth/user.repository.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { findHousehold } from '../registry/household.repository.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { AdviserCaller } from './advisers.caller.ts';
import { AdviserError, HOUSEHOLD_NOT_FOUND, refuseInvalid } from './advisers.errors.ts';
import { Problems } from './advisers.input.ts';
import { assignmentMachine } from './advisers.machine.ts';
import { activeAssignment, insertAssignment } from './advisers.repository.ts';
import { headInScope, startRecord, stepRecord } from './step.ts';
import type { Written } from './records.service.ts';

/**
 * 分派: a street caseworker puts a household of the street in an adviser's caseload. An adviser of a
 * committee follows that committee's households, an adviser of a street the street's; a household has one
 * adviser at a time, so a new assignment ends the one before (改派).
 */

export const ADVISER_ROLE = 'assistance_adviser';

export interface AdviserView {
  id: string;
  name: string;
  divisionCode: string;
}

/** The advisers (active accounts) whose division lies in the caller's scope, by username. */
export async function advisersInScope(db: Db, caller: AdviserCaller, now: Date): Promise<AdviserView[]> {
  const { items } = await listUsers(
    db,
    caller.scope,
    { role: ADVISER_ROLE, status: 'active' },
    { limit: 500, offset: 0 },
    now,
  );
  return items.map((u) => ({ id: u.id, name: u.displayName, divisionCode: u.divisionCode }));
}

export async function assignAdviser(
  tx: WorkTx,
  caller: AdviserCaller,
  input: { districtCode: string; householdId: string; adviserId: string; assignedOn?: string | undefined },
): Promise<Written> {
  const household = await findHousehold(tx.db, caller.scope, {
    districtCode: input.districtCode,
    id: input.householdId,
  });
  if (!household) throw new AdviserError('not_found', HOUSEHOLD_NOT_FOUND);
  const today = shanghaiToday(tx.now);
  const assignedOn = input.assignedOn ?? today;
  const p = new Problems();
  p.past(assignedOn, '分派日期', today);
  const adviser = await findUserById(tx.db, input.adviserId);
  if (
    !adviser ||
    adviser.role !== ADVISER_ROLE ||
    adviser.disabled ||
    !inScope(caller.scope, adviser.divisionCode)
  ) {
    p.add('所选用户不是您辖区内的社区救助顾问');
  } else if (!household.committeeCode.startsWith(adviser.divisionCode)) {
    p.add(`救助顾问${adviser.displayName}只能跟进其所在街道或居委会的家庭`);
  }
  refuseInvalid(p.list);
  const current = await activeAssignment(tx.db, input.districtCode, input.householdId);
  if (current?.adviserId === input.adviserId) {
    throw new AdviserError('already_assigned', '该家庭已由这位救助顾问跟进');
  }
  if (current) {
    await stepRecord(
      tx,
      caller,
      assignmentMachine,
      'assignment',
      { districtCode: current.districtCode, id: current.id, version: current.version },
      'end',
      { fields: { endedOn: assignedOn } },
    );
  }
  const id = randomUUID();
  const row = {
    districtCode: input.districtCode,
    id,
    householdId: household.id,
    committeeCode: household.committeeCode,
    adviserId: input.adviserId,
    assignedOn,
    endedOn: null,
    state: 'active',
    version: 1,
    createdBy: caller.userId,
    createdAt: tx.now.toISOString(),
    updatedAt: tx.now.toISOString(),
  };
  await insertAssignment(tx, row);
  const started = await startRecord(tx, caller, assignmentMachine, row, 'assign', {
    householdId: row.householdId,
    adviserId: row.adviserId,
    assignedOn,
    replaces: current?.id ?? null,
  });
  return { id, districtCode: input.districtCode, ...started };
}

/** 结束跟进: the household leaves the adviser's caseload (its records stay). */
export async function endAssignment(
  tx: WorkTx,
  caller: AdviserCaller,
  key: { districtCode: string; id: string; version: number },
): Promise<Written> {
  await headInScope(tx, caller, 'assignment', key);
  const step = await stepRecord(tx, caller, assignmentMachine, 'assignment', key, 'end', {
    fields: { endedOn: shanghaiToday(tx.now) },
  });
  return { id: key.id, districtCode: key.districtCode, ...step };
}
