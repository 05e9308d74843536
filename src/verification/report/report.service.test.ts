import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { ALL } from '../../auth/scope.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { listFacts } from '../../registry/facts/facts.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import type { RequestView } from '../request.service.ts';
import { authorise, request, seedHousehold, type SeededHousehold } from '../verification.fixtures.ts';
import { answered, JOB_ACTOR } from './report.fixtures.ts';
import { latestReport } from './report.repository.ts';
import { issueReports } from './report.service.ts';

async function requestState(store: Store, id: string) {
  const rows = await selectRows<{ state: string; partial: boolean; reported: boolean; version: number }>(
    store.db,
    sql`select state, partial, reported_at is not null as reported, version from verification_requests where id = ${id}::uuid`,
  );
  return rows[0];
}

describeStores('issuing verification reports', (ctx) => {
  let restore: () => void;
  let seeded: SeededHousehold;
  let other: SeededHousehold;
  let first: RequestView;
  let partial: RequestView;
  let waiting: RequestView;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    seeded = await seedHousehold(ctx.store, 'V1');
    await authorise(ctx.store, seeded, { signedOn: '2026-11-20' });
    other = await seedHousehold(ctx.store, 'V2');
    await authorise(ctx.store, other, { signedOn: '2026-11-20', purpose: 'dibao_edge' });
    first = await request(ctx.store, seeded);
    partial = await request(ctx.store, other, 'dibao_edge');
    waiting = await request(ctx.store, seeded);
    const [a, b] = [seeded.adults[0]!, seeded.adults[1]!];
    await answered(ctx.store, first, [
      { source: 'tax', personId: a.id, kind: 'wage', amountFen: 300_000 },
      { source: 'housing_fund', personId: a.id, kind: 'wage', amountFen: 350_000 },
      { source: 'tax', personId: b.id, kind: 'wage', amountFen: 150_000 },
      { source: 'tax', personId: b.id, kind: 'other_income', amountFen: 100_000 },
      { source: 'deposits', personId: a.id, kind: 'deposits', amountFen: 10_000_000 },
      { source: 'securities', personId: b.id, kind: 'securities', amountFen: 3_000_000 },
      { source: 'vehicles', personId: a.id, kind: 'vehicles', quantity: 1 },
      { source: 'real_estate', personId: a.id, kind: 'homes', quantity: 1 },
      { source: 'business', personId: b.id, kind: 'business', flag: true },
      // A late answer is kept, never counted.
      { source: 'tax', personId: seeded.child.id, kind: 'wage', amountFen: 999_999, late: true },
    ]);
    await answered(ctx.store, partial, [], { housing_fund: 'timed_out', deposits: 'failed' });
    await answered(ctx.store, waiting, [], { tax: 'sent' });
  });
  afterAll(() => restore());

  it('issues the reports of the requests whose sources are all done, in one batch record', async () => {
    const auditBefore = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'verification.reported'`,
    );
    const issued = await inUnitOfWork(ctx.store, JOB_ACTOR, (tx) =>
      issueReports(tx, '310110', [first.id, partial.id, waiting.id, randomUUID()]),
    );
    expect(issued).toBe(2);
    expect(await requestState(ctx.store, first.id)).toEqual({
      state: 'reported',
      partial: false,
      reported: true,
      version: 3,
    });
    expect((await requestState(ctx.store, partial.id))?.partial).toBe(true);
    expect((await requestState(ctx.store, waiting.id))?.state).toBe('gathering');
    // Each request's timeline shows the step, as the system actor, at the version it reached.
    const events = await selectRows<{
      action: string;
      from_state: string;
      to_state: string;
      version: number;
      actor_id: string;
    }>(
      ctx.store.db,
      sql`select action, from_state, to_state, version, actor_id from workflow_event
          where entity_type = 'verification_request' and entity_id = ${first.id} and action = 'report'`,
    );
    expect(events).toEqual([
      {
        action: 'report',
        from_state: 'gathering',
        to_state: 'reported',
        version: 3,
        actor_id: JOB_ACTOR.userId,
      },
    ]);
    const audit = await selectRows<{ after: { rows: number; reports: number; digest: string } }>(
      ctx.store.db,
      sql`select after from audit_log where action = 'verification.reported' order by id desc limit 1`,
    );
    const auditAfter = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from audit_log where action = 'verification.reported'`,
    );
    expect(auditAfter[0]!.n - auditBefore[0]!.n).toBe(1);
    expect(audit[0]!.after.reports).toBe(2);
    expect(audit[0]!.after.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('compares per member and kind, flags concealment beyond the tolerance and concludes on the verified figures', async () => {
    const report = await latestReport(ctx.store.db, '310110', first.id);
    expect(report?.revision).toBe(1);
    const body = report!.body;
    const [a, b] = [seeded.adults[0]!, seeded.adults[1]!];
    const row = (personId: string | null, kind: string) =>
      body.figures.find((f) => f.personId === personId && f.kind === kind);
    expect(row(a.id, 'wage')).toMatchObject({ declared: 300_000, verified: 350_000, difference: 50_000 });
    expect(row(b.id, 'wage')).toMatchObject({ declared: 150_000, verified: 150_000, flags: [] });
    expect(row(seeded.child.id, 'wage')).toMatchObject({ verified: 0, flags: [] });
    expect(row(null, 'monetary_assets')).toMatchObject({ declared: 0, verified: 13_000_000 });
    expect(body.flags.map((f) => [f.code, f.personId])).toEqual([
      ['underreported', a.id],
      ['unreported_income', b.id],
      ['underreported', null],
      ['vehicles', null],
      ['assets_over_limit', null],
      ['business', b.id],
    ]);
    expect(report!.flagCount).toBe(6);
    expect(body.gaps).toEqual([]);
    const dibao = body.conclusion.programs.find((p) => p.program === 'dibao');
    expect(body.conclusion.programs.map((p) => p.program)).toEqual(['dibao', 'dibao_edge', 'rigid_expense']);
    expect(dibao?.eligible).toBe(false);
    expect(dibao?.reasons.join('')).toContain('货币财产');
    expect(dibao?.explanation.length).toBeGreaterThan(0);
    expect(body.declaredInput.members).toHaveLength(3);
  });

  it('states the gaps of a partial report and records only complete figures as facts', async () => {
    const body = (await latestReport(ctx.store.db, '310110', partial.id))!.body;
    expect(body.partial).toBe(true);
    expect(body.gaps.map((g) => g.source)).toEqual(['deposits', 'housing_fund']);
    const a = other.adults[0]!;
    const wage = body.figures.find((f) => f.personId === a.id && f.kind === 'wage');
    expect(wage).toMatchObject({ complete: false, sources: ['tax'] });
    expect(body.conclusion.programs.map((p) => p.program)).toEqual(['dibao', 'dibao_edge', 'rigid_expense']);
    expect(body.conclusion.programs[1]!.forPurpose).toBe(true);
  });

  it('records the verified figures as dated facts (核对), the later report superseding the earlier', async () => {
    const a = seeded.adults[0]!;
    const facts = await listFacts(
      ctx.store.db,
      ALL,
      {
        subjectType: 'person',
        districtCode: '310110',
        subjectId: a.id,
      },
      '2027-01-01',
    );
    const verifiedWages = facts.facts.filter((f) => f.kind === 'wage' && f.sourceKind === 'verified');
    expect(verifiedWages).toHaveLength(1);
    expect(facts.figures).toMatchObject({ wageFen: 350_000 });
    expect(verifiedWages.every((f) => f.validFrom === '2026-12-01')).toBe(true);
    expect(verifiedWages.some((f) => f.sourceRef === `核对报告 ${first.requestNo}-R1`)).toBe(true);
    const household = await listFacts(
      ctx.store.db,
      ALL,
      {
        subjectType: 'household',
        districtCode: '310110',
        subjectId: seeded.household.id,
      },
      '2027-01-01',
    );
    expect(household.figures).toMatchObject({ monetaryAssetsFen: 13_000_000, vehicles: 1, homes: 1 });
    const projected = await selectRows<{ wage_fen: number | string }>(
      ctx.store.db,
      sql`select wage_fen from persons where id = ${a.id}::uuid`,
    );
    expect(Number(projected[0]!.wage_fen)).toBe(350_000);
  });

  it('issues nothing twice: a request already reported is left alone, and nothing is written', async () => {
    const before = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select (select count(*) from verification_reports) + (select count(*) from economic_facts) + (select count(*) from audit_log) as n`,
    );
    const issued = await inUnitOfWork(ctx.store, JOB_ACTOR, (tx) =>
      issueReports(tx, '310110', [first.id, partial.id]),
    );
    expect(issued).toBe(0);
    const after = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select (select count(*) from verification_reports) + (select count(*) from economic_facts) + (select count(*) from audit_log) as n`,
    );
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });

  it('a later verification ends the earlier verified fact on its own date; an unchanged one writes nothing', async () => {
    const later = setClock(fixedClock('2027-01-15T10:00:00+08:00'));
    try {
      const again = await request(ctx.store, seeded);
      const a = seeded.adults[0]!;
      await answered(ctx.store, again, [{ source: 'tax', personId: a.id, kind: 'wage', amountFen: 500_000 }]);
      await inUnitOfWork(ctx.store, JOB_ACTOR, (tx) => issueReports(tx, '310110', [again.id]));
      const facts = await listFacts(
        ctx.store.db,
        ALL,
        {
          subjectType: 'person',
          districtCode: '310110',
          subjectId: a.id,
        },
        '2027-02-01',
      );
      const wages = facts.facts
        .filter((f) => f.kind === 'wage' && f.sourceKind === 'verified' && f.voidedAt === null)
        .map((f) => [f.validFrom, f.validTo, f.amountFen]);
      expect(wages).toContainEqual(['2026-12-01', '2027-01-15', 350_000]);
      expect(wages).toContainEqual(['2027-01-15', null, 500_000]);
      expect(facts.figures).toMatchObject({ wageFen: 500_000 });
    } finally {
      later();
    }
    // Nothing changed a month later: the verified fact in force stands, nothing is written for it.
    const unchanged = setClock(fixedClock('2027-02-10T10:00:00+08:00'));
    try {
      const third = await request(ctx.store, seeded);
      const a = seeded.adults[0]!;
      await answered(ctx.store, third, [{ source: 'tax', personId: a.id, kind: 'wage', amountFen: 500_000 }]);
      await inUnitOfWork(ctx.store, JOB_ACTOR, (tx) => issueReports(tx, '310110', [third.id]));
      const facts = await listFacts(
        ctx.store.db,
        ALL,
        { subjectType: 'person', districtCode: '310110', subjectId: a.id },
        '2027-03-01',
      );
      const open = facts.facts.filter(
        (f) => f.kind === 'wage' && f.sourceKind === 'verified' && f.voidedAt === null && f.validTo === null,
      );
      expect(open.map((f) => [f.validFrom, f.amountFen])).toEqual([['2027-01-15', 500_000]]);
      const audit = await selectRows<{ after: { factsUnchanged: number } }>(
        ctx.store.db,
        sql`select after from audit_log where action = 'verification.reported' order by id desc limit 1`,
      );
      expect(audit[0]!.after.factsUnchanged).toBeGreaterThanOrEqual(1);
    } finally {
      unchanged();
    }
  });
});
