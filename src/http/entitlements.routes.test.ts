import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { grantDecision } from '../entitlements/decision.service.ts';
import { APPROVER, approverActor, seedCase, type SeededCase } from '../entitlements/entitlements.fixtures.ts';
import { PROGRAM_CODES } from '../policy/index.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { addUser, loginAs, testServer, type Agent } from './test-helpers.ts';

interface ErrorBody {
  error: { code: string; message: string };
}
interface EntitlementBody {
  id: string;
  districtCode: string;
  program: string;
  version: number;
  state: string;
  payee: { accountNo: string; accountMasked: boolean };
  history?: { kind: string }[];
}

/**
 * 联合认定、决定明细与待遇 through the API: the determination (nothing written), the caseworker's decision lines
 * (engine denials and decided cases refused), the entitlements list and detail (accounts masked unless the
 * role may see them, other streets see nothing) and the suspend/stop actions with versions.
 */
describeStores('entitlement routes', (ctx) => {
  let app: FastifyInstance;
  let street: Agent;
  let otherStreet: Agent;
  let finance: Agent;
  let auditor: Agent;
  let c: SeededCase;
  let restore: () => void;

  const put = (agent: Agent, url: string, payload: Record<string, unknown>) =>
    app.inject({
      method: 'PUT',
      url,
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf },
      payload,
    });

  const decision = (payeeOfChild: string) => ({
    month: '2026-12',
    lines: [
      { program: 'dibao', outcome: 'granted' },
      { program: 'kunjing_child', outcome: 'granted' },
      { program: 'elderly_allowance', outcome: 'granted' },
    ],
    payees: [
      {
        beneficiaryId: c.householdId,
        payeePersonId: c.adult.id,
        bankName: '上海银行',
        accountNo: '6217000011112222',
      },
      {
        beneficiaryId: c.elder.id,
        payeePersonId: c.elder.id,
        bankName: '上海银行',
        accountNo: '6217000033334444',
      },
      {
        beneficiaryId: c.child.id,
        payeePersonId: payeeOfChild,
        bankName: '上海银行',
        accountNo: '6217000055556666',
      },
    ],
    reason: '联合认定后拟定',
  });

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'cw', 'finance_officer', '310110');
    await addUser(ctx.store, 'sj', 'auditor', '310110');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    finance = await loginAs(app, 'cw');
    auditor = await loginAs(app, 'sj');
    c = await seedCase(ctx.store, 'R1');
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it('answers the determination for every program, to the case’s street only; a case without a report is refused', async () => {
    const res = await street.get(`/api/cases/310110/${c.caseId}/determination?month=2026-12`);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ programs: { program: string; eligible: boolean; explanation: string }[] }>();
    expect(body.programs.map((p) => p.program)).toEqual([...PROGRAM_CODES]);
    expect(body.programs.find((p) => p.program === 'dibao')?.eligible).toBe(true);
    expect((await otherStreet.get(`/api/cases/310110/${c.caseId}/determination`)).statusCode).toBe(404);
    const none = await seedCase(ctx.store, 'R2', { report: false });
    const missing = await street.get(`/api/cases/310110/${none.caseId}/determination`);
    expect(missing.statusCode).toBe(422);
    expect(missing.json<ErrorBody>().error.code).toBe('REPORT_MISSING');
  });

  it('lets the caseworker prepare lines; refuses the finance officer, an engine denial and a child paying itself', async () => {
    const url = `/api/cases/310110/${c.caseId}/decision`;
    expect((await put(finance, url, decision(c.adult.id))).statusCode).toBe(403);
    const tekun = decision(c.adult.id);
    tekun.lines.push({ program: 'tekun', outcome: 'granted' });
    const denied = await put(street, url, tekun);
    expect(denied.statusCode).toBe(422);
    expect(denied.json<ErrorBody>().error.code).toBe('ENGINE_DENIES');
    const child = await put(street, url, decision(c.child.id));
    expect(child.statusCode).toBe(400);
    expect(child.json<ErrorBody>().error.message).toContain('监护人');
    const ok = await put(street, url, decision(c.adult.id));
    expect(ok.statusCode).toBe(200);
    const view = ok.json<{ decided: boolean; lines: { beneficiaries: { accountNo: string }[] }[] }>();
    expect(view.decided).toBe(false);
    expect(view.lines.flatMap((l) => l.beneficiaries.map((b) => b.accountNo))).toContain('6217********2222');
  });

  it('lists the granted entitlements, accounts masked unless the role may see them, nothing for another street', async () => {
    await inUnitOfWork(ctx.store, approverActor, (tx) => grantDecision(tx, APPROVER, c));
    const url = `/api/entitlements?householdId=${c.householdId}`;
    const mine = await street.get(url);
    expect(mine.statusCode).toBe(200);
    const items = mine.json<{ items: EntitlementBody[]; total: number }>().items;
    expect(items.map((e) => e.program).sort()).toEqual(['dibao', 'elderly_allowance', 'kunjing_child']);
    expect(items.every((e) => e.payee.accountMasked)).toBe(true);
    const full = (await finance.get(url)).json<{ items: EntitlementBody[] }>().items;
    expect(full.map((e) => e.payee.accountNo).sort()).toEqual([
      '6217000011112222',
      '6217000033334444',
      '6217000055556666',
    ]);
    expect((await auditor.get(url)).json<{ total: number }>().total).toBe(3);
    expect((await otherStreet.get(url)).json<{ total: number }>().total).toBe(0);
    const byProgram = await street.get(
      `/api/entitlements?program=kunjing_child&division=310110012&state=active`,
    );
    expect(byProgram.json<{ items: EntitlementBody[] }>().items.map((e) => e.program)).toContain(
      'kunjing_child',
    );
    expect((await street.get(`/api/entitlements?division=310110016`)).json<{ total: number }>().total).toBe(
      0,
    );
    const again = await put(street, `/api/cases/310110/${c.caseId}/decision`, decision(c.adult.id));
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorBody>().error.code).toBe('ALREADY_DECIDED');
  });

  it('suspends and stops with a version and a reason, the history showing each step', async () => {
    const [first] = (await street.get(`/api/entitlements?householdId=${c.householdId}&program=dibao`)).json<{
      items: EntitlementBody[];
    }>().items;
    const base = `/api/entitlements/310110/${first!.id}`;
    expect((await otherStreet.get(base)).statusCode).toBe(404);
    expect((await auditor.post(`${base}/actions/suspend`, { version: 1, reason: '外出' })).statusCode).toBe(
      403,
    );
    const suspended = await street.post(`${base}/actions/suspend`, {
      version: 1,
      reason: '长期外出，暂停发放',
    });
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json<EntitlementBody>().state).toBe('suspended');
    const stale = await street.post(`${base}/actions/stop`, {
      version: 1,
      reason: '迁出本区',
      fromMonth: '2027-02',
    });
    expect(stale.statusCode).toBe(409);
    const noMonth = await street.post(`${base}/actions/stop`, { version: 2, reason: '迁出本区' });
    expect(noMonth.statusCode).toBe(422);
    const stopped = await street.post(`${base}/actions/stop`, {
      version: 2,
      reason: '迁出本区',
      fromMonth: '2027-02',
    });
    expect(stopped.statusCode).toBe(200);
    const detail = (await street.get(base)).json<EntitlementBody & { toMonth: string }>();
    expect(detail.state).toBe('stopped');
    expect(detail.toMonth).toBe('2027-01');
    expect(detail.history?.map((h) => h.kind)).toEqual(['created', 'suspended', 'stopped']);
  });
});
