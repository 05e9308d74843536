import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { CliError, commanderErrorLine } from './context.ts';
import { registerDbCommands } from './db.command.ts';
import { registerPolicyCommands } from './policy.command.ts';
import { registerSimulateCommand } from './simulate.command.ts';
import { registerServeCommands } from './serve.command.ts';
import { registerAuditCommands } from './audit.command.ts';
import { registerUsersCommands } from './users.command.ts';
import { registerRegistryCommands } from './registry.command.ts';
import { registerImportExportCommands } from './import-export.command.ts';
import { registerDemoCommands } from './demo.command.ts';

const program = new Command('minzheng')
  .description('智慧民政 Minzheng — 民政业务平台命令行 (civil-affairs platform CLI)')
  // A parse error (unknown option, missing argument) is one Chinese line on stderr, like every user error.
  .configureOutput({ outputError: (text, write) => write(`${commanderErrorLine(text)}\n`) })
  .exitOverride();

// One register function per command group; each lives in its own *.command.ts file.
registerDbCommands(program);
registerPolicyCommands(program);
registerSimulateCommand(program);
registerServeCommands(program);
registerAuditCommands(program);
registerUsersCommands(program);
registerRegistryCommands(program);
registerImportExportCommands(program);
registerDemoCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else if (error instanceof CliError || error instanceof ConfigError) {
    process.stderr.write(`错误：${error.message}\n`);
    process.exitCode = 1;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`错误：${message}\n`);
    process.exitCode = 1;
  }
}
