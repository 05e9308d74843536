import type { BackupResult } from '../../api/backup.ts';
import type { Job } from '../../api/jobs.ts';
import { shanghaiDateTime } from '../../utils/clock.ts';

/** 系统备份 page: presentation helpers (the API client is web/src/api/backup.ts). */

/** 12,345,678 bytes as "11.8 MB". */
export function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** "0 2 * * *" as 每天 02:00 where it is that simple; otherwise the expression itself. */
export function scheduleText(cron: string): string {
  if (cron === 'off') return '未设置定时备份';
  const daily = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(cron);
  if (daily) return `每天 ${daily[2]!.padStart(2, '0')}:${daily[1]!.padStart(2, '0')}（上海时间）自动备份`;
  return `按 ${cron}（cron，上海时间）自动备份`;
}

/** The schedule and, when it is on, its next run (Shanghai time). */
export function scheduleLine(cron: string, nextRunAt: string | null): string {
  const text = scheduleText(cron);
  return nextRunAt ? `${text}，下次 ${shanghaiDateTime(nextRunAt)}` : text;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} 秒`;

/** A finished backup job's result in one line: what the file holds, how long it took. */
export function backupResultText(result: BackupResult): string {
  const parts = [`数据库 ${sizeText(result.dataBytes)}`];
  parts.push(
    result.contents > 0
      ? `附件文件 ${result.contents} 个（${sizeText(result.contentBytes)}）`
      : '没有附件文件',
  );
  if (result.signingKey && result.checkpoints) parts.push('审计签名密钥与检查点文件');
  else if (result.signingKey) parts.push('审计签名密钥');
  else if (result.checkpoints) parts.push('审计检查点文件');
  const removed = result.removed.length ? `；删除旧备份 ${result.removed.length} 份` : '';
  return (
    `${result.file}：${sizeText(result.bytes)}，含${parts.join('、')}；审计日志到第 ${result.auditLastId} 条；` +
    `用时 ${seconds(result.tookMs)}，其间数据库请求等待 ${seconds(result.pausedMs)}${removed}`
  );
}

/** The result of a backup job that succeeded, if it holds one. */
export function backupResultOf(job: Job | null): BackupResult | null {
  const result = job?.state === 'succeeded' ? job.result : null;
  return result && typeof result.file === 'string' ? (result as unknown as BackupResult) : null;
}

export const columns = [
  { prop: 'takenAt', label: '备份时间', width: 180 },
  { prop: 'name', label: '文件', minWidth: 320 },
  { prop: 'bytes', label: '大小', width: 110 },
  { prop: 'sha256', label: 'SHA-256', minWidth: 200 },
] as const;
