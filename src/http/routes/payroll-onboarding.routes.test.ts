import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { multipart } from '../multipart.fixtures.ts';
import { addUser, loginAs, testServer, type Agent } from '../test-helpers.ts';
import {
  recipient,
  recipientsFile,
  seedFamily,
  type SeededFamily,
} from '../../payroll/onboarding/onboarding.fixtures.ts';

describeStores('going-live import routes', (ctx) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-onboarding-route-'));
  let app: FastifyInstance;
  let finance: Agent;
  let street: Agent;
  let family: SeededFamily;
  const upload = async (agent: Agent, path: string, fields: Record<string, string>) => {
    const body = multipart({ name: 'recipients.xlsx', content: readFileSync(path) }, fields);
    return app.inject({
      method: 'POST',
      url: '/api/payroll/onboarding/import',
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf, ...body.headers },
      payload: body.payload,
    });
  };

  beforeAll(async () => {
    app = await testServer(ctx.store, { MINZHENG_DATA_DIR: dataDir });
    await addUser(ctx.store, 'finance', 'finance_officer', '310110');
    await addUser(ctx.store, 'street1', 'street_caseworker', '310110012');
    finance = await loginAs(app, 'finance');
    street = await loginAs(app, 'street1');
    family = await seedFamily(ctx.store, 'R');
  });
  afterAll(() => app.close());

  it('the template downloads as .xlsx for finance; a caseworker may not', async () => {
    const ok = await finance.get('/api/payroll/onboarding/template');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toContain('spreadsheetml');
    expect(ok.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await street.get('/api/payroll/onboarding/template')).statusCode).toBe(403);
  });

  it('check, then import; errors come back as 400 with the table', async () => {
    const good = await recipientsFile([
      recipient({
        idNumber: family.elder.idNumber,
        program: 'tekun',
        amount: '2000',
        startMonth: '2025-01',
        lastPaidMonth: '2025-12',
        payeeIdNumber: family.elder.idNumber,
      }),
    ]);
    const checked = await upload(finance, good, { dryRun: 'true', reason: '上线核对' });
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toMatchObject({ ok: true, dryRun: true, entitlements: 1, openingEntries: 12 });
    const imported = await upload(finance, good, { dryRun: 'false', reason: '上线导入' });
    expect(imported.json()).toMatchObject({ ok: true, dryRun: false, entitlements: 1, payeeAccounts: 1 });
    const again = await upload(finance, good, { dryRun: 'false', reason: '上线导入' });
    expect(again.statusCode).toBe(400);
    const body = again.json<{
      error: { code: string };
      errors: { row: number; column: string; reason: string }[];
    }>();
    expect(body.error.code).toBe('IMPORT_INVALID');
    expect(body.errors[0]).toMatchObject({ row: 2, column: '项目' });
    expect((await upload(street, good, { dryRun: 'true', reason: 'x' })).statusCode).toBe(403);
  });
});
