import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { onExit } from 'signal-exit';

/**
 * One process at a time on an embedded (PGlite) data directory. PGlite is a single-process database: a
 * second process opening the same files loses or corrupts writes. Before anything opens the directory,
 * its opener creates `<dir>.lock` beside it, naming itself; whoever finds the file held by a live process
 * is refused. A holder that died without releasing it (SIGKILL, power cut) leaves a stale file that the
 * next opener takes over, so a crash never blocks the directory for good.
 */

/** What the lock file says about its holder. */
export interface LockHolder {
  pid: number;
  /** What the holder runs, e.g. "minzheng serve". */
  command: string;
  /** When the lock was taken (ISO 8601). */
  startedAt: string;
  host: string;
  /**
   * The kernel's identity of the holding process (boot id and start time since boot), where /proc tells
   * it: after a reboot or once the pid is reused by another process, the pid alone would look alive.
   */
  processStart?: string;
  /** Tells this holding apart from an earlier one of the same process. */
  token: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly shownDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `数据目录 ${shownDir} 正由${holder.host === hostname() ? '' : `主机 ${holder.host} 上的`}进程 ${holder.pid}（${holder.command}，自 ${shanghaiMinute(holder.startedAt)} 起）使用；请先停止它，或用 DATABASE_URL 连接 PostgreSQL 服务器`
        : `数据目录 ${shownDir} 正由另一进程使用；请先停止它，或用 DATABASE_URL 连接 PostgreSQL 服务器`,
    );
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Deletes the lock file if it is still this holder's; safe to call more than once. */
  release(): void;
}

export interface LockOptions {
  /** The directory as the operator named it (MINZHENG_DATA_DIR), for messages. */
  shownDir?: string;
  /** What this process runs; defaults to the command line, e.g. "minzheng import households". */
  command?: string;
  /** Where the notice of a taken-over stale lock goes; stderr by default. */
  notice?: (line: string) => void;
}

const minuteFormat = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

function shanghaiMinute(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : minuteFormat.format(time);
}

/** "minzheng import households" from `node bin/minzheng import households 台账.xlsx --dry-run`. */
export function commandLine(argv: readonly string[] = process.argv): string {
  const script = basename(argv[1] ?? 'node');
  const isCli = script === 'minzheng' || /^main\.[jt]s$/.test(script);
  const words: string[] = [];
  for (const arg of argv.slice(2)) {
    if (arg.startsWith('-') || words.length === 2) break;
    words.push(arg);
  }
  return [isCli ? 'minzheng' : `node ${script}`, ...(isCli ? words : [])].join(' ');
}

let bootId: string | undefined | null = null;

/** The kernel's identity of a process ("<boot id>:<start time in clock ticks>"), or undefined without /proc. */
export function processStart(pid: number): string | undefined {
  try {
    if (bootId === null) bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name in field 2 may hold spaces and parentheses, so count from its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start === undefined ? undefined : `${bootId}:${start}`;
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `holder` is still running (when unsure: yes, and the opener is refused). */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = processStart(holder.pid);
  return holder.processStart === undefined || now === undefined || now === holder.processStart;
}

type Read =
  { state: 'missing' } | { state: 'held'; holder: LockHolder; text: string } | { state: 'unreadable' };

function readLock(path: string): Read {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (Number.isSafeInteger(holder.pid) && typeof holder.token === 'string') {
      return { state: 'held', holder, text };
    }
  } catch {
    // A file being written by a filesystem without hard links, or garbage: judged by its age below.
  }
  return { state: 'unreadable' };
}

/** Creates `path` holding `text` only if it does not exist; the content is complete once the name appears. */
function createExclusive(path: string, text: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeWhole(temporary, text, 'wx');
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
  } finally {
    unlinkSync(temporary);
  }
  // No hard links here: plain exclusive create; a reader may briefly see it empty (see readLock).
  try {
    writeWhole(path, text, 'wx');
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function writeWhole(path: string, text: string, flags: string): void {
  const fd = openSync(path, flags, 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** A file nobody has touched for this long was left by a process that died while creating it. */
const ABANDONED_MS = 10_000;

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

/**
 * Replaces a stale lock with ours. Racing openers take turns through a second file (held only for these
 * few calls), so the one that removes the stale lock is the one that checked it, and no opener can remove
 * a lock another opener has just created.
 */
function takeOver(path: string, staleText: string | undefined, text: string): boolean {
  const gate = `${path}.takeover`;
  if (!createExclusive(gate, String(process.pid))) {
    if (olderThan(gate, ABANDONED_MS)) removeIfPresent(gate);
    return false;
  }
  try {
    const now = readLock(path);
    if (now.state === 'missing') return createExclusive(path, text);
    const unchanged = now.state === 'held' ? now.text === staleText : staleText === undefined;
    if (!unchanged) return false;
    unlinkSync(path);
    return createExclusive(path, text);
  } finally {
    removeIfPresent(gate);
  }
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the lock of an embedded data directory `dir` (the lock file is `<dir>.lock`, beside it), or throws
 * DataDirLockedError naming the live holder. Synchronous, so nothing can open the directory in between.
 * The lock is released by `release()`, and on exit, on SIGINT/SIGTERM/SIGHUP and on a crash of the
 * JavaScript (whatever the process can still run); after SIGKILL the next opener takes it over.
 */
export function lockDataDir(dir: string, options: LockOptions = {}): DataDirLock {
  const path = `${dir.replace(/[/\\]+$/, '')}.lock`;
  const shownDir = options.shownDir ?? dir;
  mkdirSync(dirname(path), { recursive: true });
  const ownStart = processStart(process.pid);
  const me: LockHolder = {
    pid: process.pid,
    command: options.command ?? commandLine(),
    startedAt: new Date().toISOString(),
    host: hostname(),
    ...(ownStart === undefined ? {} : { processStart: ownStart }),
    token: randomBytes(8).toString('hex'),
  };
  const text = JSON.stringify(me);
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A few rounds cover a holder releasing or another opener taking over while we look.
  for (let round = 0; round < 200; round++) {
    if (createExclusive(path, text)) return held(path, me);
    const found = readLock(path);
    if (found.state === 'missing') continue;
    if (found.state === 'held' && holderAlive(found.holder))
      throw new DataDirLockedError(shownDir, found.holder);
    if (found.state === 'unreadable' && !olderThan(path, ABANDONED_MS)) {
      pause(10);
      continue;
    }
    const staleText = found.state === 'held' ? found.text : undefined;
    if (takeOver(path, staleText, text)) {
      if (found.state === 'held') {
        const h = found.holder;
        notice(
          `注意：数据目录 ${shownDir} 上次由进程 ${h.pid}（${h.command}，自 ${shanghaiMinute(h.startedAt)} 起）使用后未正常退出，已接管其锁`,
        );
      }
      return held(path, me);
    }
    pause(10);
  }
  const last = readLock(path);
  throw new DataDirLockedError(shownDir, last.state === 'held' ? last.holder : undefined);
}

function held(path: string, me: LockHolder): DataDirLock {
  let released = false;
  let forgetExit = () => {};
  const release = () => {
    if (released) return;
    released = true;
    forgetExit();
    const now = readLock(path);
    // Never delete a lock that is no longer ours (another process judged us dead and took it over).
    if (now.state === 'held' && now.holder.token === me.token) removeIfPresent(path);
  };
  forgetExit = onExit(() => {
    release();
  });
  return { path, release };
}
