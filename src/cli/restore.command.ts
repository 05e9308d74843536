import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { formatVerification } from '../audit/audit-text.ts';
import { auditFiles } from '../audit/checkpoint.service.ts';
import { POSTGRES_BACKUP_NOTICE } from '../backup/backup.errors.ts';
import { backupSettings, listBackups, takeBackup } from '../backup/backup.service.ts';
import { restoreBackup } from '../backup/restore.service.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import { filesFolder } from '../files/file-store.ts';
import { CliError, cliConfig, withOpenStore } from './context.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const cliActor = (reason: string) => ({ userId: `cli:${userInfo().username}`, divisionCode: null, reason });

/** 12,345,678 字节 as "11.8 MB". */
export function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} 秒`;

const shanghai = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  dateStyle: 'short',
  timeStyle: 'medium',
});
const when = (iso: string) => shanghai.format(new Date(iso));

function refuseOnServer(databaseUrl: string | undefined): void {
  if (databaseUrl) throw new CliError(`已配置 DATABASE_URL。${POSTGRES_BACKUP_NOTICE}`);
}

interface RestoreOptions {
  sha256?: string;
  reason: string;
}

async function restoreCommand(file: string, options: RestoreOptions): Promise<void> {
  const config = cliConfig();
  refuseOnServer(config.DATABASE_URL);
  const report = await restoreBackup({
    file,
    dataDir: config.MINZHENG_DATA_DIR,
    sha256: options.sha256,
    actor: cliActor(options.reason),
    auditFiles: auditFiles(config),
    filesDir: filesFolder(config),
    say,
  });
  say(
    `已从备份恢复：${report.file}（${sizeText(report.bytes)}，备份于 ${when(report.backupTakenAt)}；` +
      `审计日志到第 ${report.backupHead.lastId} 条）`,
  );
  if (report.migrations.applied > 0) say(`已执行 ${report.migrations.applied} 个新迁移`);
  if (report.previousDir) {
    const head = report.previousHead
      ? `其审计日志到第 ${report.previousHead.lastId} 条（哈希 ${report.previousHead.lastHash.slice(0, 16)}…），已记入恢复的审计记录`
      : (report.previousProblem ?? '');
    say(`原数据库已改名保留在 ${report.previousDir}；${head}。确认无误后可自行删除`);
  }
  if (!report.contents) {
    say('此备份（旧格式）只含数据库，不含附件文件：附件目录保持原样，请从另行保存的附件备份中放回');
  }
  if (report.signingKey === 'installed') say('已从备份放回审计签名密钥（权限 0600）');
  if (report.signingKey === 'different') {
    say(
      '本机已有另一把审计签名密钥，保留本机的；备份中的检查点须用备份时的公钥校验（audit verify --public-key）',
    );
  }
  if (report.checkpointsMovedTo) {
    say(
      `审计检查点文件与恢复后的日志不符（检查点晚于备份），已移到 ${report.checkpointsMovedTo} 存档` +
        (report.checkpointsRestored ? '' : '；服务器启动后重新签署'),
    );
  }
  if (report.checkpointsRestored) say('已从备份放回审计检查点文件（与恢复后的日志相符）');
  const { lines, ok, summary } = formatVerification(report.verify);
  for (const line of lines) say(line);
  if (!ok) throw new CliError(summary);
  say(`audit verify：${summary}（用时 ${seconds(report.tookMs)}）`);
}

async function createCommand(options: { reason: string }): Promise<void> {
  const config = cliConfig();
  refuseOnServer(config.DATABASE_URL);
  const result = await withOpenStore((store) =>
    takeBackup(store, backupSettings(config), cliActor(options.reason), { appVersion: version }),
  ).catch((error: unknown) => {
    if (error instanceof DataDirLockedError) {
      throw new CliError(
        `${error.message}。服务器运行时请在控制台「系统备份」中备份（或 POST /api/backups）`,
      );
    }
    throw error;
  });
  say(
    `已备份：${result.path}（${sizeText(result.bytes)}，数据 ${sizeText(result.dataBytes)}，` +
      `用时 ${seconds(result.tookMs)}，其中复制数据库 ${seconds(result.pausedMs)}）`,
  );
  say(`SHA-256：${result.sha256}`);
  if (result.removed.length > 0) say(`已删除旧备份：${result.removed.join('、')}`);
}

async function listCommand(): Promise<void> {
  const config = cliConfig();
  refuseOnServer(config.DATABASE_URL);
  const settings = backupSettings(config);
  // Listing reads the folder only: it works while the server runs.
  const listing = await listBackups('pglite', settings);
  say(`备份目录：${listing.folder}（保留最近 ${listing.keep} 份；定时备份的时间见 jobs schedules）`);
  if (listing.backups.length === 0) say('还没有备份');
  for (const backup of listing.backups) {
    say(`${when(backup.takenAt)}  ${sizeText(backup.bytes).padStart(9)}  ${backup.name}`);
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command('restore')
    .description(
      '从备份恢复内置数据库（须先停止服务器）：先核对校验值，原数据库改名保留，恢复后执行 audit verify (restore a backup)',
    )
    .argument('<file>', '备份文件（.tar.gz；同目录下须有同名 .sha256 校验文件，或用 --sha256 给出）')
    .option('--sha256 <hex>', '备份文件的 SHA-256 校验值（没有 .sha256 文件时）')
    .option('--reason <text>', '恢复原因（记入审计日志）', '命令行从备份恢复')
    .action((file: string, options: RestoreOptions) => restoreCommand(file, options));
  const backup = program.command('backup').description('系统备份：内置数据库的备份 (backups)');
  backup
    .command('create')
    .description('立即备份（服务器停止时；运行时请用控制台「系统备份」）(take a backup)')
    .option('--reason <text>', '备份原因（记入审计日志）', '命令行备份')
    .action((options: { reason: string }) => createCommand(options));
  backup
    .command('list')
    .description('列出备份目录中的备份 (list backups)')
    .action(() => listCommand());
}
