import { mayAct, OPERATOR, type Acting } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { findHousehold } from '../registry/household.repository.ts';
import type { HouseholdRecord } from '../registry/registry.types.ts';
import { activeAssignment, type AssignmentRow } from './advisers.repository.ts';
import { AdviserError, HOUSEHOLD_NOT_FOUND } from './advisers.errors.ts';

/** Who acts in the adviser module: their data scope, role and user id. */
export interface AdviserCaller {
  scope: DataScope;
  role: Acting;
  userId: string | null;
}

export interface HouseholdAccess {
  household: HouseholdRecord;
  assignment: AssignmentRow | undefined;
  /** The caller follows this household now (the assignment is theirs) and may write its records. */
  mayRecord: boolean;
}

function follows(caller: AdviserCaller, assignment: AssignmentRow | undefined): boolean {
  return (
    assignment !== undefined &&
    mayAct(caller.role, 'adviser.record') &&
    (caller.role === OPERATOR || assignment.adviserId === caller.userId)
  );
}

/**
 * A household the caller may read the adviser's records of: inside their scope, and either they read every
 * adviser's records (adviser.view) or they follow it. Anything else reads as absent.
 */
export async function readableHousehold(
  db: Db,
  caller: AdviserCaller,
  key: { districtCode: string; householdId: string },
): Promise<HouseholdAccess> {
  const household = await findHousehold(db, caller.scope, {
    districtCode: key.districtCode,
    id: key.householdId,
  });
  if (!household) throw new AdviserError('not_found', HOUSEHOLD_NOT_FOUND);
  const assignment = await activeAssignment(db, key.districtCode, key.householdId);
  const mayRecord = follows(caller, assignment);
  if (!mayRecord && !mayAct(caller.role, 'adviser.view'))
    throw new AdviserError('not_found', HOUSEHOLD_NOT_FOUND);
  return { household, assignment, mayRecord };
}

/** A household the caller follows now, for a write; a reader who does not follow it is told so. */
export async function followedHousehold(
  db: Db,
  caller: AdviserCaller,
  key: { districtCode: string; householdId: string },
): Promise<HouseholdAccess> {
  const access = await readableHousehold(db, caller, key);
  if (!access.mayRecord) {
    throw new AdviserError('not_assigned', '您不是该家庭的救助顾问，只有分派的救助顾问可以记录');
  }
  return access;
}
