import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { gatherBatch } from '../gather.service.ts';
import { latestReport } from '../report/report.repository.ts';
import { issueReports } from '../report/report.service.ts';
import type { FlagCode } from '../report/report.types.ts';
import type { RequestView } from '../request.service.ts';
import { authorise, request, seedHousehold } from '../verification.fixtures.ts';
import { LOCAL_SOURCE_CODES, type SourceCode } from './catalogue.ts';
import { groundTruth, simulationModel, type PlantedItem, type SimulationModel } from './ground-truth.ts';
import { SimulatedSource } from './simulated.source.ts';
import type { SourceAdapter } from './source.ts';

/**
 * The whole chain against what was planted: simulated sources → gathering → the report. A member's income
 * and the household's money, homes and vehicles carry a tolerance flag exactly when the ground truth planted
 * an item above the tolerance there; a business registration is flagged exactly when planted.
 */

const JOB_ACTOR: ActingContext = {
  userId: 'system:job-runner',
  divisionCode: '310110',
  reason: '核对信息获取（测试）',
};
const TOLERANCE_FLAGS: readonly FlagCode[] = ['unreported_income', 'underreported', 'homes', 'vehicles'];

/** Plants often, so that a few households meet every kind of item. */
function busyModel(): SimulationModel {
  const base = simulationModel();
  return {
    ...base,
    seed: 'ground-truth-test',
    planted: {
      ...base.planted,
      incomeAboveBp: 3000,
      incomeWithinBp: 4000,
      depositsAboveBp: 1200,
      depositsWithinBp: 4000,
      securitiesAboveBp: 800,
      securitiesWithinBp: 4000,
      homesAboveBp: 1500,
      vehiclesAboveBp: 1500,
      businessAboveBp: 2000,
    },
  };
}

describeStores('simulated sources, gathering and the report against the ground truth', (ctx) => {
  let restore: () => void;
  const requests: RequestView[] = [];
  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    // Six households per database: the fixtures' identity numbers run out beyond about 30 households a file.
    for (let i = 0; i < 6; i++) {
      const seeded = await seedHousehold(ctx.store, `GT${i}`);
      await authorise(ctx.store, seeded, { signedOn: '2026-11-20' });
      requests.push(await request(ctx.store, seeded));
    }
  });
  afterAll(() => restore());

  it('flags every item planted above the tolerance and nothing planted within it', async () => {
    const model = busyModel();
    const adapters = new Map<SourceCode, SourceAdapter>(
      LOCAL_SOURCE_CODES.map((s) => [
        s,
        new SimulatedSource(s, ctx.store.db, { timeoutMs: 60_000, maxAttempts: 1 }, model),
      ]),
    );
    const outcome = await gatherBatch(
      { jobId: 'job-gt', batch: 1, limit: 100, districtCode: '310110' },
      {
        adapters,
        retry: { retryMs: 1000, maxRetryMs: 1000 },
        issueReports,
        unit: (work) => inUnitOfWork(ctx.store, JOB_ACTOR, work),
        say: () => {},
      },
    );
    expect(outcome.result).toMatchObject({ reported: requests.length });
    const truth = await groundTruth(
      ctx.store.db,
      requests.map((r) => ({
        districtCode: r.districtCode,
        requestId: r.id,
        householdId: r.householdId,
        asOf: r.asOf,
        personIds: r.members.map((m) => m.personId),
      })),
      model,
    );
    const planted = (requestId: string, test: (i: PlantedItem) => boolean) =>
      truth.some((i) => i.requestId === requestId && test(i));
    let above = 0;
    let within = 0;
    for (const r of requests) {
      const body = (await latestReport(ctx.store.db, r.districtCode, r.id))!.body;
      for (const row of body.figures) {
        const flagged = row.flags.some((f) => TOLERANCE_FLAGS.includes(f));
        const expected =
          row.personId === null
            ? row.kind === 'monetary_assets'
              ? planted(r.id, (i) => (i.kind === 'deposits' || i.kind === 'securities') && i.aboveTolerance)
              : planted(r.id, (i) => i.kind === row.kind)
            : planted(r.id, (i) => i.personId === row.personId && i.kind === row.kind && i.aboveTolerance);
        expect({ request: r.id, person: row.personId, kind: row.kind, flagged }).toEqual({
          request: r.id,
          person: row.personId,
          kind: row.kind,
          flagged: expected,
        });
      }
      for (const m of r.members) {
        const business = body.flags.some((f) => f.code === 'business' && f.personId === m.personId);
        expect(business).toBe(planted(r.id, (i) => i.personId === m.personId && i.kind === 'business'));
      }
      above += truth.filter((i) => i.requestId === r.id && i.aboveTolerance).length;
      within += truth.filter((i) => i.requestId === r.id && !i.aboveTolerance).length;
    }
    expect(above).toBeGreaterThan(5);
    expect(within).toBeGreaterThan(5);
  });
});
