import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { selectRows } from '../../db/sql.ts';
import { recordVerifiedFacts } from '../../registry/facts/facts.service.ts';
import { inUnitOfWork, RowDigest, type ActingContext } from '../../workflow/unit-of-work.ts';
import { LOCAL_SOURCE_CODES, type SourceCode } from '../sources/catalogue.ts';
import { simulationModel } from '../sources/ground-truth.ts';
import { SimulatedReads, SimulatedSource } from '../sources/simulated.source.ts';
import type { SourceAdapter } from '../sources/source.ts';
import { authorise, seedHousehold, type SeededHousehold } from '../verification.fixtures.ts';
import { recheckBatch, type RecheckEnvironment } from './recheck.service.ts';

/**
 * The batch answered in memory and written by COPY (recheck.bulk.ts) writes what the gathering path writes
 * for the same households on the same day: each path runs the same batch in a unit that is then rolled back,
 * and every row it wrote — requests, timeline, queries, answers, reports, verified facts (an earlier one
 * ended), change rows, the projection columns — is compared, the request ids and numbers aside.
 */

const actor: ActingContext = { userId: 'u-officer', divisionCode: '310110', reason: '定期复核（测试）' };
const JOB = '00000000-0000-4000-8000-00000000b01c';

class Rollback extends Error {}

/** What a batch wrote, each request's id and number replaced by its household. */
async function written(db: Db, households: readonly string[]): Promise<unknown> {
  const requests = await selectRows<{ id: string; no: string; h: string }>(
    db,
    sql`select id::text, request_no as no, household_id::text as h from verification_requests
        where district_code = '310110' and job_id = ${JOB}::uuid`,
  );
  const names = (text: string) =>
    requests.reduce((t, r) => t.replaceAll(r.id, `H(${r.h})`).replaceAll(r.no, `N(${r.h})`), text);
  const rows = async (query: ReturnType<typeof sql>) =>
    JSON.parse(names(JSON.stringify(await selectRows<Record<string, unknown>>(db, query)))) as unknown;
  const ids = `{${households.join(',')}}`;
  return {
    requests: await rows(
      sql`select household_id::text, state, version, partial, person_ids::text, authorisation_ids::text, as_of::text,
            due_due::text, reported_at is not null as reported, created_by from verification_requests
          where district_code = '310110' and job_id = ${JOB}::uuid order by household_id`,
    ),
    events: await rows(
      sql`select e.entity_id, e.action, e.from_state, e.to_state, e.version, e.actor_id, e.reason from workflow_event e
          join verification_requests r on r.id::text = e.entity_id where r.job_id = ${JOB}::uuid
          order by r.household_id, e.version`,
    ),
    queries: await rows(
      sql`select q.request_id::text, q.source, q.state, q.attempts, q.batch_ref, q.error
          from verification_source_queries q join verification_requests r on r.id = q.request_id
          where r.job_id = ${JOB}::uuid order by r.household_id, q.source`,
    ),
    answers: await rows(
      sql`select a.request_id::text, a.source, a.person_id::text, a.kind, a.amount_fen::text, a.quantity, a.flag,
            a.text_value, a.reference, a.late
          from verification_answers a join verification_requests r on r.id = a.request_id
          where r.job_id = ${JOB}::uuid order by r.household_id, a.source, a.person_id, a.kind`,
    ),
    reports: await rows(
      sql`select p.request_id::text, p.revision, p.report_no, p.flag_count, p.body, p.reason
          from verification_reports p join verification_requests r on r.id = p.request_id
          where r.job_id = ${JOB}::uuid order by r.household_id`,
    ),
    changes: await rows(
      sql`select request_id::text, household_id::text, person_id::text, kind, old_value::text, new_value::text,
            source, as_of::text, affects_eligibility, affects_amount
          from verification_changes where job_id = ${JOB}::uuid
          order by household_id, person_id nulls first, kind`,
    ),
    facts: await rows(
      sql`select subject_id::text, subject_type, kind, amount_fen::text, quantity, flag, valid_from::text,
            valid_to::text, source_ref, version
          from economic_facts where district_code = '310110' and source_kind = 'verified'
          order by subject_id, kind, valid_from`,
    ),
    persons: await rows(
      sql`select p.id::text, p.wage_fen::text, p.pension_fen::text, p.other_income_fen::text, p.employed
          from persons p join household_members m on m.district_code = p.district_code and m.person_id = p.id
          where m.household_id = any(${ids}::uuid[]) order by p.id`,
    ),
    households: await rows(
      sql`select id::text, monetary_assets_fen::text, homes, vehicles from households
          where id = any(${ids}::uuid[]) order by id`,
    ),
  };
}

describeStores('re-verification in memory writes what the gathering path writes', (ctx) => {
  let restore: () => void;
  const seeded: SeededHousehold[] = [];

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    for (let i = 0; i < 3; i += 1) {
      const h = await seedHousehold(ctx.store, `BK${i}`);
      await authorise(ctx.store, h, { signedOn: '2026-06-01', standing: true });
      seeded.push(h);
    }
    // An earlier verified figure: both paths must end it on the new one's start (rule 4).
    await inUnitOfWork(ctx.store, actor, async (tx) => {
      const digest = new RowDigest();
      await recordVerifiedFacts(
        tx,
        [
          {
            subjectType: 'person',
            districtCode: '310110',
            subjectId: seeded[0]!.adults[0]!.id,
            kind: 'wage',
            amountFen: 123_400,
            validFrom: '2026-06-01',
            sourceRef: '核对报告 早先',
          },
        ],
        digest,
      );
      tx.recordBatch({ action: 'verification.reported', entityType: 'test', entityId: 'earlier', digest });
    });
  });
  afterAll(() => restore());

  it('requests, timeline, queries, answers, reports, facts, changes and projection are the same', async () => {
    const calendar = await calendarOf(ctx.store);
    const env = (inMemory: boolean): RecheckEnvironment => ({
      calendar,
      inUnitAdapters: (db) => {
        const reads = new SimulatedReads(db);
        return new Map<SourceCode, SourceAdapter>(
          LOCAL_SOURCE_CODES.map((s) => [
            s,
            new SimulatedSource(s, db, { timeoutMs: 60_000, maxAttempts: 3 }, undefined, reads),
          ]),
        );
      },
      othersWait: false,
      retry: { retryMs: 1000, maxRetryMs: 60_000 },
      say: () => {},
      inMemory: inMemory ? simulationModel() : undefined,
    });
    const ids = seeded.map((h) => h.household.id);
    const run = async (inMemory: boolean) => {
      let seen: unknown;
      let result: unknown;
      await inUnitOfWork(ctx.store, actor, async (tx) => {
        const outcome = await recheckBatch(
          tx,
          { jobId: JOB, batch: 1, limit: 100, districtCode: '310110', program: 'dibao', cursor: null },
          env(inMemory),
        );
        result = outcome.result;
        seen = await written(tx.db, ids);
        throw new Rollback();
      }).catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
      return { seen, result };
    };
    const gathered = await run(false);
    const inMemory = await run(true);
    const seen = gathered.seen as { requests: unknown[]; answers: unknown[]; facts: unknown[] };
    expect(seen.requests).toHaveLength(seeded.length);
    expect(seen.answers.length).toBeGreaterThan(0);
    // The earlier verified wage ended, and new facts written.
    expect(seen.facts).toContainEqual(
      expect.objectContaining({ source_ref: '核对报告 早先', valid_to: '2026-12-01', version: 2 }),
    );
    expect(inMemory.seen).toEqual(gathered.seen);
    expect(inMemory.result).toEqual(gathered.result);
  });
});
