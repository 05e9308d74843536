import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { selectRows } from '../db/sql.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface FactBody {
  id: string;
  kind: string;
  amountFen: number | null;
  validFrom: string;
  validTo: string | null;
  sourceKind: string;
  version: number;
  counts: boolean;
  voidedAt: string | null;
}
interface SubjectFactsBody {
  asOf: string;
  figures: Record<string, unknown>;
  facts: FactBody[];
}
interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; reason: string }[] };
}

describeStores('economic facts routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let kj: Agent; // 控江路街道 caseworker: writes and corrects
  let yh: Agent; // 殷行街道 caseworker: another street
  let auditor: Agent; // reads, writes nothing

  beforeAll(async () => {
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'au', 'auditor', '310110');
    kj = await loginAs(app, 'kj');
    yh = await loginAs(app, 'yh');
    auditor = await loginAs(app, 'au');
  });
  afterAll(() => app.close());

  const count = async () =>
    (await selectRows<{ n: number }>(ctx.store.db, sql`select count(*)::int as n from economic_facts`))[0]!.n;

  it('adds, lists as of a date, supersedes, ends and corrects a person’s income', async () => {
    const base = `/api/persons/${data.a.personId}/facts`;
    const add = (fact: Record<string, unknown>, reason = '居民申报') => kj.post(base, { fact, reason });
    const first = await add({
      kind: 'wage',
      amountFen: 300_000,
      validFrom: '2025-01-01',
      sourceKind: 'declared',
    });
    expect(first.statusCode).toBe(200);
    const second = await add({
      kind: 'wage',
      amountFen: 350_000,
      validFrom: '2025-06-01',
      sourceKind: 'declared',
    });
    expect(second.json<{ supersededId: string }>().supersededId).toBe(
      first.json<{ fact: FactBody }>().fact.id,
    );

    const may = (await kj.get(`${base}?asOf=2025-05-01`)).json<SubjectFactsBody>();
    expect(may.figures).toMatchObject({ wageFen: 300_000 });
    expect(may.facts.map((f) => [f.amountFen, f.validTo, f.counts])).toEqual([
      [300_000, '2025-06-01', true],
      [350_000, null, false],
    ]);

    // Starting before the fact it supersedes: 409, in Chinese, nothing written.
    const before = await count();
    const early = await add({ kind: 'wage', amountFen: 1, validFrom: '2025-05-01', sourceKind: 'declared' });
    expect(early.statusCode).toBe(409);
    expect(early.json<ErrorBody>().error.message).toContain('更正');
    // Bad input: every problem named, nothing written.
    const bad = await add({
      kind: 'category',
      category: 'tekun',
      validFrom: '2025-01-01',
      sourceKind: 'declared',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.message).toContain('只能来自认定');
    expect(await count()).toBe(before);

    const current = may.facts[1]!;
    const stale = await kj.post(`${base}/${current.id}/end`, {
      validTo: '2026-01-01',
      version: 9,
      reason: '离职',
    });
    expect(stale.statusCode).toBe(409);
    const ended = await kj.post(`${base}/${current.id}/end`, {
      validTo: '2026-01-01',
      version: 1,
      reason: '离职',
    });
    expect(ended.json<{ fact: FactBody }>().fact).toMatchObject({ validTo: '2026-01-01', version: 2 });

    const noReason = await kj.post(`${base}/${current.id}/correct`, { version: 2, reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    const corrected = await kj.post(`${base}/${current.id}/correct`, {
      version: 2,
      reason: '离职日期登记有误',
      replacement: {
        kind: 'wage',
        amountFen: 350_000,
        validFrom: '2025-06-01',
        validTo: '2025-12-01',
        sourceKind: 'declared',
      },
    });
    expect(corrected.statusCode).toBe(200);
    const december = (await kj.get(`${base}?asOf=2025-12-01`)).json<SubjectFactsBody>();
    expect(december.figures).toMatchObject({ wageFen: 0 });
    expect(december.facts.filter((f) => f.voidedAt !== null)).toHaveLength(1);
    const [audit] = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'fact.corrected' and reason = '离职日期登记有误'`,
    );
    expect(audit!.n).toBe(1);
  });

  it('a household’s assets and spending; other streets see nothing; readers cannot write', async () => {
    const base = `/api/households/${data.a.householdId}/facts`;
    const added = await kj.post(base, {
      fact: {
        kind: 'medical_expense',
        amountFen: 800_000,
        validFrom: '2025-10-15',
        sourceKind: 'agency',
        sourceRef: '医保结算',
      },
      reason: '医保部门数据',
    });
    expect(added.statusCode).toBe(200);
    const view = (await kj.get(`${base}?asOf=2026-01-01`)).json<SubjectFactsBody>();
    expect(view.figures).toMatchObject({ medicalExpenseAnnualFen: 800_000, homes: 1 });
    expect((await yh.get(base)).statusCode).toBe(404);
    expect(
      (
        await yh.post(base, {
          fact: { kind: 'vehicles', quantity: 1, validFrom: '2025-01-01', sourceKind: 'declared' },
          reason: '试图',
        })
      ).statusCode,
    ).toBe(404);
    expect((await auditor.get(base)).statusCode).toBe(200);
    expect(
      (
        await auditor.post(base, {
          fact: { kind: 'vehicles', quantity: 1, validFrom: '2025-01-01', sourceKind: 'declared' },
          reason: '试图',
        })
      ).statusCode,
    ).toBe(403);
    // A person's kind on a household.
    const wrong = await kj.post(base, {
      fact: { kind: 'wage', amountFen: 1, validFrom: '2025-01-01', sourceKind: 'declared' },
      reason: '录错',
    });
    expect(wrong.statusCode).toBe(400);
  });
});
