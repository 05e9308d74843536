import type { Job, JobSchedule, JobState } from '../../api/jobs.ts';
import type { Column } from '../../utils/columns.ts';
import { shanghaiDateTime } from '../../utils/clock.ts';
import { formatDateTime } from '../../utils/format.ts';
import { backupResultOf, backupResultText } from '../backup/data.ts';

export const STATE_OPTIONS: { value: JobState | ''; label: string }[] = [
  { value: '', label: '全部状态' },
  { value: 'queued', label: '排队中' },
  { value: 'running', label: '运行中' },
  { value: 'cancelling', label: '正在取消' },
  { value: 'succeeded', label: '已完成' },
  { value: 'failed', label: '失败' },
  { value: 'cancelled', label: '已取消' },
];

/** Element Plus tag and progress colours by state. */
export function stateType(state: JobState): 'info' | 'primary' | 'success' | 'warning' | 'danger' {
  switch (state) {
    case 'queued':
      return 'info';
    case 'running':
      return 'primary';
    case 'cancelling':
    case 'cancelled':
      return 'warning';
    case 'succeeded':
      return 'success';
    case 'failed':
      return 'danger';
  }
}

export function progressStatus(state: JobState): '' | 'success' | 'exception' | 'warning' {
  if (state === 'succeeded') return 'success';
  if (state === 'failed') return 'exception';
  if (state === 'cancelled' || state === 'cancelling') return 'warning';
  return '';
}

const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');

/**
 * "1,200 / 5,000" (or "1,200" while the total is unknown). Element Plus renders a column's cell slot once
 * with an empty row while it sets the table up: a row without numbers reads as nothing done.
 */
export function progressText(job: Partial<Pick<Job, 'done' | 'total'>>): string {
  return job.total === null || job.total === undefined ? n(job.done) : `${n(job.done)} / ${n(job.total)}`;
}

export const jobColumns: Column<Job>[] = [
  { prop: 'kindLabel', label: '任务', minWidth: 150 },
  { prop: 'state', label: '状态', width: 100, slot: true },
  { prop: 'percent', label: '进度', minWidth: 220, slot: true },
  { prop: 'reason', label: '原因', minWidth: 160, ellipsis: true },
  { prop: 'createdAt', label: '提交时间', width: 170, formatter: (j) => formatDateTime(j.createdAt) },
  { prop: 'finishedAt', label: '结束时间', width: 170, formatter: (j) => formatDateTime(j.finishedAt) },
];

/** The lines a job's result shows, in Chinese; an import's error table is shown apart. */
export function resultLines(job: Job): string[] {
  const r = job.result;
  if (!r) return [];
  if (job.kind === 'registry.import') {
    const lines: string[] = [];
    if (typeof r.rows === 'number') lines.push(`共 ${n(r.rows)} 行`);
    if (r.ok === true)
      lines.push(`已导入 ${n(Number(r.households ?? 0))} 户、${n(Number(r.persons ?? 0))} 人`);
    if (typeof r.errorCount === 'number' && r.errorCount > 0)
      lines.push(`发现 ${n(r.errorCount)} 处错误，未写入任何数据`);
    return lines;
  }
  if (job.kind === 'backup') {
    const backup = backupResultOf(job);
    if (backup) return [backupResultText(backup)];
  }
  if (job.kind === 'audit.checkpoint') {
    return r.signed === true
      ? [`已签署检查点：共 ${n(Number(r.count))} 条，末条第 ${n(Number(r.lastId))} 条`]
      : ['审计日志自上一个检查点以来没有变化，未签署新的检查点'];
  }
  return Object.entries(r).map(
    ([key, value]) => `${key}：${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
  );
}

export interface ImportErrorRow {
  row: number | null;
  column: string | null;
  value: string | null;
  reason: string;
}

/** An import job's error table, if its result holds one. */
export function importErrors(job: Job): ImportErrorRow[] {
  const errors = job.result?.errors;
  return Array.isArray(errors) ? (errors as ImportErrorRow[]) : [];
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六', '日'];
const two = (value: string) => value.padStart(2, '0');

/**
 * A cron expression (minute hour day month weekday, Shanghai time) in words where it is one of the common
 * shapes: every N minutes, hourly, daily, weekly, monthly; otherwise null (the expression speaks for itself).
 */
export function cronText(cron: string): string | null {
  const [minute, hour, day, month, weekday, extra] = cron.trim().split(/\s+/);
  if (minute === undefined || hour === undefined || day === undefined || weekday === undefined) return null;
  if (extra !== undefined || month !== '*') return null;
  const within = (value: string, low: number, high: number) =>
    /^\d{1,2}$/.test(value) && Number(value) >= low && Number(value) <= high;
  const every = /^\*\/(\d+)$/.exec(minute);
  if (every && hour === '*' && day === '*' && weekday === '*') return `每 ${every[1]} 分钟`;
  if (minute === '*' && hour === '*' && day === '*' && weekday === '*') return '每分钟';
  if (!within(minute, 0, 59)) return null;
  if (hour === '*' && day === '*' && weekday === '*') {
    return minute === '0' ? '每小时整点' : `每小时第 ${Number(minute)} 分`;
  }
  const everyHours = /^\*\/(\d+)$/.exec(hour);
  if (everyHours && day === '*' && weekday === '*') {
    return `每 ${everyHours[1]} 小时${minute === '0' ? '（整点）' : `（第 ${Number(minute)} 分）`}`;
  }
  if (!within(hour, 0, 23)) return null;
  const time = `${two(hour)}:${two(minute)}`;
  if (day === '*' && weekday === '*') return `每天 ${time}`;
  if (day === '*' && within(weekday, 0, 7)) return `每周${WEEKDAYS[Number(weekday)]} ${time}`;
  if (day === '*' && weekday === '1-5') return `周一至周五 ${time}`;
  if (within(day, 1, 31) && weekday === '*') return `每月 ${Number(day)} 日 ${time}`;
  return null;
}

export const scheduleColumns: Column<JobSchedule>[] = [
  { prop: 'kindLabel', label: '定时任务', minWidth: 160, slot: true },
  { prop: 'cron', label: '定时（上海时间）', minWidth: 200, slot: true },
  { prop: 'enabled', label: '状态', width: 90, slot: true },
  {
    prop: 'nextRunAt',
    label: '下次运行（上海时间）',
    width: 170,
    formatter: (s) => (s.nextRunAt ? shanghaiDateTime(s.nextRunAt) : '—'),
  },
  {
    prop: 'lastRunAt',
    label: '上次运行（上海时间）',
    width: 170,
    formatter: (s) => (s.lastRunAt ? shanghaiDateTime(s.lastRunAt) : '—'),
  },
];
