import { z } from 'zod';
import { calendarOf } from '../../calendar/calendar.service.ts';
import type { Config } from '../../config.ts';
import { shanghaiMonth } from '../../core/clock.ts';
import { isProgramCode, type ProgramCode } from '../../policy/index.ts';
import {
  RECHECK_KIND,
  RECHECK_LABEL,
  recheckBatch,
  type RecheckCursor,
  type RecheckEnvironment,
} from '../../verification/recheck/recheck.service.ts';
import { loadSourceSettings, type SourceSettings } from '../../verification/sources/adapters.ts';
import { LOCAL_SOURCE_CODES, type SourceCode } from '../../verification/sources/catalogue.ts';
import { simulationModel } from '../../verification/sources/ground-truth.ts';
import { SimulatedReads, SimulatedSource } from '../../verification/sources/simulated.source.ts';
import type { SourceAdapter } from '../../verification/sources/source.ts';
import type { Store } from '../../db/store.ts';
import { defineJobKind, type JobKind, type JobKinds } from '../job-kind.ts';
import { keepConfiguredSchedule } from '../schedules.service.ts';

export interface RecheckPayload {
  districtCode: string;
  program: ProgramCode;
}

const payload = z
  .object({
    districtCode: z.string().regex(/^31\d{4}$/, '区划代码须为 6 位区代码'),
    program: z.string().refine(isProgramCode, '政策项目代码不存在'),
  })
  .strict();

/** The same program of a district is re-verified once a month (the key of the business work). */
export function recheckKey(p: RecheckPayload, month = shanghaiMonth()): string {
  return `${p.districtCode}:${p.program}:${month}`;
}

const settingsCache = new WeakMap<Config, SourceSettings>();

function settingsOf(config: Config): SourceSettings {
  let s = settingsCache.get(config);
  if (!s) {
    s = loadSourceSettings(config.MINZHENG_VERIFICATION_SOURCES, config.MINZHENG_DATA_DIR);
    settingsCache.set(config, s);
  }
  return s;
}

/**
 * The adapters share the batch's one connection: the gathering batch asks every source at once, so their
 * reads are taken one after another (a connection runs one statement at a time; pg would queue them, and
 * says it will stop doing so).
 */
function oneAtATime(adapters: readonly SourceAdapter[]): Map<SourceCode, SourceAdapter> {
  let turn: Promise<unknown> = Promise.resolve();
  return new Map(
    adapters.map((a) => {
      const send: SourceAdapter['send'] = (batch) => {
        const next = turn.then(() => a.send(batch));
        turn = next.catch(() => undefined);
        return next;
      };
      return [a.source, { source: a.source, timeoutMs: a.timeoutMs, maxAttempts: a.maxAttempts, send }];
    }),
  );
}

/** Target time of a batch by store, and the most households one batch takes (its unit's size). */
const RECHECK_BATCH_MS = { postgres: 3000, pglite: 1000 } as const;
const RECHECK_MAX_HOUSEHOLDS = 4000;

export interface RecheckKindOptions {
  /** Tests: a throw after the batch's requests are written cuts it off (rolled back whole). */
  afterRequests?: RecheckEnvironment['afterRequests'];
  initialLimit?: number;
}

/**
 * 在保对象定期复核 (src/verification/recheck/recheck.service.ts): a district's recipients of a program, in
 * batches of households (cursor: the last household id), each batch asking the sources and issuing the
 * reports in its one unit of work, then the change list. Queued by POST /api/verifications/rechecks, by
 * `verify recheck`, or by a schedule an administrator adds (payload { districtCode, program }).
 */
export function recheckJobKind(options: RecheckKindOptions = {}): JobKind<RecheckPayload> {
  return defineJobKind({
    kind: RECHECK_KIND,
    label: RECHECK_LABEL,
    payload,
    viewPermission: 'verification.view',
    startPermission: 'verification.recheck',
    idempotencyKey: (p) => recheckKey(p),
    initialLimit: options.initialLimit,
    // A batch costs some fifteen statements whatever its size (reads, one COPY per table, the facts, the
    // audit): on a PostgreSQL server batches of a few thousand households amortise them. On the embedded
    // store batches stay shorter (its one backend serves the console, the runner pausing as long after
    // each): 1 s — at 200 ms a loaded machine left ~10 households a batch, mostly fixed cost (27/s against
    // 59/s at 2 s, load 18).
    batchMs: { postgres: RECHECK_BATCH_MS.postgres, pglite: RECHECK_BATCH_MS.pglite },
    maxLimit: RECHECK_MAX_HOUSEHOLDS,
    run: async ({ job, payload: p, cursor, limit, batch }, ctx) => {
      const settings = settingsOf(ctx.config);
      const simulated = LOCAL_SOURCE_CODES.filter((s) => settings.sources[s].kind === 'simulated');
      const calendar = await calendarOf(ctx.store);
      const env: RecheckEnvironment = {
        calendar,
        // One read of the requests and declared figures per batch, shared by every simulated source.
        inUnitAdapters: (db) => {
          const reads = new SimulatedReads(db);
          return oneAtATime(
            simulated.map((s) => new SimulatedSource(s, db, settings.sources[s], undefined, reads)),
          );
        },
        othersWait: simulated.length < LOCAL_SOURCE_CODES.length,
        // Every source simulated: answered in memory from the ground truth, the batch written by COPY.
        inMemory: simulated.length === LOCAL_SOURCE_CODES.length ? simulationModel() : undefined,
        retry: { retryMs: settings.retryMs, maxRetryMs: settings.maxRetryMs },
        say: ctx.say,
        afterRequests: options.afterRequests,
      };
      return ctx.unit((tx) =>
        recheckBatch(
          tx,
          {
            jobId: job.id,
            batch,
            limit,
            districtCode: p.districtCode,
            program: p.program,
            cursor: cursor as unknown as RecheckCursor | null,
          },
          env,
        ),
      );
    },
  });
}

export const verificationRecheckJob = recheckJobKind();

/** The monthly schedule's default time: 02:00 on the 1st, Shanghai (after the month's payroll data is in). */
export const RECHECK_DEFAULT_CRON = '0 2 1 * *';

/**
 * Keeps a monthly re-verification of a program in a district as a schedule (`verification.recheck:<d>:<p>`),
 * switched on when a cron expression is set, off otherwise, until an administrator changes it (then theirs
 * stays). For a start-up call beside the gathering sweep's; the setting's name is the one in its notices.
 */
export function syncRecheckSchedule(
  store: Store,
  kinds: JobKinds,
  input: { districtCode: string; program: ProgramCode; cron: string | undefined; setting: string },
  firstRunAt?: Date,
): Promise<string | undefined> {
  return keepConfiguredSchedule(
    store,
    kinds,
    {
      name: `${RECHECK_KIND}:${input.districtCode}:${input.program}`,
      kind: RECHECK_KIND,
      cron: input.cron ?? RECHECK_DEFAULT_CRON,
      payload: { districtCode: input.districtCode, program: input.program },
      districtCode: input.districtCode,
      enabled: input.cron !== undefined,
      setting: input.setting,
    },
    firstRunAt,
  );
}
