#!/usr/bin/env node
// Compiles the CLI once, at install (npm's `prepare`) or by `npm run build:cli`, into dist/cli: one
// bundle of src/ with a chunk per lazily loaded command group, npm packages (but zod) loaded from
// node_modules. Starting compiled JavaScript instead of compiling the TypeScript at every start takes
// `minzheng --help` from about 1.8 s to a tenth of that. bin/minzheng runs it only while no source has
// changed since (cli-build-state.mjs); otherwise it runs the sources through tsx.
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { MANIFEST, projectRoot } from './cli-build-state.mjs';

/**
 * Modules find their data files (parameters, migrations, divisions) relative to their own URL. In a
 * bundle every module shares the bundle's URL, so each module's `import.meta.url` is pointed back at its
 * source file; the data files are then read from src/ as they are, never from a stale copy.
 */
function sourceLocations(outdir) {
  return {
    name: 'source-locations',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const source = relative(outdir, args.path).split(sep).join('/');
        const url = `new URL(${JSON.stringify(source)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

/**
 * npm packages stay in node_modules, except zod and the Fastify provider that uses it: zod's hundred
 * module files cost a one-household `calc` about a fifth of its start, bundled they load as one. Both go
 * in together, so that everything in the compiled CLI shares one zod.
 */
const BUNDLED = /^(zod|fastify-type-provider-zod)(\/|$)/;

/**
 * zod's namespace object carries every translation of its messages (`z.locales`, 64 files, most of the
 * 760 KB zod chunk that `calc` parses at each start). The CLI uses none of them (our messages are our
 * own), so the compiled CLI gets only the English one zod configures itself with.
 */
function zodWithoutLocales() {
  return {
    name: 'zod-without-locales',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        args.importer.includes(`${sep}zod${sep}`) ? { path: args.path, namespace: 'zod-locales' } : undefined,
      );
      esbuild.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
        contents: "export { default as en } from 'zod/v4/locales/en.js';",
        resolveDir: projectRoot,
        loader: 'js',
      }));
    },
  };
}

/** The compiled batch-reader worker, beside main.js (src/policy/engine/jsonl-parallel.ts starts it). */
const JSONL_WORKER = 'jsonl.worker';

function packagesExternal() {
  return {
    name: 'packages-external',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^[^./]/ }, (args) =>
        BUNDLED.test(args.path) ? undefined : { path: args.path, external: true },
      );
    },
  };
}

/** Modification time and size of every TypeScript file under src/, before the build reads any. */
async function sourceStats(root) {
  const stats = new Map();
  for (const file of await readdir(join(root, 'src'), { recursive: true })) {
    if (!file.endsWith('.ts')) continue;
    const path = `src/${file.split(sep).join('/')}`;
    const s = await stat(join(root, path));
    stats.set(path, [s.mtimeMs, s.size]);
  }
  return stats;
}

export async function buildCli({ root = projectRoot, outdir = join(root, 'dist', 'cli') } = {}) {
  const before = await sourceStats(root);
  const staging = `${outdir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    // the batch reader's worker thread is an entry of its own: a worker starts from a file
    entryPoints: { main: 'src/cli/main.ts', [JSONL_WORKER]: 'src/policy/engine/jsonl.worker.ts' },
    define: { MZ_COMPILED_JSONL_WORKER: JSON.stringify(`${JSONL_WORKER}.js`) },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    plugins: [sourceLocations(outdir), zodWithoutLocales(), packagesExternal()],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((file) => !file.includes('node_modules/') && !file.startsWith('zod-locales:'))
    .sort()
    .map((file) => {
      const seen = before.get(file);
      if (!seen) throw new Error(`${file} 不在 src/ 下或在编译期间新建`);
      return [file, ...seen];
    });
  await writeFile(join(staging, MANIFEST), JSON.stringify({ entry: 'main.js', inputs }));
  // Whole folders are swapped, so that a CLI starting meanwhile sees the old build or the new, not a mix.
  const old = `${outdir}.old-${process.pid}`;
  await rename(outdir, old).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(staging, outdir);
  await rm(old, { recursive: true, force: true });
  return { outdir, inputs: inputs.length, metafile: result.metafile };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  try {
    const { outdir, inputs } = await buildCli();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`已编译命令行：${relative(projectRoot, outdir)}（${inputs} 个源文件，${seconds} 秒）`);
  } catch (error) {
    // At install (`prepare`, with --if-possible) a failed build must not fail the installation: the CLI
    // then runs from the sources, slower to start but the same.
    if (!process.argv.includes('--if-possible')) throw error;
    const [first] = error?.errors ?? [];
    const why = first ? `${first.location?.file ?? ''}：${first.text}` : String(error?.message ?? error);
    console.warn(`警告：命令行未能编译（${why}），将直接运行源码，启动较慢；修正后运行 npm run build:cli`);
  }
}
