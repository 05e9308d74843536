import type { Config } from '../config.ts';
import type { Store } from '../db/store.ts';
import { syncCheckpointSchedule } from './kinds/audit-checkpoint.job.ts';
import { syncBackupSchedule } from './kinds/backup.job.ts';
import { jobKinds } from './kinds/index.ts';
import { syncGatherSchedule } from './kinds/verification-gather.job.ts';
import { syncRecheckSchedule } from './kinds/verification-recheck.job.ts';
import { syncEventsSchedule } from './kinds/events.job.ts';
import { sweepImportFiles } from './kinds/registry-import.job.ts';
import { JobRunner } from './runner.ts';

export interface RunningJobs {
  /** The runner of this process, if it runs one. */
  runner: JobRunner | undefined;
  /** Finishes the batch in progress, hands the job back and stops (call before closing the store). */
  stop(): Promise<void>;
}

/**
 * What a process that runs jobs does at start: keeps the configured schedules (the audit checkpoint's,
 * the backup's, the verification sweep's and the
 * monthly re-verification of the district's 低保 recipients, the daily life events, as their settings say unless an administrator changed them: then it says so),
 * removes the files of import jobs that ended, and starts a runner, unless `runJobs` is false (a server
 * on PostgreSQL whose jobs run in `minzheng worker` processes; the embedded store always runs its own).
 */
export async function startJobs(
  store: Store,
  config: Config,
  say: (line: string) => void,
  options: { runJobs: boolean },
): Promise<RunningJobs> {
  const kinds = jobKinds();
  for (const notice of [
    await syncCheckpointSchedule(store, kinds, config),
    await syncBackupSchedule(store, kinds, config),
    await syncGatherSchedule(store, kinds, config),
    await syncRecheckSchedule(store, kinds, {
      districtCode: config.MINZHENG_DEMO_DISTRICT,
      program: 'dibao',
      cron:
        config.MINZHENG_VERIFICATION_RECHECK_CRON === 'off'
          ? undefined
          : config.MINZHENG_VERIFICATION_RECHECK_CRON,
      setting: 'MINZHENG_VERIFICATION_RECHECK_CRON',
    }),
    await syncEventsSchedule(store, kinds, {
      districtCode: config.MINZHENG_DEMO_DISTRICT,
      cron: config.MINZHENG_EVENTS_CRON === 'off' ? undefined : config.MINZHENG_EVENTS_CRON,
    }),
  ]) {
    if (notice) say(`注意：${notice}`);
  }
  const removed = await sweepImportFiles(store, config.MINZHENG_DATA_DIR);
  if (removed > 0) say(`已清理 ${removed} 个已结束导入任务的上传文件`);
  if (!options.runJobs && store.kind === 'postgres')
    return { runner: undefined, stop: () => Promise.resolve() };
  const runner = new JobRunner({ store, config, kinds, say });
  runner.start();
  return { runner, stop: () => runner.stop() };
}
