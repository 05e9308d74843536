import { Help, type Command } from 'commander';
import stringWidth from 'string-width';

/** Commander's help in Chinese: headings, the built-in options and commands, defaults. */
const TITLES: Readonly<Record<string, string>> = {
  'Usage:': '用法：',
  'Options:': '选项：',
  'Commands:': '命令：',
  'Arguments:': '参数：',
  'Global Options:': '全局选项：',
};

const placeholders = (text: string) =>
  text.replaceAll('[options]', '[选项]').replaceAll('[command]', '[命令]');

/** `(default: "20")` → `（默认：20）`. */
const defaults = (text: string) => text.replace(/ ?\(default: "?(.*?)"?\)$/, '（默认：$1）');

const plain = new Help();

export function chineseHelp(program: Command): Command {
  return program
    .helpOption('-h, --help', '显示帮助')
    .helpCommand('help [command]', '显示某个命令的帮助')
    .configureHelp({
      // Chinese characters take two columns: without this the descriptions do not line up.
      displayWidth: (text) => stringWidth(text),
      styleTitle: (title) => TITLES[title] ?? title,
      styleUsage: (usage) => placeholders(usage),
      subcommandTerm: (command) => placeholders(plain.subcommandTerm(command)),
      optionDescription: (option) => defaults(plain.optionDescription(option)),
      argumentDescription: (argument) => defaults(plain.argumentDescription(argument)),
    });
}
