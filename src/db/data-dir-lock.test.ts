import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  commandLine,
  DataDirLockedError,
  lockDataDir,
  processStart,
  type DataDirLock,
  type LockHolder,
} from './data-dir-lock.ts';
import { openPglite, openStore } from './store.ts';

/** Real processes take and hold the lock (data-dir-lock.holder.ts), as a server and a CLI command would. */
const holderScript = new URL('./data-dir-lock.holder.ts', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'mz-lock-'));
let n = 0;
const freshDir = () => join(root, `d${++n}`, 'pglite');

interface Holder {
  child: ChildProcessWithoutNullStreams;
  /** The next line the holder prints. */
  line: () => Promise<string>;
}

const children: ChildProcessWithoutNullStreams[] = [];

function startHolder(dir: string, waitGo = false): Holder {
  const child = spawn(process.execPath, [
    '--import',
    'tsx',
    holderScript,
    dir,
    ...(waitGo ? ['--wait-go'] : []),
  ]);
  children.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    line: async () => {
      const next = await lines.next();
      if (next.done) throw new Error(`holder ${child.pid} ended without a line`);
      return next.value;
    },
  };
}

async function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

/** A pid that certainly belonged to a process that has ended. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(run.stdout);
}

function writeLock(dir: string, holder: Partial<LockHolder>): void {
  const full: LockHolder = {
    pid: deadPid(),
    command: 'minzheng import households',
    startedAt: '2026-12-01T02:00:00.000Z',
    host: hostname(),
    token: 'abc',
    ...holder,
  };
  mkdirSync(dirname(dir), { recursive: true });
  writeFileSync(`${dir}.lock`, JSON.stringify(full));
}

const SLOW = 120_000;
const held: DataDirLock[] = [];

afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
});
afterAll(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
    await exited(child);
  }
  rmSync(root, { recursive: true, force: true });
});

describe('lockDataDir', () => {
  it(
    'refuses a second process with one Chinese line naming the holder, until the holder exits',
    async () => {
      const dir = freshDir();
      const holder = startHolder(dir);
      expect(await holder.line()).toBe(`won ${holder.child.pid}`);

      let refusal: unknown;
      try {
        held.push(lockDataDir(dir, { shownDir: './data' }));
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(DataDirLockedError);
      const message = (refusal as Error).message;
      expect(message).toMatch(
        new RegExp(
          `^数据目录 \\./data 正由进程 ${holder.child.pid}（minzheng serve，自 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d 起）使用；请先停止它，或用 DATABASE_URL 连接 PostgreSQL 服务器$`,
        ),
      );
      expect(message).not.toContain('\n');

      holder.child.stdin.end();
      await exited(holder.child);
      expect(existsSync(`${dir}.lock`)).toBe(false);
      held.push(lockDataDir(dir));
    },
    SLOW,
  );

  it(
    'takes over the lock of a holder killed with SIGKILL, saying whose it was',
    async () => {
      const dir = freshDir();
      const holder = startHolder(dir);
      expect(await holder.line()).toBe(`won ${holder.child.pid}`);
      holder.child.kill('SIGKILL');
      await exited(holder.child);
      expect(existsSync(`${dir}.lock`)).toBe(true);

      const notices: string[] = [];
      held.push(lockDataDir(dir, { shownDir: './data', notice: (line) => notices.push(line) }));
      expect(notices).toEqual([
        expect.stringMatching(
          new RegExp(
            `^注意：数据目录 \\./data 上次由进程 ${holder.child.pid}（minzheng serve，自 .+ 起）使用后未正常退出，已接管其锁$`,
          ),
        ),
      ]);
      expect((JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as LockHolder).pid).toBe(process.pid);
    },
    SLOW,
  );

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'releases the lock when the holder is stopped with %s',
    async (signal) => {
      const dir = freshDir();
      const holder = startHolder(dir);
      expect(await holder.line()).toBe(`won ${holder.child.pid}`);
      holder.child.kill(signal);
      await exited(holder.child);
      expect(holder.child.signalCode).toBe(signal);
      expect(existsSync(`${dir}.lock`)).toBe(false);
    },
    SLOW,
  );

  it(
    'of several processes racing for a free directory, exactly one wins; the same for a stale lock',
    async () => {
      for (const stale of [false, true]) {
        const dir = freshDir();
        if (stale) writeLock(dir, {});
        const racers = Array.from({ length: 4 }, () => startHolder(dir, true));
        for (const racer of racers) expect(await racer.line()).toBe('ready');
        for (const racer of racers) racer.child.stdin.write('go\n');
        const results = await Promise.all(racers.map((racer) => racer.line()));
        const winners = results.filter((line) => line.startsWith('won '));
        expect(winners).toHaveLength(1);
        const winnerPid = winners[0]!.slice(4);
        for (const line of results.filter((l) => !l.startsWith('won '))) {
          expect(line).toMatch(new RegExp(`^refused 数据目录 .+ 正由进程 ${winnerPid}（minzheng serve，`));
        }
        expect((JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as LockHolder).pid).toBe(Number(winnerPid));
        for (const racer of racers) racer.child.stdin.end();
        await Promise.all(racers.map((racer) => exited(racer.child)));
        expect(existsSync(`${dir}.lock`)).toBe(false);
      }
    },
    SLOW,
  );

  it.skipIf(processStart(process.pid) === undefined)(
    'a live pid is not the holder when its process started at another time (pid reused, or a reboot)',
    () => {
      const dir = freshDir();
      const mine = processStart(process.pid)!;
      writeLock(dir, { pid: process.pid, processStart: mine, token: 'earlier' });
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);

      const [boot, ticks] = mine.split(':');
      for (const other of [`${boot}:${Number(ticks) + 1}`, `another-boot:${ticks}`]) {
        writeLock(dir, { pid: process.pid, processStart: other });
        const notices: string[] = [];
        held.push(lockDataDir(dir, { notice: (line) => notices.push(line) }));
        expect(notices).toHaveLength(1);
        held.pop()!.release();
      }
    },
  );

  it('treats a lock on another host as held (its process cannot be checked from here)', () => {
    const dir = freshDir();
    writeLock(dir, { host: 'elsewhere' });
    expect(() => lockDataDir(dir, { shownDir: './data' })).toThrow(
      /^数据目录 \.\/data 正由主机 elsewhere 上的进程 \d+/,
    );
  });

  it('takes over an unreadable lock file only once it is old (a process died while writing it)', () => {
    const dir = freshDir();
    writeLock(dir, {});
    writeFileSync(`${dir}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${dir}.lock`, old, old);
    held.push(lockDataDir(dir));
    expect((JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as LockHolder).pid).toBe(process.pid);
  });

  it('release() deletes only its own lock', () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    writeLock(dir, { pid: 1, token: 'someone-else' });
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(true);
  });

  it('names the command from the command line', () => {
    expect(commandLine(['node', '/x/bin/minzheng', 'import', 'households', 'a.xlsx', '--dry-run'])).toBe(
      'minzheng import households',
    );
    expect(commandLine(['node', '/x/dist/cli/main.js', 'serve'])).toBe('minzheng serve');
    expect(commandLine(['node', '/x/bin/minzheng', 'persons', '--help'])).toBe('minzheng persons');
    expect(commandLine(['node', '/x/bench/registry.bench.ts', 'serve'])).toBe('node registry.bench.ts');
  });
});

describe('stores and the lock', () => {
  it(
    'PGlite on a folder holds the lock until closed; in memory takes none',
    async () => {
      const dir = freshDir();
      const store = await openPglite(dir, { shownDir: './data' });
      try {
        expect(existsSync(`${dir}.lock`)).toBe(true);
        await expect(openPglite(dir, { shownDir: './data' })).rejects.toThrow(
          `数据目录 ./data 正由进程 ${process.pid}`,
        );
      } finally {
        await store.close();
      }
      expect(existsSync(`${dir}.lock`)).toBe(false);
      const memory = await openPglite();
      await memory.close();
    },
    SLOW,
  );

  it('with DATABASE_URL no lock is taken or checked: the server serves many processes', async () => {
    const dataDir = join(root, 'pg-mode');
    const lock = lockDataDir(join(dataDir, 'pglite'));
    held.push(lock);
    // The pool connects on first use: opening alone reaches no server.
    const store = await openStore({
      DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
      MINZHENG_DATA_DIR: dataDir,
    });
    expect(store.kind).toBe('postgres');
    await store.close();
    expect(readFileSync(lock.path, 'utf8')).toContain(`"pid":${process.pid}`);
  });
});
