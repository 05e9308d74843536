import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { COMMAND_GROUPS, commandNamed, groupOf } from './commands.ts';
import { commanderErrorLine, errorText } from './errors.ts';
import { chineseHelp } from './help.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = chineseHelp(new Command('minzheng'))
  .description('智慧民政 Minzheng — 民政业务平台命令行 (civil-affairs platform CLI)')
  .version(version, '-V, --version', '显示版本号')
  // A parse error (unknown option, missing argument) is one Chinese line on stderr, like every user error.
  .configureOutput({ outputError: (text, write) => write(`${commanderErrorLine(text)}\n`) })
  .exitOverride();

// Only the group of the command asked for is loaded (commands.ts); without one, help lists every command.
const group = groupOf(commandNamed(process.argv.slice(2)));
if (group) {
  (await group.load())(program);
} else {
  for (const { commands } of COMMAND_GROUPS) {
    for (const [name, description] of Object.entries(commands))
      program.command(name).description(description);
  }
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`错误：${errorText(error)}\n`);
    process.exitCode = 1;
  }
}
