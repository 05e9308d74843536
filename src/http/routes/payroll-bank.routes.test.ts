import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { multipart } from '../multipart.fixtures.ts';
import { addUser, loginAs, testServer, type Agent } from '../test-helpers.ts';
import { DISTRICT, returnFile, seedRun, type SeededRun } from '../../payroll/bank/bank.fixtures.ts';

/** 银行文件与对账 and 收款账户 through the API: permissions, the download, the upload (refused and accepted). */
describeStores('bank and payee account routes', (ctx) => {
  let app: FastifyInstance;
  let finance: Agent;
  let auditor: Agent;
  let street: Agent;
  let run: SeededRun;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-20T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'cw', 'finance_officer', DISTRICT);
    await addUser(ctx.store, 'sj', 'auditor', DISTRICT);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    finance = await loginAs(app, 'cw');
    auditor = await loginAs(app, 'sj');
    street = await loginAs(app, 'kj');
    run = await seedRun(ctx.store, 'H1');
  });
  afterAll(async () => {
    await app.close();
    restore();
  });

  const base = () => `/api/payroll/runs/${DISTRICT}/${run.runId}`;
  const upload = (agent: Agent, bytes: Uint8Array) => {
    const body = multipart({ name: 'return.csv', content: Buffer.from(bytes) }, {});
    return agent.post(`${base()}/bank-returns`, body.payload, body.headers);
  };

  it('lists the banks to the auditor and lets only finance download, as a file', async () => {
    const list = await auditor.get(`${base()}/bank-files`);
    expect(list.statusCode).toBe(200);
    expect(list.json<{ banks: { bankCode: string }[] }>().banks.map((b) => b.bankCode)).toEqual([
      'ICBC',
      'SRCB',
    ]);
    expect((await auditor.get(`${base()}/bank-files/SRCB?layout=csv`)).statusCode).toBe(403);
    const file = await finance.get(`${base()}/bank-files/SRCB?layout=csv`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain('payroll-310110-2026-12-SRCB.csv');
    expect(file.body.split('\r\n')[0]).toBe(`H,310110,${run.runId},2026-12,SRCB,20261220,2,32345`);
    const fixed = await finance.get(`${base()}/bank-files/ICBC?layout=fixed`);
    expect(fixed.rawPayload.length).toBe(3 * 152);
  });

  it('refuses a bad return file with each row’s problem, and imports a good one', async () => {
    const bad = await upload(
      finance,
      returnFile(run.runId, 'SRCB', ['1,6222000012345678,12345,S,R1,20261221,'], 'T,1,1'),
    );
    expect(bad.statusCode).toBe(422);
    const body = bad.json<{ error: { code: string; details: { row: number; reason: string }[] } }>();
    expect(body.error.code).toBe('CHECK_FAILED');
    expect(body.error.details).toEqual([{ row: 3, reason: '文件尾总金额 1 分与明细合计 12345 分不符' }]);
    const good = await upload(
      finance,
      returnFile(run.runId, 'SRCB', ['1,6222000012345678,12345,S,R1,20261221,']),
    );
    expect(good.statusCode).toBe(200);
    expect(good.json<{ paidFen: number }>().paidFen).toBe(12_345);
    const recon = await auditor.get(`${base()}/reconciliation`);
    expect(recon.json<{ paidFen: number; reconciled: boolean }>()).toMatchObject({
      paidFen: 12_345,
      reconciled: true,
    });
    const voucher = await auditor.get(`${base()}/voucher.csv`);
    expect(voucher.statusCode).toBe(200);
    expect(voucher.body).toContain('合计');
  });

  it('registers a payee account and shows it masked to the auditor', async () => {
    const person = run.people.people[0]!;
    const url = `/api/persons/${DISTRICT}/${person.id}/payee-accounts`;
    const added = await street.post(url, {
      kind: 'bank',
      bankCode: 'SRCB',
      accountNo: '4111111111111111',
      holderName: person.name,
      reason: '申请人提供账户',
    });
    expect(added.statusCode).toBe(200);
    const bad = await street.post(url, {
      kind: 'bank',
      bankCode: 'SRCB',
      accountNo: '4111111111111112',
      holderName: person.name,
      reason: '申请人提供账户',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toContain('Luhn');
    const seen = await auditor.get(url);
    expect(seen.json<{ accountNo: string }[]>()[0]!.accountNo).toBe('4111********1111');
  });
});
