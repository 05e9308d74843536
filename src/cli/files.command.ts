import type { Command } from 'commander';
import { configuredFileStore, sweepOrphanFiles } from '../files/file-store.ts';
import { CliError, withStore } from './context.ts';

/** Hours to leave an orphan alone: an upload in flight writes its content before its unit commits. */
const DEFAULT_GRACE_HOURS = 24;

async function sweepCommand(options: { graceHours: string }): Promise<void> {
  const hours = Number(options.graceHours);
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 365) {
    throw new CliError('--grace-hours 须为 1 到 8760 之间的整数（小时）');
  }
  const line = await withStore(async (store, config) => {
    const files = configuredFileStore(config, store.kind);
    if (!files.root) return '文件保存在数据库中（未配置 MINZHENG_FILES_DIR），没有需要清理的文件目录';
    const report = await sweepOrphanFiles(store.db, files.root, { graceMs: hours * 3_600_000 });
    return `文件目录 ${files.root}：检查 ${report.checked} 个文件，删除无记录引用的孤立文件 ${report.removed} 个（${hours} 小时以前写入），清理临时文件 ${report.scratch} 个`;
  });
  process.stdout.write(`${line}\n`);
}

export function registerFilesCommands(program: Command): void {
  const files = program.command('files').description('文件与附件：清理孤立文件 (files and attachments)');
  files
    .command('sweep')
    .description(
      '清理文件目录中没有任何记录引用的孤立文件（上传中途失败或回滚时留下的）及异常退出遗留的临时文件 (remove orphaned contents)',
    )
    .option('--grace-hours <hours>', '只删除早于这么多小时写入的孤立文件', String(DEFAULT_GRACE_HOURS))
    .action(sweepCommand);
}
