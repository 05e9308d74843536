import { divisionIndex } from '../registry/divisions.ts';
import type { Store } from '../db/store.ts';
import type { Role } from './roles.ts';
import { CITY_DIVISION_CODE } from './scope.ts';
import { createUser, hasUsers } from './user.service.ts';

export interface InitialAccount {
  username: string;
  displayName: string;
  role: Role;
  divisionCode: string;
  /** Printed once by `serve`, never logged. */
  password: string;
  /**
   * The administrator's password is a one-time password: the API refuses other work until it is changed.
   * The demo accounts (demo mode only, synthetic data) keep their printed passwords, so that the roles
   * can be shown one after another without first changing seven passwords.
   */
  mustChangePassword: boolean;
}

interface AccountPlan {
  username: string;
  displayName: string;
  role: Role;
  divisionCode: string;
}

/** The demo district's street of the isolation pair (控江路街道 and 殷行街道 in Yangpu). */
const DEMO_STREETS: Record<string, readonly [string, string]> = {
  '310110': ['310110012', '310110016'],
};

function firstChild(code: string): string | undefined {
  return divisionIndex().children(code)[0]?.code;
}

/**
 * The demo accounts: one per role in the demo district, street staff in one street, a committee
 * assistant in a committee of it, a second street caseworker in another street for isolation tests, and
 * a city-level auditor (the whole city; the district auditor sees the demo district only).
 */
export function demoAccountPlan(district: string): AccountPlan[] {
  const streets = DEMO_STREETS[district] ?? [
    firstChild(district),
    divisionIndex().children(district)[1]?.code,
  ];
  const [streetA, streetB] = streets;
  if (!streetA || !streetB) throw new Error(`区划 ${district} 下没有足够的街道，无法创建演示用户`);
  const committee = firstChild(streetA);
  if (!committee) throw new Error(`街道 ${streetA} 下没有居委会，无法创建演示用户`);
  return [
    {
      username: 'committee',
      displayName: '居委会助理员（演示）',
      role: 'committee_assistant',
      divisionCode: committee,
    },
    {
      username: 'caseworker',
      displayName: '街道经办人（演示）',
      role: 'street_caseworker',
      divisionCode: streetA,
    },
    {
      username: 'caseworker2',
      displayName: '街道经办人乙（演示）',
      role: 'street_caseworker',
      divisionCode: streetB,
    },
    {
      username: 'approver',
      displayName: '区审批人（演示）',
      role: 'district_approver',
      divisionCode: district,
    },
    {
      username: 'verifier',
      displayName: '核对员（演示）',
      role: 'verification_officer',
      divisionCode: district,
    },
    { username: 'finance', displayName: '财务人员（演示）', role: 'finance_officer', divisionCode: district },
    {
      username: 'finance2',
      displayName: '财务复核（演示）',
      role: 'finance_officer',
      divisionCode: district,
    },
    { username: 'auditor', displayName: '审计员（演示）', role: 'auditor', divisionCode: district },
    {
      username: 'policy',
      displayName: '区政策管理员（演示）',
      role: 'policy_officer',
      divisionCode: district,
    },
    {
      username: 'policy2',
      displayName: '区政策管理员乙（演示）',
      role: 'policy_officer',
      divisionCode: district,
    },
    {
      username: 'citypolicy',
      displayName: '市政策管理员（演示）',
      role: 'policy_officer',
      divisionCode: CITY_DIVISION_CODE,
    },
    {
      username: 'citypolicy2',
      displayName: '市政策管理员乙（演示）',
      role: 'policy_officer',
      divisionCode: CITY_DIVISION_CODE,
    },
    {
      username: 'city.auditor',
      displayName: '市级审计员（演示）',
      role: 'auditor',
      divisionCode: CITY_DIVISION_CODE,
    },
  ];
}

/**
 * First start: when no user exists, creates the administrator (bound to the district) and, in demo mode,
 * the demo accounts. Returns what was created, with passwords, for the caller to print once; returns []
 * when users already exist (passwords are never shown again).
 */
export async function ensureInitialUsers(
  store: Store,
  options: { district: string; demo: boolean },
): Promise<InitialAccount[]> {
  if (await hasUsers(store)) return [];
  const plan: (AccountPlan & { mustChangePassword: boolean })[] = [
    {
      username: 'admin',
      displayName: '系统管理员',
      role: 'admin',
      divisionCode: options.district,
      mustChangePassword: true,
    },
    ...(options.demo
      ? demoAccountPlan(options.district).map((account) => ({ ...account, mustChangePassword: false }))
      : []),
  ];
  const created: InitialAccount[] = [];
  const actor = { userId: null, divisionCode: options.district, requestId: 'first-start' };
  for (const { mustChangePassword, ...account } of plan) {
    const { password } = await createUser(store, actor, account, '首次启动创建初始账号', {
      mustChangePassword,
    });
    created.push({ ...account, password, mustChangePassword });
  }
  return created;
}
