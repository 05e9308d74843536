// Whether the compiled CLI (dist/cli, built by scripts/build-cli.mjs) may run: it may only while every
// source file it was built from is exactly as it was then. Plain JavaScript, so bin/minzheng can ask
// before anything is compiled; about a hundred and fifty stat calls, a millisecond or two.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const MANIFEST = 'build.json';

/** The compiled entry's file URL when it is current; undefined when it is missing or older than a source. */
export function compiledCli(outdir = join(projectRoot, 'dist', 'cli'), root = projectRoot) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(outdir, MANIFEST), 'utf8'));
  } catch {
    return undefined;
  }
  for (const [file, mtimeMs, size] of manifest.inputs) {
    let now;
    try {
      now = statSync(join(root, file));
    } catch {
      return undefined;
    }
    if (now.mtimeMs !== mtimeMs || now.size !== size) return undefined;
  }
  return pathToFileURL(join(outdir, manifest.entry)).href;
}
