import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface Evaluation {
  month: string;
  results: { program: string; eligible: boolean; amountFen: number }[];
}

describeStores('policy and statistics routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent;
  let finance: Agent;
  beforeAll(async () => {
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'street_a', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'finance', 'finance_officer', '310110');
    street = await loginAs(app, 'street_a');
    finance = await loginAs(app, 'finance');
  });
  afterAll(() => app.close());

  it('lists programs and parameters to every role', async () => {
    const programs = (await finance.get('/api/policy/programs')).json<{ code: string; level: string }[]>();
    expect(programs.map((p) => p.code)).toContain('dibao');
    const parameters = await finance.get('/api/policy/parameters');
    expect(parameters.statusCode).toBe(200);
    const first = parameters.json<{ name: string; values: { from: string; source: string }[] }[]>()[0];
    expect(first?.values[0]?.from).toMatch(/^\d{4}(-\d{2}-\d{2})?$/);
    expect((await app.inject({ method: 'GET', url: '/api/policy/programs' })).statusCode).toBe(401);
  });

  it('calculates an interchange household and explains bad input by field', async () => {
    const household = {
      members: [{ id: 'a', birthDate: '1950-01-01', hukou: 'shanghai', pensionFen: 50_000 }],
      monetaryAssetsFen: 0,
    };
    const ok = await finance.post('/api/policy/calculate', {
      month: '2025-07',
      household,
      programs: ['dibao'],
    });
    expect(ok.statusCode).toBe(200);
    const evaluation = ok.json<Evaluation>();
    expect(evaluation.month).toBe('2025-07');
    expect(evaluation.results.map((r) => r.program)).toEqual(['dibao']);
    expect(Number.isInteger(evaluation.results[0]?.amountFen)).toBe(true);
    const bad = await finance.post('/api/policy/calculate', {
      month: '2025-07',
      household: { members: [{ id: 'a', birthDate: 'yesterday' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION' } });
    const badMonth = await finance.post('/api/policy/calculate', { month: '2025-13', household });
    expect(badMonth.statusCode).toBe(400);
  });

  it('calculates a registered household in scope, 404 outside it', async () => {
    const mine = await street.get(`/api/policy/households/${data.a.householdId}/calculate?month=2025-07`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json<Evaluation>().results.length).toBeGreaterThan(1);
    const other = await street.get(`/api/policy/households/${data.b.householdId}/calculate?month=2025-07`);
    expect(other.statusCode).toBe(404);
    const before = await street.get(`/api/policy/households/${data.a.householdId}/calculate?month=2019-01`);
    expect(before.statusCode).toBe(400);
  });

  it('population figures follow the scope', async () => {
    const figures = await street.get('/api/statistics/population');
    expect(figures.statusCode).toBe(200);
    const body = figures.json<{
      totals: { persons: number; households: number };
      byStreet: { code: string }[];
    }>();
    expect(body.totals).toEqual({ persons: 2, households: 1 });
    expect(body.byStreet.map((s) => s.code)).toEqual(['310110012']);
    expect((await street.get('/api/statistics/population?division=310110016')).statusCode).toBe(404);
    const all = (await finance.get('/api/statistics/population')).json<{ totals: { persons: number } }>();
    expect(all.totals.persons).toBe(4);
  });
});
