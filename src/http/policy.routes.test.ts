import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { divisionIndex } from '../registry/divisions.ts';
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

  it('gives each parameter its value in force for a month, by the rule the engine uses (SPEC.md v1.1)', async () => {
    type Row = {
      name: string;
      current: { month: string; from: string; value: number; wanted?: string; warning?: string } | null;
    };
    const at = async (month: string) => {
      const response = await finance.get(`/api/policy/parameters?month=${month}`);
      expect(response.statusCode).toBe(200);
      const rows = response.json<Row[]>();
      return (name: string) => rows.find((row) => row.name === name)?.current;
    };
    const march2026 = await at('2026-03');
    expect(march2026('city.per_capita_disposable_income')).toMatchObject({
      month: '2026-03',
      from: '2024',
      value: 8836600,
      wanted: '2025',
      warning:
        'city.per_capita_disposable_income：2025 年数值未录入，使用 2024 年数值（88366.00元/年，二手来源）',
    });
    expect(march2026('dibao.standard')).toMatchObject({ from: '2025-07-01', value: 165000 });
    expect(march2026('price_subsidy.amount_per_person')).toBeNull();
    // In 2024 the figure in force is 2023's, although 2024's is already entered.
    expect((await at('2024-06'))('city.per_capita_disposable_income')).toMatchObject({ from: '2023' });
    expect((await at('2024-06'))('city.per_capita_disposable_income')?.wanted).toBeUndefined();
    expect((await at('2025-06'))('dibao.standard')).toMatchObject({ from: '2023-07-01', value: 151000 });
    const today = (await finance.get('/api/policy/parameters')).json<Row[]>();
    expect(today.find((row) => row.name === 'dibao.standard')?.current?.month).toMatch(/^\d{4}-\d{2}$/);
    expect((await finance.get('/api/policy/parameters?month=2026-13')).statusCode).toBe(400);
  });

  it('simulates the scope of the registry the caller may see, baseline against a reform, with program names', async () => {
    type Totals = { households: number; persons: number; costFen: number; error?: string };
    type Simulation = {
      month: string;
      households: number;
      persons: number;
      rows: {
        program: string;
        name: string;
        baseline: Totals;
        reform?: Totals;
        delta?: { households: number; persons: number; costFen: number };
      }[];
    };
    const dibao = (body: Simulation) => body.rows.find((row) => row.program === 'dibao');
    const whole = await finance.post('/api/policy/simulate', { month: '2025-08' });
    expect(whole.statusCode).toBe(200);
    const body = whole.json<Simulation>();
    expect(body).toMatchObject({ month: '2025-08', households: 2, persons: 4 });
    expect(body.rows).toHaveLength(15);
    expect(dibao(body)).toMatchObject({
      name: '最低生活保障',
      baseline: { households: 2, persons: 4, costFen: 4 * 165000 },
    });
    expect(dibao(body)?.reform).toBeUndefined();

    const street = await finance.post('/api/policy/simulate', {
      month: '2025-08',
      division: '310110012',
      reform: [{ parameter: 'dibao.standard', value: 170000 }],
    });
    expect(street.statusCode).toBe(200);
    expect(dibao(street.json<Simulation>())).toMatchObject({
      baseline: { households: 1, costFen: 2 * 165000 },
      reform: { households: 1, costFen: 2 * 170000 },
      delta: { households: 0, persons: 0, costFen: 2 * 5000 },
    });

    const empty = await finance.post('/api/policy/simulate', {
      month: '2025-08',
      division: divisionIndex().children('310110012')[1]?.code,
    });
    expect(empty.statusCode).toBe(200);
    expect(empty.json<Simulation>()).toMatchObject({ households: 0, persons: 0 });
  });

  it('simulates by street for a district and by 居委会 for a street, the areas adding up to the totals', async () => {
    type Figures = { households: number; persons: number; costFen: number };
    type Area = { code: string; name: string; baseline: Figures; reform?: Figures; delta?: Figures };
    type Simulation = {
      areaLevel: string;
      rows: { program: string; baseline: Figures & { error?: string }; reform?: Figures; areas: Area[] }[];
    };
    const reform = [{ parameter: 'dibao.standard', value: 170000 }];
    const district = await finance.post('/api/policy/simulate', { month: '2025-08', reform });
    expect(district.statusCode).toBe(200);
    const body = district.json<Simulation>();
    expect(body.areaLevel).toBe('street');
    const names = divisionIndex();
    const dibao = body.rows.find((row) => row.program === 'dibao');
    // One 低保 household of two in each street: 2 × 1,650 元 today, 2 × 1,700 元 after the reform.
    expect(dibao?.areas).toEqual(
      ['310110012', '310110016'].map((code) => ({
        code,
        name: names.get(code)?.name,
        baseline: { households: 1, persons: 2, costFen: 2 * 165000 },
        reform: { households: 1, persons: 2, costFen: 2 * 170000 },
        delta: { households: 0, persons: 0, costFen: 2 * 5000 },
      })),
    );
    expect(names.get('310110012')?.name).toMatch(/[\u4e00-\u9fff]/);
    // Every program's areas add up to its totals, on both sides.
    for (const row of body.rows) {
      if (row.baseline.error !== undefined) {
        expect(row.areas).toEqual([]);
        continue;
      }
      expect(row.areas.map((a) => a.code)).toEqual(['310110012', '310110016']);
      for (const side of ['baseline', 'reform'] as const) {
        const sum = (key: keyof Figures) => row.areas.reduce((n, a) => n + (a[side]?.[key] ?? 0), 0);
        expect({ households: sum('households'), persons: sum('persons'), costFen: sum('costFen') }).toEqual({
          households: row[side]?.households,
          persons: row[side]?.persons,
          costFen: row[side]?.costFen,
        });
      }
    }

    const street = await finance.post('/api/policy/simulate', { month: '2025-08', division: '310110012' });
    const byCommittee = street.json<Simulation>();
    expect(byCommittee.areaLevel).toBe('committee');
    const committee = names.children('310110012')[0];
    expect(byCommittee.rows.find((row) => row.program === 'dibao')?.areas).toEqual([
      {
        code: committee?.code,
        name: committee?.name,
        baseline: { households: 1, persons: 2, costFen: 2 * 165000 },
      },
    ]);
  });

  it('refuses a bad simulation request with a Chinese reason, and roles without the permission', async () => {
    const post = (body: unknown) => finance.post('/api/policy/simulate', body);
    const unknown = await post({ month: '2025-08', reform: [{ parameter: 'dibao.nonsense', value: 1 }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      error: { code: 'VALIDATION', details: [{ field: 'reform[0].parameter' }] },
    });
    expect(unknown.json<{ error: { message: string } }>().error.message).toContain('dibao.nonsense');
    expect(
      (await post({ month: '2025-08', reform: [{ parameter: 'dibao.standard', value: -1 }] })).statusCode,
    ).toBe(400);
    expect(
      (await post({ month: '2025-08', reform: [{ parameter: 'dibao.standard', value: 1.5 }] })).statusCode,
    ).toBe(400);
    expect((await post({ month: '2025-8' })).statusCode).toBe(400);
    expect((await post({ month: '2025-08', division: '310101' })).statusCode).toBe(404);
    expect((await street.post('/api/policy/simulate', { month: '2025-08' })).statusCode).toBe(403);
  });

  it('population figures follow the scope', async () => {
    const figures = await street.get('/api/statistics/population');
    expect(figures.statusCode).toBe(200);
    const body = figures.json<{
      totals: { persons: number; households: number };
      byStreet: { code: string }[];
    }>();
    expect(body.totals).toMatchObject({ persons: 2, households: 1 });
    expect(body.byStreet.map((s) => s.code)).toEqual(['310110012']);
    expect((await street.get('/api/statistics/population?division=310110016')).statusCode).toBe(404);
    const all = (await finance.get('/api/statistics/population')).json<{ totals: { persons: number } }>();
    expect(all.totals.persons).toBe(4);
  });
});
