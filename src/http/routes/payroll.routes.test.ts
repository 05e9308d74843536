import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { seedPayables, writeLines, type SeededPayables } from '../../payroll/runs/runs.fixtures.ts';
import { completeComputation } from '../../payroll/runs/runs.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { addUser, loginAs, testServer, type Agent } from '../test-helpers.ts';

interface RunBody {
  id: string;
  state: string;
  version: number;
  preparedBy: { name: string };
  checkedBy: { name: string } | null;
  allowedActions: { action: string }[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * 发放管理 through the API: start (202, a second start 409), check by a second finance officer (the preparer
 * 403, a stale version 409), approval refused while lines are held (422), the review, approval; lines with
 * accounts masked for the auditor and shown to finance; names not ids; another district's run 404.
 */
describeStores('payroll routes', (ctx) => {
  let app: FastifyInstance;
  let finance: Agent;
  let finance2: Agent;
  let approver: Agent;
  let auditor: Agent;
  let stranger: Agent;
  let p: SeededPayables;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'cw', 'finance_officer', '310110');
    await addUser(ctx.store, 'cw2', 'finance_officer', '310110');
    await addUser(ctx.store, 'sp', 'district_approver', '310110');
    await addUser(ctx.store, 'sj', 'auditor', '310110');
    await addUser(ctx.store, 'hp', 'district_approver', '310101');
    finance = await loginAs(app, 'cw');
    finance2 = await loginAs(app, 'cw2');
    approver = await loginAs(app, 'sp');
    auditor = await loginAs(app, 'sj');
    stranger = await loginAs(app, 'hp');
    p = await seedPayables(ctx.store, 'H1');
  });
  afterAll(async () => {
    await app.close();
    restore();
  });

  it('runs a month from start to approval with four eyes, and reads lines by permission', async () => {
    const started = await finance.post('/api/payroll/runs', { month: '2026-11', reason: '发起11月发放' });
    expect(started.statusCode).toBe(202);
    const run = started.json<{ run: RunBody; jobId: string }>().run;
    expect(run).toMatchObject({ state: 'computing', preparedBy: { name: 'cw' } });
    const twice = await finance2.post('/api/payroll/runs', { month: '2026-11' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<ErrorBody>().error.message).toContain('已有发放批次');
    expect((await approver.post('/api/payroll/runs', { month: '2026-10' })).statusCode).toBe(403);
    await writeLines(ctx.store, run.id, [
      {
        lineNo: 1,
        payableId: p.personPayable,
        program: 'kunjing_child',
        householdId: p.householdId,
        personId: p.personId,
        payeeId: p.payeeId,
        period: '2026-11',
        amountFen: 10_000,
        state: 'pending',
      },
      {
        lineNo: 2,
        payableId: p.householdPayable,
        program: 'dibao',
        householdId: p.householdId,
        personId: null,
        payeeId: p.payeeId,
        period: '2026-11',
        amountFen: 0,
        state: 'held',
        entitlementAmountFen: 151_000,
        engineAmountFen: 160_000,
      },
    ]);
    await inUnitOfWork(
      ctx.store,
      { userId: 'system:job-runner', divisionCode: null, reason: '发放计算' },
      (tx) =>
        completeComputation(
          tx,
          'system',
          { districtCode: '310110', runId: run.id },
          { lineCount: 1, totalFen: 10_000, heldCount: 1, heldFen: 151_000 },
        ),
    );
    const url = `/api/payroll/runs/310110/${run.id}`;
    const detail = (await finance.get(url)).json<
      RunBody & { totals: { program: string; lines: number; amountFen: number }[] }
    >();
    expect(detail.state).toBe('prepared');
    // The preparer is not offered the check (the service would refuse it); the second officer is.
    expect(detail.allowedActions.map((a) => a.action)).toEqual(['cancel']);
    expect((await finance2.get(url)).json<RunBody>().allowedActions.map((a) => a.action)).toEqual([
      'check',
      'cancel',
    ]);
    expect(detail.totals.find((t) => t.program === 'kunjing_child')).toMatchObject({
      lines: 1,
      amountFen: 10_000,
    });
    expect((await stranger.get(url)).statusCode).toBe(404);
    const lines = (await finance.get(`${url}/lines?state=pending`)).json<{
      items: { accountNo: string; accountMasked: boolean; payee: { name: string; idNumberMasked: string } }[];
      total: number;
    }>();
    expect(lines.total).toBe(1);
    expect(lines.items[0]).toMatchObject({
      accountNo: '6222000012345678',
      accountMasked: false,
      payee: { name: '钱H1' },
    });
    expect(lines.items[0]!.payee.idNumberMasked).toContain('****');
    const masked = (await auditor.get(`${url}/lines`)).json<{
      items: { accountNo: string; accountMasked: boolean }[];
    }>();
    expect(masked.items[0]).toMatchObject({ accountNo: '6222********5678', accountMasked: true });
    const byName = (await auditor.get(`${url}/lines?q=${encodeURIComponent('钱H1')}`)).json<{
      total: number;
    }>();
    expect(byName.total).toBe(2);

    const self = await finance.post(`${url}/actions/check`, { version: detail.version, reason: '复核' });
    expect(self.statusCode).toBe(403);
    expect(self.json<ErrorBody>().error.message).toContain('复核人不能是制单人');
    const stale = await finance2.post(`${url}/actions/check`, {
      version: detail.version + 5,
      reason: '复核',
    });
    expect(stale.statusCode).toBe(409);
    const checked = await finance2.post(`${url}/actions/check`, {
      version: detail.version,
      reason: '复核无误',
    });
    expect(checked.statusCode).toBe(200);
    const c = checked.json<RunBody>();
    expect(c).toMatchObject({ state: 'checked', checkedBy: { name: 'cw2' } });
    expect((await approver.get(url)).json<RunBody>().allowedActions.map((a) => a.action)).toEqual([
      'approve',
    ]);
    const held = await approver.post(`${url}/actions/approve`, { version: c.version, reason: '同意' });
    expect(held.statusCode).toBe(422);
    expect(held.json<ErrorBody>().error.message).toContain('挂起');
    const review = await finance.post(`${url}/review`, {
      decision: 'release',
      amountFrom: 'engine',
      lineNos: [2],
      version: c.version,
      reason: '测算金额已核实',
    });
    expect(review.statusCode).toBe(200);
    expect(review.json()).toEqual({ lines: 1, fen: 160_000, version: c.version + 1 });
    const approved = await approver.post(`${url}/actions/approve`, {
      version: c.version + 1,
      reason: '同意发放',
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json<RunBody>().state).toBe('approved');
    const list = (await auditor.get('/api/payroll/runs?month=2026-11')).json<{ items: RunBody[] }>();
    expect(list.items.map((r) => r.state)).toEqual(['approved']);
    expect((await auditor.get('/api/payroll/recoveries')).statusCode).toBe(200);
  });
});
