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
import { SimulatedSource } from '../../verification/sources/simulated.source.ts';
import type { SourceAdapter } from '../../verification/sources/source.ts';
import { defineJobKind, type JobKind } from '../job-kind.ts';

export interface RecheckPayload {
  districtCode: string;
  program: ProgramCode;
}

const payload = z
  .object({
    districtCode: z.string().regex(/^31\d{4}$/, '区划代码须为 6 位区代码'),
    program: z
      .string()
      .refine(isProgramCode, '政策项目代码不存在')
      .transform((p) => p as ProgramCode),
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
    run: async ({ job, payload: p, cursor, limit, batch }, ctx) => {
      const settings = settingsOf(ctx.config);
      const simulated = LOCAL_SOURCE_CODES.filter((s) => settings.sources[s].kind === 'simulated');
      const calendar = await calendarOf(ctx.store);
      const env: RecheckEnvironment = {
        calendar,
        inUnitAdapters: (db) =>
          new Map<SourceCode, SourceAdapter>(
            simulated.map((s) => [s, new SimulatedSource(s, db, settings.sources[s])]),
          ),
        othersWait: simulated.length < LOCAL_SOURCE_CODES.length,
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
