import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Vitest globalSetup of the e2e project: the browser tests run against web/dist, so build the console
 * first when web/dist is missing or older than any of its sources.
 */
const WEB = resolve('web');
const DIST_INDEX = join(WEB, 'dist', 'index.html');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestMtime(join(path, entry))),
    stat.mtimeMs,
  );
}

export function consoleIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const sources = [join(WEB, 'src'), join(WEB, 'index.html'), join(WEB, 'vite.config.ts')];
  const newestSource = Math.max(...sources.map(newestMtime));
  return newestSource > statSync(DIST_INDEX).mtimeMs;
}

export default function setup(): void {
  if (!consoleIsStale()) return;
  process.stdout.write('e2e：控制台源码比 web/dist 新，正在构建……\n');
  const result = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`控制台构建失败（退出码 ${String(result.status)}）`);
}
