import { mayAct, OPERATOR } from '../auth/roles.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { findHousehold, householdMemberRows } from '../registry/household.repository.ts';
import { streetAndCommitteeNames } from '../registry/present.ts';
import type { AdviserCaller } from './advisers.caller.ts';
import { activeAssignments, dueItems, lastVisits } from './advisers.repository.ts';
import { presentAssignment } from './household-record.service.ts';
import { findUserById } from '../auth/user.repository.ts';
import { actorName } from '../auth/actor-name.ts';

/**
 * 我的救助对象: the households an adviser follows, each with its head, its last visit, what is due next in
 * its open plan and how much is late. A caseworker (adviser.view) sees every adviser's caseload in scope,
 * or one adviser's; an adviser only their own.
 */

export interface CaseloadFilter {
  districtCode: string;
  adviserId?: string | undefined;
  overdueOnly?: boolean | undefined;
}

export async function caseload(
  db: Db,
  caller: AdviserCaller,
  filter: CaseloadFilter,
  today = shanghaiToday(),
) {
  const seesAll = caller.role === OPERATOR || mayAct(caller.role, 'adviser.view');
  const adviserId = seesAll ? filter.adviserId : (caller.userId ?? '');
  const assignments = await activeAssignments(db, caller.scope, {
    districtCode: filter.districtCode,
    adviserId,
  });
  const ids = assignments.map((a) => a.householdId);
  const [visits, due] = await Promise.all([
    lastVisits(db, filter.districtCode, ids),
    dueItems(db, filter.districtCode, ids),
  ]);
  const advisers = new Map<string, string>();
  for (const id of new Set(assignments.map((a) => a.adviserId))) {
    const user = await findUserById(db, id);
    if (user) advisers.set(id, user.displayName);
  }
  const names = { of: (id: string | null) => actorName(id, (x) => advisers.get(x)) };
  const items = [];
  for (const a of assignments) {
    const household = await findHousehold(db, caller.scope, {
      districtCode: a.districtCode,
      id: a.householdId,
    });
    if (!household) continue;
    const members = await householdMemberRows(db, a.districtCode, a.householdId, true);
    const head = members.find((m) => m.membership.relationCode === '02') ?? members[0];
    const mine = due.filter((d) => d.householdId === a.householdId);
    const next = mine[0];
    items.push({
      householdId: a.householdId,
      districtCode: a.districtCode,
      householdNo: household.householdNo,
      headName: head?.person.name ?? null,
      memberCount: members.length,
      address: household.address,
      ...streetAndCommitteeNames(household.committeeCode),
      assignment: presentAssignment(a, names),
      lastVisitOn: visits.get(a.householdId) ?? null,
      nextDue: next
        ? {
            title: next.kind === 'review' ? '计划复评' : (next.title ?? ''),
            dueOn: next.dueOn,
            kind: next.kind,
          }
        : null,
      overdueCount: mine.filter((d) => d.dueOn < today).length,
    });
  }
  const shown = filter.overdueOnly ? items.filter((i) => i.overdueCount > 0) : items;
  // The most late first, then what falls due soonest; households with nothing planned last.
  shown.sort(
    (x, y) =>
      y.overdueCount - x.overdueCount ||
      (x.nextDue?.dueOn ?? '9999').localeCompare(y.nextDue?.dueOn ?? '9999') ||
      x.householdNo.localeCompare(y.householdNo),
  );
  return { items: shown, total: shown.length };
}

export type Caseload = Awaited<ReturnType<typeof caseload>>;
