import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepUploads } from '../registry/import/upload-folder.ts';
import { filesFolder } from './file-store.ts';
import { stagingFolder } from './staging.ts';

/**
 * Crash safety with real processes killed by SIGKILL (files.crash.child.ts): an upload cut off while it is
 * staged leaves a file the next start sweeps; a store killed while it writes contents never leaves a
 * partial content under a final name.
 */
const child = new URL('./files.crash.child.ts', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'mz-files-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the child until `until` accepts one of its lines, then kills it with SIGKILL; returns that line. */
async function killWhen(dataDir: string, mode: 'stage' | 'put', until: (line: string) => boolean) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    proc.on('exit', (_code, signal) => done(signal)),
  );
  let seen = '';
  for await (const line of createInterface({ input: proc.stdout })) {
    if (until(line)) {
      seen = line;
      proc.kill('SIGKILL');
      break;
    }
  }
  expect(await exited).toBe('SIGKILL');
  return seen;
}

describe('files: crash safety', () => {
  it('an upload cut off by a killed process is left in the staging folder only, and swept at the next start', async () => {
    const dataDir = join(root, 'stage');
    const line = await killWhen(dataDir, 'stage', (l) => l.startsWith('staging '));
    const path = line.slice('staging '.length);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(filesFolder({ MINZHENG_DATA_DIR: dataDir, MINZHENG_FILES_DIR: undefined }))).toBe(
      false,
    );
    expect(await sweepUploads(stagingFolder(dataDir))).toBe(1);
    expect(readdirSync(stagingFolder(dataDir))).toEqual([]);
  });

  it('a store killed while writing contents leaves every content under its name complete', async () => {
    const dataDir = join(root, 'put');
    // Killed at a moment that differs from run to run: after some number of contents, mid-way into the next.
    const target = 5 + Math.floor(Math.random() * 20);
    await killWhen(dataDir, 'put', (l) => l === `stored ${target}`);
    const files = filesFolder({ MINZHENG_DATA_DIR: dataDir, MINZHENG_FILES_DIR: undefined });
    const stored = readdirSync(files, { recursive: true, encoding: 'utf8' }).filter((p) =>
      /[0-9a-f]{64}$/.test(p),
    );
    expect(stored.length).toBeGreaterThan(target);
    for (const relative of stored) {
      const content = readFileSync(join(files, relative));
      expect(createHash('sha256').update(content).digest('hex')).toBe(basename(relative));
    }
    // What the killed process had staged and not yet stored is swept like any upload.
    await sweepUploads(stagingFolder(dataDir));
    expect(readdirSync(stagingFolder(dataDir))).toEqual([]);
  });
});
