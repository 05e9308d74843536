import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../scripts/build-cli.mjs';
import { compiledCli, MANIFEST, projectRoot } from '../scripts/cli-build-state.mjs';
import { PARALLEL_MIN_BYTES } from '../src/policy/engine/jsonl-parallel.ts';
import { sharedFile } from './support/shared.ts';

/**
 * The compiled CLI (scripts/build-cli.mjs, run at install) against the sources it was built from: it
 * must say the same, load the command groups lazily, and never run once a source has changed.
 */
// Inside the project, so that the build finds node_modules as dist/cli does.
const cache = join(projectRoot, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const work = mkdtempSync(join(cache, 'mz-cli-build-'));
const outdir = join(work, 'cli');
let metafile: Metafile;

const household = join(work, 'household.json');
writeFileSync(
  household,
  JSON.stringify({
    month: '2022-08',
    household: {
      members: [
        { id: 'm1', birthDate: '1978-04-12', wageFen: 300000 },
        { id: 'm2', birthDate: '2009-06-01' },
      ],
    },
  }),
);

function run(entry: string[], args: string[]) {
  const result = spawnSync(process.execPath, [...entry, ...args], { encoding: 'utf8', cwd: projectRoot });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const compiled = (...args: string[]) => run([join(outdir, 'main.js')], args);
const fromSources = (...args: string[]) =>
  run(['--import', 'tsx', join(projectRoot, 'src/cli/main.ts')], args);

/** Every package and source file an output loads before it runs (static imports, through chunks). */
function staticClosure(output: string): { packages: Set<string>; sources: Set<string> } {
  const packages = new Set<string>();
  const sources = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const out = metafile.outputs[name];
    if (!out) return;
    for (const source of Object.keys(out.inputs)) sources.add(source);
    for (const im of out.imports) {
      if (im.kind !== 'import-statement') continue;
      if (im.external) packages.add(im.path);
      else visit(im.path);
    }
  };
  visit(output);
  return { packages, sources };
}

/** The output built from a source (the build wrote to a staging folder: names say so). */
const outputOf = (source: string) =>
  Object.keys(metafile.outputs).find((name) => Object.keys(metafile.outputs[name]!.inputs).includes(source));
const HEAVY = [
  '@electric-sql/pglite',
  'pg',
  'pg-copy-streams',
  'drizzle-orm',
  'exceljs',
  'fastify',
  '@node-rs/argon2',
];

beforeAll(async () => {
  ({ metafile } = await buildCli({ outdir }));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the compiled CLI', () => {
  it('says what the sources say: --version, --help, calc (its parameter files found in src/)', () => {
    const version = (
      JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }
    ).version;
    expect(compiled('--version')).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
    const help = compiled('--help');
    expect(help).toEqual(fromSources('--help'));
    expect(help.stdout).toMatch(/^用法： minzheng \[选项\] \[命令\]/);
    const calc = compiled('calc', '--file', household, '--explain');
    expect(calc.stderr).toBe('');
    expect(calc).toEqual(fromSources('calc', '--file', household, '--explain'));
    expect((JSON.parse(calc.stdout) as { results: unknown[] }).results.length).toBeGreaterThan(10);
  }, 120_000);

  it('reads a batch file above the parallel threshold with its compiled worker, as the sources do', () => {
    expect(Object.keys(metafile.outputs).some((name) => name.endsWith('/jsonl.worker.js'))).toBe(true);
    const file = join(work, 'hh12k.jsonl');
    const gen = spawnSync('python3', [sharedFile('bench/gen_households.py'), '12000', '20220801', file]);
    expect(gen.status).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(PARALLEL_MIN_BYTES); // so both read it with workers
    const args = ['simulate', '--month', '2022-08', '--households', file, '--json'];
    const batch = compiled(...args);
    expect(batch.stderr).toBe('');
    expect(batch).toEqual(fromSources(...args));
    expect((JSON.parse(batch.stdout) as { households: number }).households).toBe(12000);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[11000] = '{"month":"2022-08"}';
    writeFileSync(file, lines.join('\n'));
    const bad = compiled(...args);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('第 11001 行 household：缺少 household (required)');
    expect(bad).toEqual(fromSources(...args));
  }, 120_000);

  it('loads no command group for --help, and for calc only the engine: no database, Excel or HTTP', () => {
    const main = staticClosure(outputOf('src/cli/main.ts')!);
    expect([...main.packages].filter((p) => !p.startsWith('node:')).sort()).toEqual([
      'commander',
      'string-width',
    ]);
    expect([...main.sources].filter((s) => !s.startsWith('src/cli/'))).toEqual([]);

    const calcChunk = outputOf('src/cli/policy.command.ts');
    expect(calcChunk).toBeDefined();
    const calc = staticClosure(calcChunk!);
    for (const heavy of HEAVY) expect(calc.packages).not.toContain(heavy);
    expect([...calc.sources].filter((s) => s.startsWith('src/db/') || s.startsWith('src/registry/'))).toEqual(
      [],
    );
  });
});

describe('compiledCli', () => {
  it('answers the compiled entry only while every source it was built from is unchanged', () => {
    const root = mkdtempSync(join(work, 'state-'));
    const out = join(root, 'dist');
    mkdirSync(join(root, 'src'));
    mkdirSync(out);
    const source = join(root, 'src', 'a.ts');
    writeFileSync(source, 'export const a = 1;\n');
    const manifest = () => {
      const { mtimeMs, size } = statSync(source);
      writeFileSync(
        join(out, MANIFEST),
        JSON.stringify({ entry: 'main.js', inputs: [['src/a.ts', mtimeMs, size]] }),
      );
    };
    expect(compiledCli(out, root)).toBeUndefined(); // never built

    manifest();
    expect(compiledCli(out, root)).toBe(`file://${join(out, 'main.js')}`);

    const later = new Date(statSync(source).mtimeMs + 5_000);
    utimesSync(source, later, later); // a git pull or an edit
    expect(compiledCli(out, root)).toBeUndefined();

    manifest();
    writeFileSync(source, 'export const a = 2;\n// longer\n');
    utimesSync(source, later, later); // same time, other content
    expect(compiledCli(out, root)).toBeUndefined();

    manifest();
    rmSync(source);
    expect(compiledCli(out, root)).toBeUndefined();
  });
});
