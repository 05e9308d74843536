import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { printAccounts } from '../http/first-start.ts';
import { loginAs, testServer } from '../http/test-helpers.ts';
import { ensureInitialUsers, type InitialAccount } from './bootstrap.service.ts';

describeStores('first-start accounts', (ctx) => {
  let app: FastifyInstance;
  let accounts: InitialAccount[];
  beforeAll(async () => {
    accounts = await ensureInitialUsers(ctx.store, { district: '310110', demo: true });
    app = await testServer(ctx.store);
  });
  afterAll(() => app.close());

  it('the administrator must change its one-time password; the demo accounts keep theirs', async () => {
    expect(accounts.find((a) => a.username === 'admin')?.mustChangePassword).toBe(true);
    const demo = accounts.filter((a) => a.username !== 'admin');
    expect(demo.map((a) => a.username)).toContain('caseworker');
    expect(demo.every((a) => !a.mustChangePassword)).toBe(true);
    const password = (username: string) => accounts.find((a) => a.username === username)?.password ?? '';

    const admin = await loginAs(app, 'admin', password('admin'));
    const refused = await admin.get('/api/users');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    const caseworker = await loginAs(app, 'caseworker', password('caseworker'));
    expect((await caseworker.get('/api/households?limit=1')).statusCode).toBe(200);

    let printed = '';
    printAccounts(accounts, (text) => (printed += text));
    const line = (username: string) => printed.split('\n').find((l) => l.trim().startsWith(`${username} `));
    expect(line('admin')).toContain('须改密');
    expect(line('caseworker')).not.toContain('须改密');
    // A second start creates nobody and shows no password again.
    expect(await ensureInitialUsers(ctx.store, { district: '310110', demo: true })).toEqual([]);
  });
});
