import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createUser } from '../auth/user.service.ts';
import type { Role } from '../auth/roles.ts';
import { loadConfig, type Config } from '../config.ts';
import type { Store } from '../db/store.ts';
import { buildServer } from './server.ts';

/** Test support for route tests (not a test file itself): a server on a store, users, logged-in agents. */

export const TEST_PASSWORD = 'Test-password-2026';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', MINZHENG_WEB_DIST: '/nonexistent-web-dist', ...overrides });
}

export async function testServer(
  store: Store,
  overrides: Record<string, string> = {},
): Promise<FastifyInstance> {
  const app = await buildServer({ config: testConfig(overrides), store, logger: false });
  await app.ready();
  return app;
}

/** A user with the known TEST_PASSWORD (not a one-time password: `mustChangePassword` only when asked). */
export async function addUser(
  store: Store,
  username: string,
  role: Role,
  divisionCode: string,
  options: { mustChangePassword?: boolean } = {},
): Promise<string> {
  const { user } = await createUser(
    store,
    { userId: null, divisionCode: null },
    { username, displayName: username, role, divisionCode, password: TEST_PASSWORD },
    '测试',
    { mustChangePassword: options.mustChangePassword ?? false },
  );
  return user.id;
}

export interface Agent {
  cookie: string;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export async function loginAs(
  app: FastifyInstance,
  username: string,
  password = TEST_PASSWORD,
): Promise<Agent> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  if (response.statusCode !== 200) throw new Error(`login ${username} failed: ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'mz_session');
  if (!cookie) throw new Error('no session cookie');
  const csrf = response.json<{ csrfToken: string }>().csrfToken;
  const cookieHeader = `mz_session=${cookie.value}`;
  return {
    cookie: cookieHeader,
    csrf,
    get: (url) => app.inject({ method: 'GET', url, headers: { cookie: cookieHeader } }),
    post: (url, body, headers = {}) =>
      app.inject({
        method: 'POST',
        url,
        headers: { cookie: cookieHeader, 'x-csrf-token': csrf, ...headers },
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      }),
  };
}

export interface TwoStreets {
  /** 控江路街道 household and its head. */
  a: { householdId: string; personId: string; idNumber: string; phone: string; committeeCode: string };
  /** 殷行街道 household and its head. */
  b: { householdId: string; personId: string; idNumber: string; phone: string; committeeCode: string };
}

/** Two small households in two streets of Yangpu, written through the registry service. */
export async function seedTwoStreets(store: Store): Promise<TwoStreets> {
  const { createHousehold } = await import('../registry/registry.service.ts');
  const { divisionIndex } = await import('../registry/divisions.ts');
  const { makeIdNumber } = await import('../registry/id-number.ts');
  const { ALL } = await import('../auth/scope.ts');
  const { inUnitOfWork } = await import('../workflow/unit-of-work.ts');
  const committeeA = divisionIndex().children('310110012')[0]?.code ?? '';
  const committeeB = divisionIndex().children('310110016')[0]?.code ?? '';
  const actor = { userId: 'seed', divisionCode: '310110', reason: '测试数据' };
  const make = async (no: string, committeeCode: string, name: string, seq: number) => {
    const idNumber = makeIdNumber('310110', '1960-03-15', seq);
    const phone = `1391234${String(seq).padStart(4, '0')}`;
    const result = await inUnitOfWork(store, actor, (tx) =>
      createHousehold(tx, ALL, {
        householdNo: no,
        committeeCode,
        address: `${name}家地址`,
        validFrom: '2020-01-01',
        members: [
          {
            relationCode: '02',
            person: {
              idNumber,
              name,
              sex: 1,
              birthDate: '1960-03-15',
              phone,
              hukouDivisionCode: committeeCode,
            },
          },
          {
            relationCode: '10',
            person: {
              idNumber: makeIdNumber('310110', '1962-07-01', seq + 1),
              name: `${name}妻`,
              sex: 2,
              birthDate: '1962-07-01',
              hukouDivisionCode: committeeCode,
            },
          },
        ],
      }),
    );
    const change = result.changes.find(
      (c) =>
        c.entityType === 'person' &&
        c.after !== null &&
        'idNumber' in c.after &&
        c.after.idNumber === idNumber,
    );
    return {
      householdId: result.value.id,
      personId: change?.entityId ?? '',
      idNumber,
      phone,
      committeeCode,
    };
  };
  return {
    a: await make('KJ-0001', committeeA, '张建国', 11),
    b: await make('YH-0001', committeeB, '李卫东', 21),
  };
}
