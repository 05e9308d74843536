import type { Command } from 'commander';
import { verifyAuditChain } from '../audit/audit.service.ts';
import { CliError, withStore } from './context.ts';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('审计日志 (audit log)');
  audit
    .command('verify')
    .description(
      '校验审计日志哈希链：发现被修改、删除或调换顺序的记录时报告第一条并以 1 退出 (verify the chain)',
    )
    .action(async () => {
      const result = await withStore((store) => verifyAuditChain(store));
      if (!result.ok) {
        throw new CliError(`审计日志不完整：${result.reason}（此前 ${result.count} 条完好）`);
      }
      process.stdout.write(`审计日志完整：${result.count} 条\n`);
    });
}
