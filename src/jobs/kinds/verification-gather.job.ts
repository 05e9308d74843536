import { z } from 'zod';
import { CITY_DISTRICT } from '../../audit/audit.service.ts';
import type { Config } from '../../config.ts';
import type { Store } from '../../db/store.ts';
import {
  GATHER_JOB_MAX_ATTEMPTS,
  GATHER_KIND,
  GATHER_LABEL,
  gatherBatch,
} from '../../verification/gather.service.ts';
import { issueReports } from '../../verification/report/report.service.ts';
import {
  buildAdapters,
  loadSourceSettings,
  type SourceSettings,
} from '../../verification/sources/adapters.ts';
import type { SourceCode } from '../../verification/sources/catalogue.ts';
import type { SourceAdapter } from '../../verification/sources/source.ts';
import { everyMinutesCron } from '../every-minutes.ts';
import { defineJobKind, type JobKinds } from '../job-kind.ts';
import { keepConfiguredSchedule } from '../schedules.service.ts';

/** The schedule kept from MINZHENG_VERIFICATION_GATHER_MINUTES: a city-wide sweep. */
export const GATHER_SCHEDULE = 'verification.gather';

const installed = new WeakMap<
  Store,
  { settings: SourceSettings; adapters: Map<SourceCode, SourceAdapter> }
>();

/** This process's adapters for a store, built once from the settings (read at first use, checked whole). */
function adaptersOf(store: Store, config: Config) {
  let entry = installed.get(store);
  if (!entry) {
    const settings = loadSourceSettings(config.MINZHENG_VERIFICATION_SOURCES, config.MINZHENG_DATA_DIR);
    entry = { settings, adapters: buildAdapters(settings, store.db) };
    installed.set(store, entry);
  }
  return entry;
}

/**
 * 核对信息获取: fans the district's requests out to the sources, a batch of many requests per source (never
 * one job per request and source), records the answers and issues the reports of requests whose sources
 * have all answered, failed or timed out (src/verification/gather.service.ts). A district's job is queued by
 * the request service (`enqueueGathering`); the schedule sweeps every district (payload 310000) to pick up
 * answer files and time out what did not come.
 *
 * No idempotency key: a succeeded job keeps its key for good, and a district is gathered again and again.
 * Two gathering jobs at once are harmless (claims skip locked rows, states are compare-and-set), and
 * `enqueueGathering` queues none while one is queued.
 */
export const verificationGatherJob = defineJobKind({
  kind: GATHER_KIND,
  label: GATHER_LABEL,
  payload: z
    .object({ districtCode: z.string().regex(/^31\d{4}$/, '区划代码须为 6 位（全市为 310000）') })
    .strict(),
  viewPermission: 'verification.view',
  startPermission: 'verification.request',
  maxAttempts: GATHER_JOB_MAX_ATTEMPTS,
  run: async ({ job, payload, batch, limit }, ctx) => {
    const { settings, adapters } = adaptersOf(ctx.store, ctx.config);
    return gatherBatch(
      { jobId: job.id, batch, limit, districtCode: payload.districtCode },
      {
        adapters,
        retry: { retryMs: settings.retryMs, maxRetryMs: settings.maxRetryMs },
        issueReports,
        unit: (work) => ctx.unit(work),
        say: ctx.say,
      },
    );
  },
});

/**
 * Keeps the sweep's schedule as the setting says (every MINZHENG_VERIFICATION_GATHER_MINUTES minutes,
 * Shanghai time; off at 0) until an administrator changes it. Called at start beside the audit checkpoint's.
 */
export async function syncGatherSchedule(
  store: Store,
  kinds: JobKinds,
  config: Pick<Config, 'MINZHENG_VERIFICATION_GATHER_MINUTES'>,
  firstRunAt?: Date,
): Promise<string | undefined> {
  const minutes = config.MINZHENG_VERIFICATION_GATHER_MINUTES;
  return keepConfiguredSchedule(
    store,
    kinds,
    {
      name: GATHER_SCHEDULE,
      kind: GATHER_KIND,
      cron: everyMinutesCron(minutes) ?? '*/5 * * * *',
      payload: { districtCode: CITY_DISTRICT },
      districtCode: CITY_DISTRICT,
      enabled: minutes > 0,
      setting: 'MINZHENG_VERIFICATION_GATHER_MINUTES',
    },
    firstRunAt,
  );
}
