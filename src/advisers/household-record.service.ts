import { findUserById } from '../auth/user.repository.ts';
import { actorName } from '../auth/actor-name.ts';
import type { ActorRole } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { PROGRAMS, isProgramCode } from '../policy/index.ts';
import { findHousehold } from '../registry/household.repository.ts';
import { getHouseholdDetail } from '../registry/registry.service.ts';
import { allowedTransitions, type MachineDef } from '../workflow/state-machine.ts';
import { presentTimeline, type TimelineEventView } from '../workflow/timeline.ts';
import { readableHousehold, type AdviserCaller } from './advisers.caller.ts';
import { AdviserError, HOUSEHOLD_NOT_FOUND } from './advisers.errors.ts';
import {
  assessmentMachine,
  assignmentMachine,
  planMachine,
  referralMachine,
  visitMachine,
  type PlanState,
  type ReferralState,
} from './advisers.machine.ts';
import {
  householdAssessments,
  householdAssignments,
  householdPlans,
  householdReferrals,
  householdVisits,
  planActions,
  type AssessmentRow,
  type AssignmentRow,
  type PlanRow,
  type ReferralRow,
  type VisitRow,
} from './advisers.repository.ts';
import {
  ACTION_STATUSES,
  DIMENSIONS,
  isDimension,
  nameOf,
  NEED_LEVEL_PRIORITY,
  NEED_LEVELS,
  PLAN_KINDS,
  REFERRAL_KINDS,
  signName,
  VISIT_MODES,
} from './codes.ts';

/**
 * What an adviser has recorded for a household, as people read it: names, not codes; each record's version
 * for the next edit; the steps the reader may take; and one timeline of every step of every record.
 */

export interface Names {
  of(id: string | null): string;
}

async function userNames(db: Db, ids: Iterable<string | null>): Promise<Names> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    if (id === null || names.has(id) || !/^[0-9a-f-]{36}$/i.test(id)) continue;
    const user = await findUserById(db, id);
    if (user) names.set(id, user.displayName);
  }
  return { of: (id) => actorName(id, (x) => names.get(x)) };
}

const step = (t: { action: string; label: string }) => ({ action: t.action, label: t.label });

export function presentAssignment(row: AssignmentRow, names: Names) {
  return {
    id: row.id,
    districtCode: row.districtCode,
    householdId: row.householdId,
    adviserId: row.adviserId,
    adviserName: names.of(row.adviserId),
    assignedOn: row.assignedOn,
    endedOn: row.endedOn,
    state: row.state,
    stateName: nameOf(assignmentMachine.states, row.state),
    version: row.version,
  };
}

function presentVisit(row: VisitRow, names: Names) {
  return {
    id: row.id,
    districtCode: row.districtCode,
    caseId: row.caseId,
    visitedOn: row.visitedOn,
    mode: row.mode,
    modeName: nameOf(VISIT_MODES, row.mode),
    notes: row.notes,
    recordedBy: names.of(row.createdBy),
    version: row.version,
  };
}

function presentAssessment(row: AssessmentRow, names: Names) {
  const items = row.items.filter((i) => isDimension(i.dimension));
  return {
    id: row.id,
    districtCode: row.districtCode,
    caseId: row.caseId,
    assessedOn: row.assessedOn,
    items: items.map((i) => {
      const dimension = i.dimension as keyof typeof DIMENSIONS;
      return {
        dimension,
        dimensionName: DIMENSIONS[dimension].name,
        level: i.level,
        levelName: NEED_LEVELS[i.level] ?? String(i.level),
        signs: i.signs.map((code) => ({ code, name: signName(dimension, code) ?? code })),
        note: i.note,
      };
    }),
    /** The dimensions the plan should answer (中度 and above), most severe first. */
    priorities: items
      .filter((i) => i.level >= NEED_LEVEL_PRIORITY)
      .sort((a, b) => b.level - a.level)
      .map((i) => DIMENSIONS[i.dimension as keyof typeof DIMENSIONS].name),
    summary: row.summary,
    recordedBy: names.of(row.createdBy),
    version: row.version,
  };
}

function stepsOf<S extends string>(
  machine: MachineDef<S, unknown>,
  state: S,
  role: ActorRole | undefined,
  may: boolean,
  edits: string[],
) {
  if (!may) return [];
  return allowedTransitions(machine, state, role)
    .filter((t) => !edits.includes(t.action))
    .map(step);
}

function presentPlan(
  row: PlanRow,
  actions: Awaited<ReturnType<typeof planActions>>,
  names: Names,
  reader: { role: ActorRole | undefined; mayRecord: boolean },
  today: string,
) {
  const open = row.state === 'draft' || row.state === 'active';
  return {
    id: row.id,
    districtCode: row.districtCode,
    caseId: row.caseId,
    kind: row.kind,
    kindName: nameOf(PLAN_KINDS, row.kind),
    goals: row.goals,
    reviewOn: row.reviewOn,
    reviewOverdue: row.state === 'active' && row.reviewOn < today,
    state: row.state,
    stateName: nameOf(planMachine.states, row.state),
    version: row.version,
    editable: reader.mayRecord && open,
    actions: actions
      .filter((a) => a.planId === row.id)
      .map((a) => ({
        seq: a.seq,
        title: a.title,
        dueOn: a.dueOn,
        status: a.status,
        statusName: nameOf(ACTION_STATUSES, a.status),
        doneOn: a.doneOn,
        overdue: open && a.status === 'open' && a.dueOn < today,
      })),
    allowedActions: stepsOf(planMachine, row.state as PlanState, reader.role, reader.mayRecord, [
      'revise',
      'adjust',
    ]),
    recordedBy: names.of(row.createdBy),
  };
}

function targetName(row: ReferralRow): string {
  if (row.targetKind === 'program' && isProgramCode(row.target)) return PROGRAMS[row.target].name;
  return row.target;
}

function presentReferral(
  row: ReferralRow,
  names: Names,
  reader: { role: ActorRole | undefined; mayRecord: boolean },
) {
  return {
    id: row.id,
    districtCode: row.districtCode,
    caseId: row.caseId,
    referredOn: row.referredOn,
    targetKind: row.targetKind,
    targetKindName: nameOf(REFERRAL_KINDS, row.targetKind),
    target: row.target,
    targetName: targetName(row),
    notes: row.notes,
    state: row.state,
    stateName: nameOf(referralMachine.states, row.state),
    outcome: row.outcome,
    outcomeOn: row.outcomeOn,
    version: row.version,
    editable: reader.mayRecord && row.state === 'referred',
    allowedActions: stepsOf(referralMachine, row.state as ReferralState, reader.role, reader.mayRecord, [
      'revise',
    ]),
    recordedBy: names.of(row.createdBy),
  };
}

export interface HouseholdTimelineEvent extends TimelineEventView {
  /** What the step concerns: 走访（上门，2026-11-20）, 帮扶计划（陪伴式）… */
  subject: string;
  entityType: string;
  entityId: string;
}

async function timelineOf(
  db: Db,
  records: {
    assignments: AssignmentRow[];
    visits: VisitRow[];
    assessments: AssessmentRow[];
    plans: PlanRow[];
    referrals: ReferralRow[];
  },
  names: Names,
): Promise<HouseholdTimelineEvent[]> {
  const entries: [MachineDef<string, unknown>, string, string][] = [
    ...records.assignments.map(
      (r) =>
        [assignmentMachine, r.id, `救助顾问分派（${names.of(r.adviserId)}）`] as [
          MachineDef<string, unknown>,
          string,
          string,
        ],
    ),
    ...records.visits.map(
      (r) =>
        [visitMachine, r.id, `走访（${nameOf(VISIT_MODES, r.mode)}，${r.visitedOn}）`] as [
          MachineDef<string, unknown>,
          string,
          string,
        ],
    ),
    ...records.assessments.map(
      (r) =>
        [assessmentMachine, r.id, `需求评估（${r.assessedOn}）`] as [
          MachineDef<string, unknown>,
          string,
          string,
        ],
    ),
    ...records.plans.map(
      (r) =>
        [planMachine, r.id, `帮扶计划（${nameOf(PLAN_KINDS, r.kind)}）`] as [
          MachineDef<string, unknown>,
          string,
          string,
        ],
    ),
    ...records.referrals.map(
      (r) =>
        [referralMachine, r.id, `转介（${targetName(r)}）`] as [MachineDef<string, unknown>, string, string],
    ),
  ];
  const events = await Promise.all(
    entries.map(async ([machine, id, subject]) =>
      (await presentTimeline(db, machine, id)).map((e) => ({
        ...e,
        subject,
        entityType: machine.entityType,
        entityId: id,
      })),
    ),
  );
  // Newest first: the page opens on what happened last.
  return events.flat().sort((a, b) => b.at.localeCompare(a.at) || b.id - a.id);
}

async function recordsOf(
  db: Db,
  key: { districtCode: string; householdId: string },
  reader: { role: ActorRole | undefined; mayRecord: boolean },
  today: string,
) {
  const [assignments, visits, assessments, plans, referrals] = await Promise.all([
    householdAssignments(db, key),
    householdVisits(db, key),
    householdAssessments(db, key),
    householdPlans(db, key),
    householdReferrals(db, key),
  ]);
  const actions = await planActions(
    db,
    key.districtCode,
    plans.map((p) => p.id),
  );
  const names = await userNames(db, [
    ...assignments.flatMap((a) => [a.adviserId, a.createdBy]),
    ...[...visits, ...assessments, ...plans, ...referrals].map((r) => r.createdBy),
  ]);
  const current = assignments.find((a) => a.state === 'active');
  return {
    assignment: current ? presentAssignment(current, names) : null,
    assignments: assignments.map((a) => presentAssignment(a, names)),
    visits: visits.map((v) => presentVisit(v, names)),
    assessments: assessments.map((a) => presentAssessment(a, names)),
    plans: plans.map((p) => presentPlan(p, actions, names, reader, today)),
    referrals: referrals.map((r) => presentReferral(r, names, reader)),
    timeline: await timelineOf(db, { assignments, visits, assessments, plans, referrals }, names),
  };
}

export type AdviserRecords = Awaited<ReturnType<typeof recordsOf>>;

/**
 * A household's adviser records for another module (a case of the household shows them): read-only, for a
 * reader whose scope holds the household; outside it, not found.
 */
export async function adviserRecordsOf(
  tx: { db: Db },
  scope: DataScope,
  household: { districtCode: string; id: string },
): Promise<AdviserRecords> {
  const found = await findHousehold(tx.db, scope, household);
  if (!found) throw new AdviserError('not_found', HOUSEHOLD_NOT_FOUND);
  return recordsOf(
    tx.db,
    { districtCode: household.districtCode, householdId: household.id },
    { role: undefined, mayRecord: false },
    shanghaiToday(),
  );
}

/** 顾问的家庭页: the household, its members by name, and everything the adviser has recorded. */
export async function householdAdviserRecord(
  db: Db,
  caller: AdviserCaller,
  key: { districtCode: string; householdId: string },
  today = shanghaiToday(),
) {
  const access = await readableHousehold(db, caller, key);
  const detail = await getHouseholdDetail(db, caller.scope, {
    districtCode: key.districtCode,
    id: key.householdId,
  });
  const h = detail.household;
  const role = caller.role === 'operator' ? undefined : caller.role;
  return {
    household: {
      id: h.id,
      districtCode: h.districtCode,
      householdNo: h.householdNo,
      address: h.address,
      committeeCode: h.committeeCode,
      streetName: h.streetName,
      committeeName: h.committeeName,
    },
    members: detail.members.map((m) => ({
      personId: m.person.id,
      name: m.person.name,
      relationName: m.relationName,
      sex: m.person.sex,
      birthDate: m.person.birthDate,
      idNumberMasked: m.person.idNumber,
    })),
    mayRecord: access.mayRecord,
    ...(await recordsOf(db, key, { role, mayRecord: access.mayRecord }, today)),
  };
}

export type HouseholdAdviserRecord = Awaited<ReturnType<typeof householdAdviserRecord>>;
