import type { Store } from '../db/store.ts';
import { createCheckpoint, type AuditFiles } from './checkpoint.service.ts';

export interface CheckpointSchedule {
  /** Waits for the checkpoint in progress, if any. */
  settled(): Promise<void>;
  /** Stops the timer and waits for a checkpoint in progress (call before closing the store). */
  stop(): Promise<void>;
}

/**
 * Signed checkpoints of the running server: one soon after start, then every `minutes` (0: none), each
 * only if the head moved since the last one. A timer in the serve process for now; when the job runner
 * exists this becomes one of its scheduled jobs (the same createCheckpoint call), and the timer goes.
 */
export function scheduleCheckpoints(
  store: Store,
  files: AuditFiles,
  minutes: number,
  say: (line: string) => void,
): CheckpointSchedule {
  if (minutes <= 0) return { settled: () => Promise.resolve(), stop: () => Promise.resolve() };
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= createCheckpoint(store, files, { onlyIfChanged: true, incremental: true })
      .then(({ checkpoint, written }) => {
        if (written) say(`已签署审计检查点：共 ${checkpoint.count} 条，末条第 ${checkpoint.lastId} 条`);
      })
      .catch((error: unknown) => {
        say(`警告：审计检查点未签署：${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(tick, 1000);
  const timer = setInterval(tick, minutes * 60_000);
  first.unref();
  timer.unref();
  return {
    settled: async () => {
      await running;
    },
    stop: async () => {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
