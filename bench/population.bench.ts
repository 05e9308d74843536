/**
 * Synthetic population benchmark:
 *   npx tsx bench/population.bench.ts [--persons N] [--target pglite|postgres|csv|all] [--sample-every N]
 *
 * - postgres: generate + COPY N persons (default 1,000,000) into a fresh schema on the server of
 *   BENCH_DATABASE_URL or TEST_DATABASE_URL (target ≤ 15 s), then drop the schema;
 * - pglite:   the same into a PGlite data folder under the OS temp dir (target ≤ 30 s);
 * - csv:      write the three CSV files for N persons (run it with --persons 25000000 for the memory
 *   target: peak RSS < 1 GB) in a CHILD process, which samples its RSS every --sample-every persons so
 *   the output shows whether memory stays flat.
 * Each run prints persons/s, peak RSS (sampled every 100 ms) and the kernel's maxRSS, and the load
 * average before and after (the machine is shared; read the figures with it).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { selectRows } from '../src/db/sql.ts';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { loadDemoPopulation, REBUILD_INDEXES_FROM_PERSONS } from '../src/demo/demo.service.ts';
import { writePopulationCsv } from '../src/demo/population-sink.ts';

type Target = 'pglite' | 'postgres' | 'csv';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const persons = Number(arg('persons') ?? 1_000_000);
const targetArg = arg('target') ?? 'all';
const sampleEvery = Number(arg('sample-every') ?? 1_000_000);
const MB = 1024 * 1024;
const APPLICATION_NAME = 'minzheng_population_bench';

function memorySampler(): { stop: () => { peakRssMb: number; maxRssMb: number } } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      // resourceUsage().maxRSS is in kilobytes.
      return { peakRssMb: peak / MB, maxRssMb: process.resourceUsage().maxRSS / 1024 };
    },
  };
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function report(target: Target, seconds: number, extra: Record<string, string | number>): void {
  const rate = Math.round(persons / seconds);
  const fields = Object.entries(extra).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(
    `[${target}] persons=${persons} seconds=${seconds.toFixed(2)} persons_per_s=${rate} ${fields.join(' ')}\n`,
  );
}

/** CPU seconds used so far by PostgreSQL backends of this benchmark (server on this machine, Linux). */
async function serverCpuSeconds(store: Store): Promise<number | undefined> {
  if (store.kind !== 'postgres') return undefined;
  const backends = await selectRows<{ pid: number }>(
    store.db,
    sql`select pid from pg_stat_activity where application_name = ${APPLICATION_NAME}`,
  );
  let ticks = 0;
  for (const { pid } of backends) {
    try {
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return undefined;
    }
  }
  return ticks / 100;
}

async function timedLoad(target: 'pglite' | 'postgres', store: Store): Promise<void> {
  await store.migrate();
  const loadBefore = load();
  const mem = memorySampler();
  const serverBefore = await serverCpuSeconds(store);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // Phase ends, from the load's progress events: the rows are in, then the indexes are built.
  const phase = { rowsIn: 0, indexed: 0 };
  const summary = await loadDemoPopulation(
    store,
    { persons, seed: 'bench' },
    {
      onProgress: (stage) => {
        if (stage === 'persons') phase.rowsIn = performance.now();
        else phase.indexed = performance.now();
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = await serverCpuSeconds(store);
  const m = mem.stop();
  const goal = target === 'postgres' ? 15 : 30;
  report(target, seconds, {
    households: summary.households,
    client_cpu_s: ((cpu.user + cpu.system) / 1e6).toFixed(1),
    server_cpu_s:
      serverBefore === undefined || serverAfter === undefined
        ? 'n/a'
        : (serverAfter - serverBefore).toFixed(1),
    generate_copy_s: ((phase.rowsIn - started) / 1000).toFixed(1),
    index_s: ((phase.indexed - phase.rowsIn) / 1000).toFixed(1),
    vacuum_analyze_s: (seconds - (phase.indexed - started) / 1000).toFixed(1),
    peak_rss_mb: m.peakRssMb.toFixed(0),
    max_rss_mb: m.maxRssMb.toFixed(0),
    target_s: goal,
    ratio_to_target: (seconds / goal).toFixed(2),
    indexes_rebuilt: persons >= REBUILD_INDEXES_FROM_PERSONS ? 'yes' : 'no',
    load_before: `"${loadBefore}"`,
    load_after: `"${load()}"`,
  });
}

async function benchPostgres(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) {
    process.stdout.write('[postgres] skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL\n');
    return;
  }
  const schema = `bench_pop_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const separator = url.includes('?') ? '&' : '?';
  const store = openPostgres(`${url}${separator}application_name=${APPLICATION_NAME}`, {
    searchPath: schema,
    max: 2,
  });
  try {
    await timedLoad('postgres', store);
  } finally {
    await store.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

async function benchPglite(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-pglite-'));
  const store = await openPglite(dir);
  try {
    await timedLoad('pglite', store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** In the child: write the CSV files, printing RSS every `sampleEvery` persons, then a JSON summary. */
async function csvChild(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-csv-'));
  const mem = memorySampler();
  const started = performance.now();
  let next = sampleEvery;
  try {
    await writePopulationCsv(dir, { persons, seed: 'bench' }, (done) => {
      if (done >= next) {
        process.stdout.write(
          `  ${done} persons: rss=${(process.memoryUsage().rss / MB).toFixed(0)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
        next += sampleEvery;
      }
    });
    const seconds = (performance.now() - started) / 1000;
    let bytes = 0;
    for (const f of await readdir(dir)) bytes += (await stat(join(dir, f))).size;
    const m = mem.stop();
    const cpu = process.cpuUsage();
    process.stdout.write(
      `RESULT ${JSON.stringify({ seconds, bytes, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...m })}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchCsv(): Promise<void> {
  const loadBefore = load();
  const self = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      self,
      '--csv-child',
      '--persons',
      String(persons),
      '--sample-every',
      String(sampleEvery),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let result:
    { seconds: number; bytes: number; cpuSeconds: number; peakRssMb: number; maxRssMb: number } | undefined;
  child.stdout.setEncoding('utf8');
  let buffered = '';
  child.stdout.on('data', (text: string) => {
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7)) as typeof result;
      else process.stdout.write(`${line}\n`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0 || !result) throw new Error(`csv child failed (exit ${String(code)})`);
  report('csv', result.seconds, {
    csv_mb: (result.bytes / MB).toFixed(0),
    child_cpu_s: result.cpuSeconds.toFixed(1),
    child_peak_rss_mb: result.peakRssMb.toFixed(0),
    child_max_rss_mb: result.maxRssMb.toFixed(0),
    memory_target_mb: 1024,
    ratio_to_target: (result.maxRssMb / 1024).toFixed(2),
    load_before: `"${loadBefore}"`,
    load_after: `"${load()}"`,
  });
}

if (process.argv.includes('--csv-child')) {
  await csvChild();
} else {
  process.stdout.write(`population bench: ${cpus().length} cores, node ${process.version}, load ${load()}\n`);
  const targets: Target[] = targetArg === 'all' ? ['postgres', 'pglite', 'csv'] : [targetArg as Target];
  for (const target of targets) {
    if (target === 'postgres') await benchPostgres();
    else if (target === 'pglite') await benchPglite();
    else if (target === 'csv') await benchCsv();
    else throw new Error(`unknown --target ${String(target)}`);
  }
}
