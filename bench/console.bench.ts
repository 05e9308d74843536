/**
 * Console bundle size: gzipped JavaScript of the first load (the entry with its static imports plus the
 * login page, which is what a signed-out visitor downloads) and of each route on top of that.
 * Target: first load ≤ 1 MB of gzipped JavaScript.
 *
 *   npx tsx bench/console.bench.ts [--build]
 *
 * Reads web/dist (building it first when it is missing, or always with --build) and its Vite manifest.
 * Sizes are gzip level 6 (what nginx and @fastify/compress use by default); CSS is reported apart.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const DIST = resolve('web/dist');
const MANIFEST = join(DIST, '.vite', 'manifest.json');
const FIRST_LOAD_TARGET = 1024 * 1024;

/** Route → the page module(s) it loads (web/src/router/index.ts); every signed-in page also needs the layout. */
const ROUTES: { path: string; modules: string[] }[] = [
  { path: '/login', modules: ['web/src/views/login/index.vue'] },
  { path: '/dashboard', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/dashboard/index.vue'] },
  { path: '/persons', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/persons/list.vue'] },
  { path: '/persons/:id', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/persons/detail.vue'] },
  { path: '/households', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/households/list.vue'] },
  {
    path: '/households/:id',
    modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/households/detail.vue'],
  },
  { path: '/import', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/import/form.vue'] },
  { path: '/calculator', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/calculator/form.vue'] },
  { path: '/parameters', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/parameters/list.vue'] },
  { path: '/audit', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/audit/list.vue'] },
  { path: '/users', modules: ['web/src/layouts/BasicLayout.vue', 'web/src/views/users/list.vue'] },
];

function build(): void {
  const started = performance.now();
  const run = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error(`vite build failed (exit ${String(run.status)})`);
  process.stdout.write(`built web/dist in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/** The manifest key of a source module (keys are relative to the Vite root, web/). */
function keyOf(manifest: Manifest, module: string): string {
  const key = module.replace(/^web\//, '');
  if (!manifest[key]) throw new Error(`${module} is not in the Vite manifest: did the router change?`);
  return key;
}

/** The chunk and everything it imports statically (what the browser must fetch before it runs). */
function staticClosure(manifest: Manifest, keys: string[], into = new Set<string>()): Set<string> {
  for (const key of keys) {
    if (into.has(key)) continue;
    into.add(key);
    staticClosure(manifest, manifest[key]?.imports ?? [], into);
  }
  return into;
}

const gzipCache = new Map<string, { raw: number; gzip: number }>();
function sizeOf(file: string): { raw: number; gzip: number } {
  let size = gzipCache.get(file);
  if (!size) {
    const bytes = readFileSync(join(DIST, file));
    size = { raw: bytes.length, gzip: gzipSync(bytes, { level: 6 }).length };
    gzipCache.set(file, size);
  }
  return size;
}

function measure(
  manifest: Manifest,
  keys: Iterable<string>,
): { js: number; jsRaw: number; css: number; files: number } {
  const files = new Set<string>();
  const css = new Set<string>();
  for (const key of keys) {
    const chunk = manifest[key];
    if (!chunk) continue;
    files.add(chunk.file);
    for (const sheet of chunk.css ?? []) css.add(sheet);
  }
  let js = 0;
  let jsRaw = 0;
  for (const file of files) {
    const size = sizeOf(file);
    js += size.gzip;
    jsRaw += size.raw;
  }
  let cssBytes = 0;
  for (const file of css) cssBytes += sizeOf(file).gzip;
  return { js, jsRaw, css: cssBytes, files: files.size };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function main(): void {
  if (process.argv.includes('--build') || !existsSync(MANIFEST)) build();
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const entry = Object.keys(manifest).find((key) => manifest[key]?.isEntry);
  if (!entry) throw new Error('no entry chunk in the Vite manifest');

  const entryClosure = staticClosure(manifest, [entry]);
  const firstLoadKeys = staticClosure(
    manifest,
    [keyOf(manifest, 'web/src/views/login/index.vue')],
    new Set(entryClosure),
  );
  const first = measure(manifest, firstLoadKeys);

  process.stdout.write('console bundle (gzip level 6)\n');
  process.stdout.write(
    `first load (entry + login page): ${kb(first.js)} JS gzipped (${kb(first.jsRaw)} raw, ${first.files} files), ` +
      `${kb(first.css)} CSS gzipped; target ≤ ${kb(FIRST_LOAD_TARGET)}: ` +
      `${first.js <= FIRST_LOAD_TARGET ? 'met' : 'NOT met'} (${((first.js / FIRST_LOAD_TARGET) * 100).toFixed(1)}% of the budget)\n\n`,
  );
  process.stdout.write(
    `${'route'.padEnd(18)}${'JS gz total'.padStart(13)}${'JS gz added'.padStart(13)}${'CSS gz'.padStart(11)}\n`,
  );
  for (const route of ROUTES) {
    const keys = staticClosure(
      manifest,
      route.modules.map((module) => keyOf(manifest, module)),
      new Set(entryClosure),
    );
    const total = measure(manifest, keys);
    const added = measure(
      manifest,
      [...keys].filter((key) => !entryClosure.has(key)),
    );
    process.stdout.write(
      `${route.path.padEnd(18)}${kb(total.js).padStart(13)}${kb(added.js).padStart(13)}${kb(total.css).padStart(11)}\n`,
    );
  }
  const allJs = Object.values(manifest).reduce((files, chunk) => files.add(chunk.file), new Set<string>());
  const everything = [...allJs].reduce((sum, file) => sum + sizeOf(file).gzip, 0);
  process.stdout.write(`\nall JavaScript of the console: ${kb(everything)} gzipped in ${allJs.size} files\n`);
  if (first.js > FIRST_LOAD_TARGET) process.exitCode = 1;
}

main();
