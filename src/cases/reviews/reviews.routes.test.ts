import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { prepareDecision } from '../../entitlements/decision.service.ts';
import {
  APPROVER,
  approverActor,
  CASEWORKER,
  caseworkerActor,
  seedCase,
  type SeededCase,
} from '../../entitlements/entitlements.fixtures.ts';
import { addUser, loginAs, testServer, type Agent } from '../../http/test-helpers.ts';
import { calendarFor } from '../../verification/verification.fixtures.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { caseDeps } from '../case.wiring.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

/** 复审与变更 through the API: the due list by scope, opening one review, reporting a change, the job. */
describeStores('review and change routes', (ctx) => {
  let app: FastifyInstance;
  let street: Agent;
  let otherStreet: Agent;
  let committee: Agent;
  let c: SeededCase;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'jw', 'committee_assistant', '310110012001');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    committee = await loginAs(app, 'jw');
    c = await seedCase(ctx.store, 'RR');
    await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      prepareDecision(tx, CASEWORKER, {
        districtCode: '310110',
        caseId: c.caseId,
        month: '2026-12',
        lines: [
          { program: 'dibao', outcome: 'granted' },
          { program: 'kunjing_child', outcome: 'denied', reasons: ['另案办理'] },
        ],
        payees: [
          {
            beneficiaryId: c.householdId,
            payeePersonId: c.adult.id,
            bankName: '上海银行',
            accountNo: '62170000111122',
          },
        ],
      }),
    );
    const deps = caseDeps(await calendarFor(ctx.store));
    await inUnitOfWork(ctx.store, approverActor, (tx) =>
      deps.decisions.grant(tx, APPROVER, { districtCode: '310110', caseId: c.caseId }),
    );
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it('lists the households due for review to their street and committee only', async () => {
    const res = await street.get('/api/cases/reviews/due?month=2027-06');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ items: { householdId: string; programNames: string[]; overdue: boolean }[] }>();
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      householdId: c.householdId,
      programNames: ['最低生活保障'],
      overdue: false,
    });
    expect(
      (await committee.get('/api/cases/reviews/due?month=2027-06')).json<{ total: number }>().total,
    ).toBe(1);
    expect(
      (await otherStreet.get('/api/cases/reviews/due?month=2027-06')).json<{ total: number }>().total,
    ).toBe(0);
    expect((await street.get('/api/cases/reviews/due?month=2027-05')).json<{ total: number }>().total).toBe(
      0,
    );
    // Without a month: this month's (2026-12), nothing due yet.
    const now = (await street.get('/api/cases/reviews/due')).json<{ month: string; total: number }>();
    expect(now).toMatchObject({ month: '2026-12', total: 0 });
    const bad = await street.get('/api/cases/reviews/due?month=2027-13');
    expect(bad.statusCode).toBe(400);
  });

  it('opens one review for the street only, once', async () => {
    const body = { householdId: c.householdId, month: '2027-06' };
    expect((await committee.post('/api/cases/reviews', body)).statusCode).toBe(403);
    expect((await otherStreet.post('/api/cases/reviews', body)).statusCode).toBe(404);
    const opened = await street.post('/api/cases/reviews', body);
    expect(opened.statusCode).toBe(201);
    const key = opened.json<{ id: string; caseNo: string; state: string }>();
    expect(key.state).toBe('accepted');
    const again = await street.post('/api/cases/reviews', body);
    expect(again.statusCode).toBe(400);
    expect(again.json<ErrorBody>().error.message).toContain(key.caseNo);
    const detail = await street.get(`/api/cases/310110/${key.id}`);
    expect(detail.json<{ kind: string; stepNames: string[] }>()).toMatchObject({
      kind: 'review',
      stepNames: ['家庭经济状况核对', '入户调查', '审核', '审批'],
    });
    const job = await street.post('/api/cases/reviews/open-all', { month: '2027-06' });
    expect(job.statusCode).toBe(202);
    expect(job.json<{ job: { kind: string } }>().job.kind).toBe('cases.reviews.open');
  });

  it('reports a change as a change case and shows its report', async () => {
    const body = {
      householdId: c.householdId,
      changeKind: 'members',
      occurredOn: '2026-11-28',
      note: '女儿出嫁迁出',
    };
    expect((await committee.post('/api/cases/changes', body)).statusCode).toBe(403);
    const bad = await street.post('/api/cases/changes', { ...body, occurredOn: '2027-02-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.message).toContain('不能晚于今天');
    const res = await street.post('/api/cases/changes', body);
    expect(res.statusCode).toBe(201);
    const key = res.json<{ id: string }>();
    const report = await street.get(`/api/cases/310110/${key.id}/changes`);
    expect(report.statusCode).toBe(200);
    expect(
      report.json<{ kindName: string; change: { changeKindName: string; effectiveMonth: string } }>(),
    ).toMatchObject({ kindName: '变更', change: { changeKindName: '人员变化', effectiveMonth: '2026-12' } });
    expect((await otherStreet.get(`/api/cases/310110/${key.id}/changes`)).statusCode).toBe(404);
  });
});
