import { z } from 'zod';
import { auditFiles, createCheckpoint } from '../../audit/checkpoint.service.ts';
import { CITY_DISTRICT } from '../../audit/audit.service.ts';
import type { Config } from '../../config.ts';
import type { Store } from '../../db/store.ts';
import { everyMinutesCron } from '../every-minutes.ts';
import { defineJobKind, type JobKinds } from '../job-kind.ts';
import { keepConfiguredSchedule } from '../schedules.service.ts';

export const AUDIT_CHECKPOINT_KIND = 'audit.checkpoint';
/** The schedule kept from MINZHENG_AUDIT_CHECKPOINT_MINUTES. */
export const AUDIT_CHECKPOINT_SCHEDULE = 'audit.checkpoint';

/**
 * 签署审计检查点: verifies the audit chain since the last checkpoint and appends a signed checkpoint to the
 * checkpoint file, only if the head moved. Its one effect is outside the database (a line in a file), so
 * it writes nothing there and its run may repeat after a crash: `onlyIfChanged` is its idempotency key
 * (a second run over the same head signs nothing).
 */
export const auditCheckpointJob = defineJobKind({
  kind: AUDIT_CHECKPOINT_KIND,
  label: '签署审计检查点',
  payload: z.object({}).strict(),
  viewPermission: 'audit.view',
  startPermission: 'users.manage',
  maxAttempts: 3,
  run: async (_input, ctx) => {
    const { checkpoint, written } = await createCheckpoint(ctx.store, auditFiles(ctx.config), {
      onlyIfChanged: true,
      incremental: true,
    });
    if (written) ctx.say(`已签署审计检查点：共 ${checkpoint.count} 条，末条第 ${checkpoint.lastId} 条`);
    return {
      cursor: null,
      progress: 1,
      total: 1,
      finished: true,
      result: { signed: written, count: checkpoint.count, lastId: checkpoint.lastId, at: checkpoint.at },
    };
  },
});

/**
 * Keeps the checkpoint schedule as the setting says: every MINZHENG_AUDIT_CHECKPOINT_MINUTES minutes
 * (as a cron expression, Shanghai time), off at 0, until an administrator changes it (then theirs stays,
 * and the returned notice says the setting differs). A new or changed schedule first runs soon after start.
 */
export async function syncCheckpointSchedule(
  store: Store,
  kinds: JobKinds,
  config: Pick<Config, 'MINZHENG_AUDIT_CHECKPOINT_MINUTES'>,
  firstRunAt: Date = new Date(Date.now() + 1000),
): Promise<string | undefined> {
  const minutes = config.MINZHENG_AUDIT_CHECKPOINT_MINUTES;
  const cron = everyMinutesCron(minutes) ?? '0 * * * *';
  return keepConfiguredSchedule(
    store,
    kinds,
    {
      name: AUDIT_CHECKPOINT_SCHEDULE,
      kind: AUDIT_CHECKPOINT_KIND,
      cron,
      payload: {},
      districtCode: CITY_DISTRICT,
      enabled: minutes > 0,
      setting: 'MINZHENG_AUDIT_CHECKPOINT_MINUTES',
    },
    firstRunAt,
  );
}
