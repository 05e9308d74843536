import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A file of the project's shared folder (the benchmark generator and its totals). It sits beside
 * the repository (../shared) on a developer's checkout and at /work/shared on the project's
 * machines, where a CI clone may live elsewhere; MINZHENG_SHARED_DIR overrides both.
 */
export function sharedFile(relative: string): string {
  const candidates = [
    process.env.MINZHENG_SHARED_DIR,
    fileURLToPath(new URL('../../../shared', import.meta.url)),
    '/work/shared',
  ].filter((dir): dir is string => Boolean(dir));
  for (const dir of candidates) {
    const path = `${dir}/${relative}`;
    if (existsSync(path)) return path;
  }
  throw new Error(
    `找不到共享文件 ${relative}（已查找：${candidates.join('，')}；可用 MINZHENG_SHARED_DIR 指定）`,
  );
}
