import { z } from 'zod';
import { CITY_DISTRICT } from '../../audit/audit.service.ts';
import { POSTGRES_BACKUP_NOTICE } from '../../backup/backup.errors.ts';
import {
  backupSettings,
  checkEmbedded,
  recordBackup,
  writeBackup,
  type BackupConfig,
} from '../../backup/backup.service.ts';
import type { Config } from '../../config.ts';
import { now } from '../../core/clock.ts';
import type { Store } from '../../db/store.ts';
import type { ActingContext } from '../../workflow/unit-of-work.ts';
import { defineJobKind, type JobKinds } from '../job-kind.ts';
import { enqueueJob, type Enqueued } from '../jobs.service.ts';
import { keepConfiguredSchedule } from '../schedules.service.ts';
import { nextRunAfter } from '../schedule.ts';

export const BACKUP_KIND = 'backup';
/** The schedule kept from MINZHENG_BACKUP_SCHEDULE. */
export const BACKUP_SCHEDULE = 'backup';

/**
 * 系统备份 (src/backup/): a consistent copy of the embedded store with its file store's contents and audit
 * files, written with its checksum to the backup folder, the oldest beyond MINZHENG_BACKUP_KEEP deleted.
 * Taken by the schedule and on demand (`requestBackup`: the API and the console; the CLI's `backup create`
 * takes one itself, with the server stopped). One batch: the files are written outside any
 * transaction, then the backup's audit record commits with the job's end. Cut off by a crash before that,
 * it runs again and takes a new backup (a file of its own; retention bounds their number).
 * On a PostgreSQL server it fails with the notice that backups are the DBA's, and its schedule is off.
 */
export const backupJob = defineJobKind({
  kind: BACKUP_KIND,
  label: '系统备份',
  payload: z.object({}).strict(),
  viewPermission: 'system.backup',
  startPermission: 'system.backup',
  maxAttempts: 2,
  unavailable: (store) => (store === 'pglite' ? undefined : POSTGRES_BACKUP_NOTICE),
  oneAtATime: true,
  run: async (_input, ctx) => {
    const result = await writeBackup(ctx.store, backupSettings(ctx.config));
    ctx.say(`已备份：${result.name}（${result.bytes} 字节，用时 ${result.tookMs} 毫秒）`);
    return ctx.unit((tx) => {
      recordBackup(tx, result);
      return Promise.resolve({
        cursor: null,
        progress: 1,
        total: 1,
        finished: true,
        result: {
          file: result.name,
          bytes: result.bytes,
          sha256: result.sha256,
          tookMs: result.tookMs,
          pausedMs: result.pausedMs,
          dataBytes: result.dataBytes,
          contents: result.contents.count,
          contentBytes: result.contents.bytes,
          signingKey: result.audit.signingKey,
          checkpoints: result.audit.checkpoints,
          auditLastId: result.auditHead.lastId,
          removed: result.removed,
        },
      });
    });
  },
});

/**
 * 立即备份 on behalf of `actor` (the API, the console): refused at once where no backup can be taken (a
 * PostgreSQL server, a store without a data directory), with nothing queued; else queued as a job that the
 * runner takes, one at a time (asked again while one is queued or running, that job is given back).
 */
export async function requestBackup(
  store: Store,
  kinds: JobKinds,
  config: BackupConfig,
  input: { actor: ActingContext; divisionCode: string },
): Promise<Enqueued> {
  await checkEmbedded(store, backupSettings(config));
  return enqueueJob(store, kinds, {
    kind: BACKUP_KIND,
    payload: {},
    actor: input.actor,
    divisionCode: input.divisionCode,
    total: 1,
  });
}

/**
 * Keeps the backup schedule as the setting says (MINZHENG_BACKUP_SCHEDULE, cron in Shanghai time, nightly
 * at 02:00 by default; off with "off") until an administrator changes it (then theirs stays, and the
 * returned notice says the setting differs); always off on a PostgreSQL server.
 */
export async function syncBackupSchedule(
  store: Store,
  kinds: JobKinds,
  config: Pick<Config, 'MINZHENG_BACKUP_SCHEDULE'>,
): Promise<string | undefined> {
  const off = config.MINZHENG_BACKUP_SCHEDULE === 'off';
  const cron = off ? '0 2 * * *' : config.MINZHENG_BACKUP_SCHEDULE;
  return keepConfiguredSchedule(
    store,
    kinds,
    {
      name: BACKUP_SCHEDULE,
      kind: BACKUP_KIND,
      cron,
      payload: {},
      districtCode: CITY_DISTRICT,
      enabled: !off && store.kind === 'pglite',
      setting: 'MINZHENG_BACKUP_SCHEDULE',
    },
    nextRunAfter(cron, now()),
  );
}
