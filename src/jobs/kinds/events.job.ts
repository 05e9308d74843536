import { z } from 'zod';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { deriveEvents } from '../../events/derive.service.ts';
import { processEventBatch } from '../../events/process.service.ts';
import type { Store } from '../../db/store.ts';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { defineJobKind, type BatchOutcome, type JobKind, type JobKinds } from '../job-kind.ts';
import { keepConfiguredSchedule } from '../schedules.service.ts';

export const EVENTS_DERIVE_KIND = 'events.derive';
export const EVENTS_PROCESS_KIND = 'events.process';

export interface EventsPayload {
  districtCode: string;
  /** derive: a month to derive (YYYY-MM) instead of the daily window. */
  month?: string | undefined;
}

const district = z.string().regex(/^31\d{4}$/, '区划代码须为 6 位区代码');
const derivePayload = z
  .object({
    districtCode: district,
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份应为 YYYY-MM')
      .optional(),
  })
  .strict();
const processPayload = z.object({ districtCode: district }).strict();

/** Target time of a batch by store, and the most events one batch takes. */
const EVENTS_BATCH_MS = { postgres: 3000, pglite: 1000 } as const;
const EVENTS_MAX_BATCH = 20_000;

type Cursor = { phase: 'process'; afterId: number } | null;

async function processStep(
  tx: WorkTx,
  input: { districtCode: string; afterId: number; limit: number; jobId: string; batch: number },
  calendar: WorkingCalendar,
  done: Record<string, number>,
): Promise<BatchOutcome> {
  const r = await processEventBatch(tx, {
    districtCode: input.districtCode,
    afterId: input.afterId,
    limit: input.limit,
    batchKey: `${input.jobId}/${input.batch}`,
    calendar,
  });
  return {
    cursor: { phase: 'process', afterId: r.lastId },
    progress: r.events,
    finished: r.events < input.limit,
    result: {
      ...done,
      processed: (done.processed ?? 0) + r.processed,
      rejected: (done.rejected ?? 0) + r.rejected,
      enrolled: (done.enrolled ?? 0) + r.enrolled,
      stopped: (done.stopped ?? 0) + r.stopped,
    },
  };
}

/**
 * 生命事件处理 (src/events/process.service.ts): a district's received events in arrival order (cursor: the last
 * event id), each batch one unit of work with one audit record. Queued by `events process`, after an import,
 * or by a schedule an administrator adds.
 */
export const eventsProcessJob: JobKind<EventsPayload> = defineJobKind({
  kind: EVENTS_PROCESS_KIND,
  label: '处理生命事件',
  payload: processPayload,
  viewPermission: 'events.view',
  startPermission: 'events.manage',
  initialLimit: 2000,
  batchMs: EVENTS_BATCH_MS,
  maxLimit: EVENTS_MAX_BATCH,
  // The run form: the calendar is read (cached) before the batch's unit opens — on the embedded store a read
  // through the store while the unit's transaction is open would wait for it.
  run: async ({ job, payload: p, cursor, limit, batch }, ctx) => {
    const c = cursor as Cursor;
    const calendar = await calendarOf(ctx.store);
    return ctx.unit((tx) =>
      processStep(
        tx,
        { districtCode: p.districtCode, afterId: c?.afterId ?? 0, limit, jobId: job.id, batch },
        calendar,
        (job.result ?? {}) as Record<string, number>,
      ),
    );
  },
});

/**
 * 生命事件生成 (src/events/derive.service.ts), daily: the first batch derives the window's deaths, births and
 * milestone birthdays from the registry (set-based); the next batches process the district's received events as
 * `events.process` does. Once a day per district (the key), or once per month asked.
 */
export const eventsDeriveJob: JobKind<EventsPayload> = defineJobKind({
  kind: EVENTS_DERIVE_KIND,
  label: '生成并处理生命事件',
  payload: derivePayload,
  viewPermission: 'events.view',
  startPermission: 'events.manage',
  idempotencyKey: (p) => `${p.districtCode}:${p.month ?? shanghaiToday()}`,
  initialLimit: 2000,
  batchMs: EVENTS_BATCH_MS,
  maxLimit: EVENTS_MAX_BATCH,
  run: async ({ job, payload: p, cursor, limit, batch }, ctx) => {
    const c = cursor as Cursor;
    if (c === null) {
      return ctx.unit(async (tx) => {
        const r = await deriveEvents(tx, {
          districtCode: p.districtCode,
          month: p.month,
          batchKey: `${job.id}/${batch}`,
        });
        return {
          cursor: { phase: 'process', afterId: 0 },
          progress: 0,
          finished: false,
          result: { deaths: r.deaths, births: r.births, birthdays: r.birthdays },
        };
      });
    }
    const calendar = await calendarOf(ctx.store);
    const derived = (job.result ?? {}) as Record<string, number>;
    return ctx.unit((tx) =>
      processStep(
        tx,
        { districtCode: p.districtCode, afterId: c.afterId, limit, jobId: job.id, batch },
        calendar,
        derived,
      ),
    );
  },
});

/**
 * Keeps the district's daily derivation as a schedule (`events.derive:<d>`), on when a cron expression is set
 * (MINZHENG_EVENTS_CRON, default 01:30 Shanghai: after the night's registry imports), off otherwise, until an
 * administrator changes it (then theirs stays).
 */
export function syncEventsSchedule(
  store: Store,
  kinds: JobKinds,
  input: { districtCode: string; cron: string | undefined },
  firstRunAt?: Date,
): Promise<string | undefined> {
  return keepConfiguredSchedule(
    store,
    kinds,
    {
      name: `${EVENTS_DERIVE_KIND}:${input.districtCode}`,
      kind: EVENTS_DERIVE_KIND,
      cron: input.cron ?? '30 1 * * *',
      payload: { districtCode: input.districtCode },
      districtCode: input.districtCode,
      enabled: input.cron !== undefined,
      setting: 'MINZHENG_EVENTS_CRON',
    },
    firstRunAt,
  );
}
