import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every command line in the README's 命令行 section, run in order as a newcomer would, in a fresh folder
 * that looks like the project (bin, src, templates, docs linked) with the default ./data, so that the
 * README cannot promise what the CLI does not do. Files an example reads exist in the project or are
 * written by an earlier example. Heavy examples are scaled down mechanically, nothing else is changed:
 * - `--persons N` runs with at most SCALED_PERSONS persons;
 * - an absolute output path (`--csv /tmp/sh`) is moved into the test folder;
 * - `serve` (the first example) runs with a demo population of SERVE_PERSONS (MINZHENG_DEMO_PERSONS),
 *   until it says it has started, then is stopped with SIGTERM: the examples after it use its database.
 */
const projectRoot = new URL('../../', import.meta.url).pathname;
const SCALED_PERSONS = 1000;
const SERVE_PERSONS = 2000;

export function readmeExamples(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## 命令行'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line.startsWith('./bin/minzheng'));
}

export function scaledDown(line: string, folder: string): string {
  return line
    .replace(/--persons (\d+)/g, (_, n: string) => `--persons ${Math.min(Number(n), SCALED_PERSONS)}`)
    .replace(
      / (--\S+) \/(?!\/)(\S*)/g,
      (_, flag: string, path: string) => ` ${flag} ${join(folder, 'abs', path)}`,
    );
}

const folder = mkdtempSync(join(tmpdir(), 'mz-readme-'));
for (const linked of ['bin', 'src', 'templates', 'docs']) {
  symlinkSync(join(projectRoot, linked), join(folder, linked));
}
mkdirSync(join(folder, 'abs'));
const { DATABASE_URL: _server, MINZHENG_DATA_DIR: _dir, ...env } = process.env;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** `serve` as the README starts it, until it listens; then Ctrl-C's sibling, SIGTERM. */
async function serveUntilStarted(line: string): Promise<void> {
  const child = spawn('bash', ['-c', `exec ${line}`], {
    cwd: folder,
    env: {
      ...env,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      MINZHENG_DEMO_PERSONS: String(SERVE_PERSONS),
      MINZHENG_BUILD_WEB: 'false',
      LOG_LEVEL: 'silent',
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    for await (const out of createInterface({ input: child.stdout })) {
      if (out.startsWith('智慧民政已启动')) break;
    }
    expect(stderr).toBe('');
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  }
  expect(existsSync(join(folder, 'data', 'pglite.lock'))).toBe(false);
}

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('README command-line examples', () => {
  const examples = readmeExamples(readFileSync(join(projectRoot, 'README.md'), 'utf8'));

  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(10);
    expect(examples[0]).toBe('./bin/minzheng serve');
    expect(scaledDown('./bin/minzheng demo generate --persons 25000000 --csv /tmp/sh', '/x')).toBe(
      './bin/minzheng demo generate --persons 1000 --csv /x/abs/tmp/sh',
    );
  });

  it('each runs and succeeds on a demo database, in the order written', async () => {
    await serveUntilStarted(examples[0]!);
    for (const example of examples.slice(1)) {
      const line = scaledDown(example, folder);
      const run = spawnSync('bash', ['-c', line], { cwd: folder, env, encoding: 'utf8' });
      // stderr may carry a notice for the person at the terminal (public-key says where to keep the key),
      // never an error or a warning.
      const troubles = run.stderr.split('\n').filter((l) => /^(错误|警告|注意)|Error|error/.test(l));
      expect({ example, status: run.status, troubles }).toEqual({ example, status: 0, troubles: [] });
      // An example that writes its output to a file (`> 家庭.json`) prints nothing itself.
      if (!/ > \S+$/.test(line)) expect(run.stdout.length, example).toBeGreaterThan(0);
    }
  }, 900_000);
});
