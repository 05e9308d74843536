import { http, request } from './request.ts';
import type { Page } from './types.ts';

/** The jobs API (src/http/routes/jobs.routes.ts): jobs in the caller's scope, their progress and results. */

export type JobState = 'queued' | 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
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
  canCancel: boolean;
}

export interface JobKindInfo {
  kind: string;
  label: string;
  canStart: boolean;
}

/** 定时任务 (system administrators): a cron expression in Shanghai time that queues a job of its kind. */
export interface JobSchedule {
  name: string;
  kind: string;
  kindLabel: string;
  /** Five fields: minute hour day month weekday, Shanghai time. */
  cron: string;
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastJobId: string | null;
  /** Why it cannot be switched on with this installation's database, else null. */
  unavailable: string | null;
}

export interface ScheduleChange {
  cron?: string;
  enabled?: boolean;
  reason: string;
}

export interface JobFilters {
  state?: string;
  kind?: string;
}

export const jobsApi = {
  list: (query: JobFilters & { limit: number; offset: number }) =>
    http.get<Page<Job> & { kinds: JobKindInfo[] }>('/api/jobs', {
      ...query,
      state: query.state || undefined,
      kind: query.kind || undefined,
    }),
  get: (id: string) => http.get<Job>(`/api/jobs/${id}`),
  schedules: () => http.get<{ items: JobSchedule[] }>('/api/jobs/schedules'),
  /** A bad expression is answered 400 in Chinese (shown by the caller, who keeps the dialog open). */
  changeSchedule: (name: string, change: ScheduleChange) =>
    request<JobSchedule & { changed: boolean }>('PATCH', `/api/jobs/schedules/${encodeURIComponent(name)}`, {
      body: change,
      silent: true,
    }),
  cancel: (id: string, reason: string) => http.post<Job>(`/api/jobs/${id}/cancel`, { reason }),
  start: (kind: string, reason: string, payload: Record<string, unknown> = {}) =>
    http.post<{ job: Job; existing: boolean }>('/api/jobs', { kind, reason, payload }),
  /** The real roster import: queued as a job (202); its progress and report come with the job. */
  importRoster: (file: File, reason: string) => {
    const form = new FormData();
    form.set('dryRun', 'false');
    form.set('reason', reason);
    form.set('file', file, file.name);
    return http.upload<{ job: Job; existing: boolean }>('/api/households/import', form, { silent: true });
  },
};

/** A job that has not ended: its page keeps asking for news. */
export function isActive(job: Pick<Job, 'state'>): boolean {
  return job.state === 'queued' || job.state === 'running' || job.state === 'cancelling';
}
