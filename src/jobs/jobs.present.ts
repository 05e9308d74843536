import type { JobKinds } from './job-kind.ts';
import type { Job } from './jobs.repository.ts';
import { JOB_STATE_LABELS } from './jobs.service.ts';
import type { JobState } from './schema.ts';

/** A job as the API, the console and the CLI show it: labels in Chinese, progress as a percentage. */
export interface JobView {
  id: string;
  kind: string;
  kindLabel: string;
  state: JobState;
  stateLabel: string;
  divisionCode: string;
  done: number;
  total: number | null;
  /** 0–100; null while the total is unknown. */
  percent: number | null;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  result: Record<string, unknown> | null;
  createdBy: string | null;
  reason: string;
  scheduleName: string | null;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  finishedAt: string | null;
}

export function presentJob(job: Job, kinds: JobKinds): JobView {
  const percent =
    job.state === 'succeeded'
      ? 100
      : job.total === null || job.total === 0
        ? null
        : Math.min(100, Math.floor((100 * job.done) / job.total));
  return {
    id: job.id,
    kind: job.kind,
    kindLabel: kinds.get(job.kind)?.label ?? job.kind,
    state: job.state,
    stateLabel: JOB_STATE_LABELS[job.state],
    divisionCode: job.divisionCode,
    done: job.done,
    total: job.total,
    percent,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    error: job.error,
    result: job.result,
    createdBy: job.createdBy,
    reason: job.reason,
    scheduleName: job.scheduleName,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}

const SHANGHAI = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** An instant as Shanghai's wall clock: 2026-12-01 22:05:09. */
export function shanghaiTime(iso: string | null): string {
  return iso === null ? '-' : SHANGHAI.format(new Date(iso)).replace(/\//g, '-');
}
