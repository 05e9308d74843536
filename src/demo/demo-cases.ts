import type { InitialAccount } from '../auth/bootstrap.service.ts';
import { demoAccountPlan } from '../auth/bootstrap.service.ts';
import type { Role } from '../auth/roles.ts';
import { ALL } from '../auth/scope.ts';
import { findUserByUsername } from '../auth/user.repository.ts';
import { createUser } from '../auth/user.service.ts';
import { loadCalendar } from '../calendar/calendar.service.ts';
import { addDays } from '../calendar/days.ts';
import { caseDeps } from '../cases/case.wiring.ts';
import { shanghaiToday, now as clockNow } from '../core/clock.ts';
import type { Store } from '../db/store.ts';
import { HEAD_RELATION } from '../registry/codes.ts';
import { findHousehold, householdMemberRows } from '../registry/household.repository.ts';
import { loadSourceSettings } from '../verification/sources/adapters.ts';
import { seedDemoAdvisers, type DemoAdviserTeam } from './demo-advisers.ts';
import {
  applicationDay,
  DEMO_SCENARIOS,
  earliestDay,
  needsAuthorisation,
  stepsOf,
  type DemoStep,
} from './demo-case-plan.ts';
import {
  runStep,
  staffMember,
  type DemoApplication,
  type DemoCaseContext,
  type DemoPerson,
  type DemoStaffMember,
} from './demo-case-steps.ts';
import { caseCandidates, hasCases, streetHouseholds, type CaseCandidate } from './demo.repository.ts';

/**
 * The demo's 救助申请, 待遇 and 社区救助顾问 records, added on the first start after the demo population and
 * accounts (src/http/first-start.ts): every application goes through the case, verification, relatives,
 * entitlements and advisers services as the console's requests do (units of work, audit, timelines), dated
 * over the past month (demo-case-plan.ts). Households are the demo population's 低保 households in 户编号
 * order, so the same seed on the same day gives the same cases.
 */

export interface DemoCasesResult {
  status: 'loaded';
  cases: number;
  adviserHouseholds: number;
  /** Accounts this added (a second approver and the advisers), with their passwords, for `serve` to print. */
  accounts: InitialAccount[];
}

export type DemoCasesOutcome = DemoCasesResult | { status: 'skipped'; reason: string };

/** The accounts the demo cases need beyond the demo accounts: two approvers, an adviser per street. */
function extraAccounts(district: string, streets: { a: string; b: string }) {
  return [
    {
      username: 'approver2',
      displayName: '区审批人乙（演示）',
      role: 'district_approver',
      divisionCode: district,
    },
    {
      username: 'adviser',
      displayName: '社区救助顾问（演示）',
      role: 'assistance_adviser',
      divisionCode: streets.a,
    },
    {
      username: 'adviser2',
      displayName: '社区救助顾问乙（演示）',
      role: 'assistance_adviser',
      divisionCode: streets.b,
    },
  ] satisfies { username: string; displayName: string; role: Role; divisionCode: string }[];
}

async function staffOf(store: Store, username: string): Promise<DemoStaffMember | undefined> {
  const user = await findUserByUsername(store.db, username);
  return user ? staffMember(user.id, user.role, user.divisionCode) : undefined;
}

async function personOf(store: Store, district: string, householdId: string): Promise<DemoPerson> {
  const members = await householdMemberRows(store.db, district, householdId, true);
  const head = members.find((m) => m.membership.relationCode === HEAD_RELATION) ?? members[0];
  if (!head) throw new Error(`internal: household ${householdId} has no member`);
  return {
    personId: head.person.id,
    name: head.person.name,
    idNumber: head.person.idNumber,
    birthDate: head.person.birthDate,
  };
}

async function applicationOf(
  store: Store,
  district: string,
  scenario: DemoApplication['scenario'],
  c: CaseCandidate,
): Promise<DemoApplication> {
  const h = await findHousehold(store.db, ALL, { districtCode: district, id: c.id });
  if (!h) throw new Error(`internal: household ${c.householdNo} not found`);
  return {
    scenario,
    household: { ...c, streetCode: h.streetCode, address: h.address },
    head: await personOf(store, district, c.id),
  };
}

/**
 * Picks the households: the committee's scenarios from the committee's households, the rest from the
 * street's, each household once. Scenarios without a household left (a small population) are left out.
 */
async function applications(
  store: Store,
  district: string,
  streets: { a: string; b: string; committee: string },
  today: string,
): Promise<DemoApplication[]> {
  const signedBy = earliestDay(today);
  const pool = {
    A: await caseCandidates(store.db, district, [streets.a], signedBy),
    B: await caseCandidates(store.db, district, [streets.b], signedBy),
  };
  const any = {
    A: await streetHouseholds(store.db, district, streets.a, 60),
    B: await streetHouseholds(store.db, district, streets.b, 60),
  };
  const used = new Set<string>();
  const take = (list: CaseCandidate[], pick: (c: CaseCandidate) => boolean) => {
    const found = list.find((c) => !used.has(c.id) && pick(c));
    if (found) used.add(found.id);
    return found;
  };
  const apps: DemoApplication[] = [];
  const inCommittee = (x: CaseCandidate) => x.committeeCode === streets.committee;
  // The 低保 households go to the later states first; the states before 核对 take any household.
  const ordered = [...DEMO_SCENARIOS].sort(
    (x, y) => Number(needsAuthorisation(y)) - Number(needsAuthorisation(x)),
  );
  for (const planned of ordered) {
    const list = needsAuthorisation(planned) ? pool[planned.street] : any[planned.street];
    const c = (planned.committee ? take(list, inCommittee) : undefined) ?? take(list, () => true);
    if (!c) continue;
    // Registered and visited by the committee assistant only when the household is in their committee.
    const s = { ...planned, committee: planned.committee === true && inCommittee(c) };
    const app = await applicationOf(store, district, s, c);
    if (s.relative) {
      // The committee assistant's own record: any other household's head of the district.
      const self = take(any.A, (x) => !pool.A.some((p) => p.id === x.id));
      if (!self) continue;
      app.staffSelf = await personOf(store, district, self.id);
    }
    apps.push(app);
  }
  return apps;
}

interface Scheduled {
  day: string;
  app: DemoApplication;
  step: DemoStep;
  order: number;
}

/** Every step of every application, in the order of their days (the audit log reads as a month of work). */
function schedule(apps: readonly DemoApplication[], today: string): Scheduled[] {
  const out: Scheduled[] = [];
  for (const app of apps) {
    const appliedOn = applicationDay(app.scenario, today);
    let day = appliedOn;
    for (const step of stepsOf(app.scenario, appliedOn)) {
      day = addDays(day, step.gap);
      out.push({ day, app, step, order: out.length });
    }
  }
  return out.sort((x, y) => (x.day === y.day ? x.order - y.order : x.day < y.day ? -1 : 1));
}

/** The instants of a day's steps: from 09:00, two minutes apart; today's end just before now. */
function instants(items: readonly Scheduled[], today: string, now: Date): Date[] {
  const perDay = new Map<string, number>();
  const todays = items.filter((s) => s.day === today).length;
  return items.map((s) => {
    const k = perDay.get(s.day) ?? 0;
    perDay.set(s.day, k + 1);
    if (s.day === today) return new Date(now.getTime() - (todays - k) * 1000);
    return new Date(new Date(`${s.day}T09:00:00+08:00`).getTime() + k * 120_000);
  });
}

export async function seedDemoCases(
  store: Store,
  options: { district: string; dataDir: string },
): Promise<DemoCasesOutcome> {
  const { district } = options;
  if (await hasCases(store.db, district)) return { status: 'skipped', reason: '已有救助申请' };
  const plan = demoAccountPlan(district);
  const division = (username: string) => plan.find((p) => p.username === username)!.divisionCode;
  const streets = { a: division('caseworker'), b: division('caseworker2'), committee: division('committee') };
  const caseworker = await staffOf(store, 'caseworker');
  const caseworker2 = await staffOf(store, 'caseworker2');
  const committee = await staffOf(store, 'committee');
  const approver = await staffOf(store, 'approver');
  if (!caseworker || !caseworker2 || !committee || !approver) {
    return { status: 'skipped', reason: '没有演示账号' };
  }
  const accounts: InitialAccount[] = [];
  for (const account of extraAccounts(district, streets)) {
    if (await findUserByUsername(store.db, account.username)) continue;
    const { password } = await createUser(
      store,
      { userId: null, divisionCode: district, requestId: 'first-start' },
      account,
      '首次启动创建演示账号（救助申请与救助顾问）',
      { mustChangePassword: false },
    );
    accounts.push({ ...account, password, mustChangePassword: false });
  }
  const approver2 = await staffOf(store, 'approver2');
  const adviser = await staffOf(store, 'adviser');
  const adviser2 = await staffOf(store, 'adviser2');
  if (!approver2 || !adviser || !adviser2)
    throw new Error('internal: the demo cases’ accounts were not created');
  const now = clockNow();
  const today = shanghaiToday(now);
  const calendar = await loadCalendar(store.db);
  const ctx: DemoCaseContext = {
    store,
    district,
    calendar,
    deps: caseDeps(calendar),
    // The demo verifies on the simulated sources, whatever sources the deployment configured.
    sources: loadSourceSettings(undefined, options.dataDir),
    staff: { caseworker, committee, approver, approver2 },
  };
  const apps = await applications(store, district, streets, today);
  const items = schedule(apps, today);
  const at = instants(items, today, now);
  for (const [i, item] of items.entries()) {
    const streetB = item.app.scenario.street === 'B';
    const c: DemoCaseContext = streetB ? { ...ctx, staff: { ...ctx.staff, caseworker: caseworker2 } } : ctx;
    await runStep(c, item.app, item.step, item.day, at[i]!);
  }
  // The adviser follows some of the street's applicants: the granted, one awaiting the visit, the denied.
  const followed = (street: 'A' | 'B', targets: readonly string[], most: number) =>
    apps
      .filter((a) => a.scenario.street === street && targets.includes(a.scenario.target))
      .slice(0, most)
      .map((a) => ({
        id: a.household.id,
        householdNo: a.household.householdNo,
        headName: a.head.name,
        elder: a.head.birthDate <= `${Number(today.slice(0, 4)) - 60}${today.slice(4)}`,
      }));
  const teams: DemoAdviserTeam[] = [
    {
      assigner: caseworker,
      adviser,
      households: followed('A', ['approved', 'visit', 'denied'], 4),
    },
    { assigner: caseworker2, adviser: adviser2, households: followed('B', ['approved'], 2) },
  ];
  const adviserHouseholds = await seedDemoAdvisers(store, district, today, teams);
  return { status: 'loaded', cases: apps.length, adviserHouseholds, accounts };
}
