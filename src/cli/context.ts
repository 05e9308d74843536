import { loadConfig, type Config } from '../config.ts';
import { openStore, type Store } from '../db/store.ts';

/** A one-line user error: printed without a stack trace, exit code 1. */
export class CliError extends Error {}

export function cliConfig(): Config {
  return loadConfig(process.env);
}

/** Opens the configured store, brings its schema up to date, runs `work`, and always closes it. */
export async function withStore<T>(work: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const store = await openStore(config);
  try {
    await store.migrate();
    return await work(store, config);
  } finally {
    await store.close();
  }
}

const HELP_HINT = '（使用 --help 查看用法）';

/** Commander's own parse errors (English) as the one Chinese line the CLI prints for every user error. */
const COMMANDER_ERRORS: readonly [RegExp, (found: string) => string][] = [
  [/^error: unknown option '(.+?)'/, (flag) => `未知选项 ${flag}`],
  [/^error: unknown command '(.+?)'/, (name) => `未知命令 ${name}`],
  [/^error: required option '(.+?)' not specified/, (flags) => `缺少必填选项 ${flags}`],
  [/^error: option '(.+?)' argument missing/, (flags) => `选项 ${flags} 缺少取值`],
  [/^error: missing required argument '(.+?)'/, (name) => `缺少参数 <${name}>`],
  [/^error: too many arguments/, () => '参数过多'],
];

export function commanderErrorLine(message: string): string {
  const first = message.trim().split('\n', 1)[0] ?? '';
  const similar = /\(Did you mean (?:one of )?(.+?)\?\)/.exec(message)?.[1];
  const suggestion = similar ? `，是否要用 ${similar}？` : '';
  for (const [pattern, say] of COMMANDER_ERRORS) {
    const match = pattern.exec(first);
    if (match) return `错误：${say(match[1] ?? '')}${suggestion}${HELP_HINT}`;
  }
  return `错误：${first.replace(/^error: /, '')}${HELP_HINT}`;
}
