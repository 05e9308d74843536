/**
 * What the CLI prints when something goes wrong: always one Chinese line on stderr, never a stack trace.
 * Kept free of heavy imports, since `minzheng --help` loads it.
 */

/** A one-line user error: printed without a stack trace, exit code 1. */
export class CliError extends Error {}

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

/** The operating system's error codes a CLI user can meet, in words (Node's messages are English). */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: '文件或目录不存在',
  EACCES: '没有访问权限',
  EPERM: '操作不被允许',
  EEXIST: '已经存在',
  EISDIR: '这是一个目录，不是文件',
  ENOTDIR: '路径中有一段不是目录',
  ENOTEMPTY: '目录不为空',
  ENOSPC: '磁盘空间不足',
  EROFS: '文件系统只读',
  EMFILE: '打开的文件过多',
  EBUSY: '文件正被占用',
  ECONNREFUSED: '连接被拒绝',
  ECONNRESET: '连接被对方断开',
  ETIMEDOUT: '连接超时',
  ENOTFOUND: '找不到该主机',
  EAI_AGAIN: '暂时无法解析主机名',
};

interface SystemError extends Error {
  code?: unknown;
  path?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/** The error itself, or the operating system's error it wraps (a driver's "Failed query" over ECONNREFUSED). */
function systemCause(error: Error): SystemError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const candidate: SystemError = e;
    if (typeof candidate.code === 'string' && SYSTEM_ERRORS[candidate.code] !== undefined) return candidate;
  }
  return undefined;
}

/** The one line (without the 错误： prefix) for an error no command turned into a CliError. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return `内部错误：${String(error)}`;
  const e = systemCause(error);
  if (e !== undefined) {
    const code = String(e.code);
    const said = SYSTEM_ERRORS[code] ?? '';
    if (NETWORK.has(code)) {
      const host =
        typeof e.address === 'string' ? e.address : typeof e.hostname === 'string' ? e.hostname : '';
      const port = typeof e.port === 'number' ? `:${e.port}` : '';
      return `无法连接数据库服务器${host ? ` ${host}${port}` : ''}：${said}`;
    }
    return typeof e.path === 'string' ? `${e.path}：${said}` : said;
  }
  // Domain errors are written for users, in Chinese: as they are.
  if (error instanceof CliError || /[\u4e00-\u9fff]/.test(error.message)) return error.message;
  // Neither the user's input nor the machine: a defect. One line still, with what the program said.
  return `内部错误：${error.message.split('\n', 1)[0] ?? ''}`;
}
