import type { Command } from 'commander';
import { registerVerifyPackageCommands } from './verify/package.commands.ts';
import { registerVerifyRecheckCommands } from './verify/recheck.commands.ts';
import { registerVerifyReportCommands } from './verify/report.commands.ts';
import { registerVerifyRequestCommands } from './verify/request.commands.ts';

/**
 * `minzheng verify …`: 居民家庭经济状况核对 at the terminal (docs/cli.md). Each area of the module registers
 * its own subcommands in src/cli/verify/.
 */
export function registerVerifyCommands(program: Command): void {
  const verify = program
    .command('verify')
    .description('居民家庭经济状况核对 (household economic verification)');
  registerVerifyRequestCommands(verify);
  registerVerifyReportCommands(verify);
  registerVerifyRecheckCommands(verify);
  registerVerifyPackageCommands(verify);
}
