import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { CliError } from './context.ts';
import { registerDbCommands } from './db.command.ts';

const program = new Command('minzheng')
  .description('智慧民政 Minzheng — 民政业务平台命令行 (civil-affairs platform CLI)')
  .showHelpAfterError('（使用 --help 查看用法）')
  .exitOverride();

// One register function per command group; each lives in its own *.command.ts file.
registerDbCommands(program);

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
