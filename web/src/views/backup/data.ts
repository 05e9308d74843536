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

export const columns = [
  { prop: 'takenAt', label: '备份时间', width: 180 },
  { prop: 'name', label: '文件', minWidth: 320 },
  { prop: 'bytes', label: '大小', width: 110 },
  { prop: 'sha256', label: 'SHA-256', minWidth: 200 },
] as const;
