import { divisionScope } from '../auth/scope.ts';
import type { Store } from '../db/store.ts';
import {
  authorise,
  calendarFor,
  seedHousehold,
  type SeededHousehold,
} from '../verification/verification.fixtures.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { actOnCase, type ActionInput } from './case.actions.ts';
import type { CaseCaller, CaseDeps, RelativeMatch } from './case.deps.ts';
import { caseDeps } from './case.wiring.ts';
import { intakeCase, type CaseDetailView } from './case.service.ts';

/**
 * Test fixtures of the cases module: callers of the 控江路街道 (310110012), another street, two district
 * approvers; a household with the verification fixtures' authorisation; deps with the real verification
 * request and a controllable report, relatives and decisions (the other modules test their own).
 */

export const CASEWORKER: CaseCaller = {
  scope: divisionScope('310110012'),
  role: 'street_caseworker',
  userId: 'u-cw',
};
export const CASEWORKER2: CaseCaller = {
  scope: divisionScope('310110012'),
  role: 'street_caseworker',
  userId: 'u-cw2',
};
export const OTHER_STREET: CaseCaller = {
  scope: divisionScope('310110016'),
  role: 'street_caseworker',
  userId: 'u-other',
};
export const COMMITTEE: CaseCaller = {
  scope: divisionScope('310110012001'),
  role: 'committee_assistant',
  userId: 'u-committee',
};
export const APPROVER: CaseCaller = {
  scope: divisionScope('310110'),
  role: 'district_approver',
  userId: 'u-ap1',
};
export const APPROVER2: CaseCaller = {
  scope: divisionScope('310110'),
  role: 'district_approver',
  userId: 'u-ap2',
};

export const actor = (caller: CaseCaller, reason = '办理救助申请'): ActingContext => ({
  userId: caller.userId,
  divisionCode: caller.scope.kind === 'division' ? caller.scope.code : '310000',
  reason,
});

export interface FakeDeps extends CaseDeps {
  reports: Set<string>;
  conflicts: RelativeMatch[];
  decided: { action: 'grant' | 'deny'; caseId: string; by: string | null }[];
}

/** Real verification requests; reports issued when a test says so; relatives and decisions recorded. */
export async function testDeps(store: Store): Promise<FakeDeps> {
  const real = caseDeps(await calendarFor(store));
  const reports = new Set<string>();
  const conflicts: RelativeMatch[] = [];
  const decided: FakeDeps['decided'] = [];
  return {
    ...real,
    reports,
    conflicts,
    decided,
    verification: {
      request: (tx, caller, input) => real.verification.request(tx, caller, input),
      reported: (_db, _district, id) => Promise.resolve(reports.has(id)),
    },
    relativeConflicts: () => Promise.resolve([...conflicts]),
    decisions: {
      grant: (_tx, caller, key) => {
        decided.push({ action: 'grant', caseId: key.caseId, by: caller.userId });
        return Promise.resolve(undefined);
      },
      deny: (_tx, caller, input) => {
        decided.push({ action: 'deny', caseId: input.caseId, by: caller.userId });
        return Promise.resolve(undefined);
      },
    },
  };
}

export async function seedCaseHousehold(
  store: Store,
  tag: string,
  signedOn: string,
): Promise<SeededHousehold> {
  const seeded = await seedHousehold(store, tag);
  for (const purpose of ['dibao', 'temporary'])
    await authorise(store, seeded, { purpose, signedOn, standing: true });
  return seeded;
}

export function intake(
  store: Store,
  deps: CaseDeps,
  seeded: SeededHousehold,
  programs: string[] = ['dibao'],
  caller: CaseCaller = CASEWORKER,
): Promise<CaseDetailView> {
  return inUnitOfWork(store, actor(caller, '窗口受理救助申请'), (tx) =>
    intakeCase(tx, caller, deps, {
      districtCode: '310110',
      householdId: seeded.household.id,
      programs,
      applicantPersonId: seeded.adults[0]!.id,
      contactPhone: '13812345678',
      materials: { application: true, identity: true },
    }),
  );
}

export function act(
  store: Store,
  deps: CaseDeps,
  caller: CaseCaller,
  input: Omit<ActionInput, 'districtCode'> & { districtCode?: string },
) {
  return inUnitOfWork(store, actor(caller, input.reason ?? '办理救助申请'), (tx) =>
    actOnCase(tx, caller, deps, { districtCode: '310110', ...input }),
  );
}
