import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { serverUrl } from '../../test/support/stores.ts';
import { COMMAND_GROUPS } from './commands.ts';

/**
 * bin/minzheng as operators run it, in child processes: version and help, `db migrate`, and the rule of
 * the embedded store: while one process (the server, an import) has the data directory, every other
 * process is refused before it opens anything; with PostgreSQL, any number run side by side.
 */
const root = mkdtempSync(join(tmpdir(), 'mz-cli-main-'));
const holderScript = new URL('../db/data-dir-lock.holder.ts', import.meta.url).pathname;
const children: ChildProcessWithoutNullStreams[] = [];
const { DATABASE_URL: _server, ...baseEnv } = process.env;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(env: Record<string, string>, ...args: string[]): Run {
  const run = spawnSync(process.execPath, ['bin/minzheng', ...args], {
    env: { ...baseEnv, ...env },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function start(command: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, command, { env: { ...baseEnv, ...env } });
  children.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  /** Reads lines until one matches. */
  const until = async (pattern: RegExp): Promise<string> => {
    for (;;) {
      const next = await lines.next();
      if (next.done) throw new Error(`${command.join(' ')} ended before printing ${String(pattern)}`);
      if (pattern.test(next.value)) return next.value;
    }
  };
  return { child, until };
}

async function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

/** Names, sizes and modification times of everything under `dir`: equal snapshots mean nothing was touched. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((file) => {
      const s = statSync(join(dir, file));
      return `${file} ${s.size} ${s.mtimeMs}`;
    });
}

/**
 * The directory once the server has finished what it does after starting (its job runner's first pass,
 * its schedules): two snapshots a few seconds apart agree. What the refused commands do is then all
 * that could change it.
 */
async function settled(dir: string): Promise<string[]> {
  let last = snapshot(dir);
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const next = snapshot(dir);
    if (JSON.stringify(next) === JSON.stringify(last)) return next;
    last = next;
  }
  throw new Error(`the server kept writing to ${dir} for a minute after it started`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const migrations = (
  JSON.parse(readFileSync(new URL('../db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const SLOW = 300_000;

afterAll(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
    await exited(child);
  }
  rmSync(root, { recursive: true, force: true });
});

describe('minzheng --version / --help', () => {
  it('--version prints the package version; --help lists every command in Chinese', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(cli({}, '--version')).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
    const help = cli({}, '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^用法： minzheng \[选项\] \[命令\]\n/);
    expect(help.stdout).toContain('选项：\n  -V, --version  显示版本号\n  -h, --help     显示帮助');
    for (const group of COMMAND_GROUPS) {
      for (const [name, description] of Object.entries(group.commands)) {
        expect(help.stdout).toMatch(new RegExp(`\\n  ${name} +${escape(description.slice(0, 10))}`));
      }
    }
    expect(cli({}, 'help', 'calc').stdout).toContain('--file <household.json>');
  });
});

describe('minzheng db migrate', () => {
  it(
    'says whether it created the schema or found it current',
    () => {
      const env = { MINZHENG_DATA_DIR: join(root, 'migrate') };
      expect(cli(env, 'db', 'migrate')).toEqual({
        status: 0,
        stdout: `已创建数据库结构：执行 ${migrations} 个迁移（内置 PGlite）\n`,
        stderr: '',
      });
      expect(cli(env, 'db', 'migrate')).toEqual({
        status: 0,
        stdout: `数据库结构已是最新（${migrations} 个迁移；内置 PGlite）\n`,
        stderr: '',
      });
    },
    SLOW,
  );
});

describe('one process at a time on the embedded data directory', () => {
  const dataDir = join(root, 'data');
  const pglite = join(dataDir, 'pglite');
  const env = { MINZHENG_DATA_DIR: dataDir };
  const refusal = (pid: number | undefined, command: string) =>
    new RegExp(
      `^错误：数据目录 ${dataDir.replaceAll('/', '\\/')} 正由进程 ${pid}（${command}，自 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d 起）使用；请先停止它，或用 DATABASE_URL 连接 PostgreSQL 服务器\\n$`,
    );

  it(
    'while a server runs, every command that opens the database is refused and the directory is untouched',
    async () => {
      expect(cli(env, 'db', 'migrate').status).toBe(0);
      const server = start(['bin/minzheng', 'serve'], {
        ...env,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        MINZHENG_DEMO: 'false',
        MINZHENG_BUILD_WEB: 'false',
        LOG_LEVEL: 'silent',
      });
      await server.until(/^智慧民政已启动/);
      try {
        const before = await settled(pglite);
        for (const args of [
          ['persons', 'find'],
          ['audit', 'verify'],
          ['db', 'migrate'],
          ['import', 'households', 'templates/household-roster.csv', '--dry-run'],
          ['serve'],
        ]) {
          const run = cli({ ...env, PORT: String(await freePort()) }, ...args);
          expect(run.stderr, args.join(' ')).toMatch(refusal(server.child.pid, 'minzheng serve'));
          expect(run.status).toBe(1);
          expect(run.stdout).toBe('');
        }
        expect(snapshot(pglite)).toEqual(before);
      } catch (error) {
        // A failed check must not leave the server holding the directory for the tests after this one.
        server.child.kill('SIGKILL');
        throw error;
      }

      // Stopped the ordinary way, the server gives the directory back.
      server.child.kill('SIGTERM');
      await exited(server.child);
      expect(existsSync(`${pglite}.lock`)).toBe(false);
      expect(cli(env, 'persons', 'find')).toMatchObject({ status: 0, stderr: '' });
    },
    SLOW,
  );

  it(
    'a holder killed with SIGKILL blocks nobody: the next command takes the directory over and says so',
    async () => {
      const holder = start(['--import', 'tsx', holderScript, pglite]);
      await holder.until(/^won /);
      expect(cli(env, 'persons', 'find').stderr).toMatch(refusal(holder.child.pid, 'minzheng serve'));
      holder.child.kill('SIGKILL');
      await exited(holder.child);

      const run = cli(env, 'db', 'migrate');
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(
        new RegExp(
          `^注意：数据目录 .+ 上次由进程 ${holder.child.pid}（minzheng serve，自 .+ 起）使用后未正常退出，已接管其锁\\n$`,
        ),
      );
      expect(existsSync(`${pglite}.lock`)).toBe(false);
    },
    SLOW,
  );

  it.skipIf(!serverUrl())(
    'with DATABASE_URL no lock applies: commands run beside a holder of the data directory and each other',
    async () => {
      const url = new URL(serverUrl()!);
      const database = `mz_cli_${process.pid}`;
      const admin = new pg.Client({ connectionString: url.href });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      const holder = start(['--import', 'tsx', holderScript, pglite]);
      try {
        await holder.until(/^won /);
        url.pathname = `/${database}`;
        const pgEnv = { ...env, DATABASE_URL: url.href };
        expect(cli(pgEnv, 'db', 'migrate').stdout).toBe(
          `已创建数据库结构：执行 ${migrations} 个迁移（PostgreSQL）\n`,
        );
        const runs = await Promise.all(
          [0, 1].map(async () => {
            const c = start(['bin/minzheng', 'persons', 'find'], pgEnv);
            let stdout = '';
            c.child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
            await exited(c.child);
            return { status: c.child.exitCode, stdout };
          }),
        );
        for (const run of runs) {
          expect(run.status).toBe(0);
          expect(run.stdout).toContain('共 0 人');
        }
        expect(readFileSync(`${pglite}.lock`, 'utf8')).toContain(`"pid":${holder.child.pid}`);
      } finally {
        holder.child.kill('SIGKILL');
        await exited(holder.child);
        await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
        await admin.end();
      }
    },
    SLOW,
  );
});
