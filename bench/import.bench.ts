/**
 * Roster import benchmark: `npx tsx bench/import.bench.ts [--rows N] [--pg URL] [--keep-file]`.
 * Builds an N-row .xlsx roster (default 100,000 persons, households of 2–3) with the streaming writer,
 * imports it into an empty store (PGlite in memory, or a fresh schema on the PostgreSQL server with
 * --pg), then re-imports it (refused: every row already registered) and exports it again.
 * Prints time per phase, rows/s, the ratio to the 20 s target and peak memory; asserts nothing on time.
 */
import { createWriteStream, statSync, unlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { ALL } from '../src/auth/scope.ts';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { createRosterWriter } from '../src/registry/export/roster-writer.ts';
import { exportHouseholds } from '../src/registry/export/export.service.ts';
import type { ImportProgress } from '../src/registry/import/import.service.ts';
import { importRoster, sampleHousehold } from '../src/registry/import/roster.fixtures.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const ROWS = Number(arg('--rows') ?? 100_000);
const PG_URL = arg('--pg');
const TARGET_S = 20;
const actor = { userId: 'bench', divisionCode: '310110', reason: '导入基准测试' };
const s = (ms: number) => (ms / 1000).toFixed(2);
const peakMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
/** CPU seconds of this process since `from` (less sensitive than wall time to other work on the machine). */
const cpuS = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return ((used.user + used.system) / 1e6).toFixed(2);
};
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US');

async function buildRoster(path: string): Promise<number> {
  const writer = createRosterWriter(path);
  let rows = 0;
  for (let n = 0; rows < ROWS; n++) {
    for (const row of sampleHousehold(n, undefined, 'B')) {
      if (rows === ROWS) break;
      writer.addRow(row);
      rows++;
    }
  }
  await writer.commit();
  return rows;
}

async function openStore(): Promise<{ store: Store; dispose: () => Promise<void> }> {
  if (!PG_URL) {
    const store = await openPglite();
    await store.migrate();
    return { store, dispose: () => store.close() };
  }
  const schema = `bench_import_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const store = openPostgres(PG_URL, { searchPath: schema, max: 2 });
  await store.migrate();
  return {
    store,
    dispose: async () => {
      await store.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}

const file = join(tmpdir(), `mz-import-bench-${ROWS}.xlsx`);
process.stdout.write(
  `import benchmark: ${ROWS.toLocaleString('en-US')} rows, ${PG_URL ? 'PostgreSQL' : 'PGlite'}, ` +
    `${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at start\n`,
);
let t0 = performance.now();
const cpuBuild = process.cpuUsage();
const built = await buildRoster(file);
const buildMs = performance.now() - t0;
process.stdout.write(
  `build   ${s(buildMs)} s  ${built} rows → ${(statSync(file).size / 1e6).toFixed(1)} MB xlsx ` +
    `(${rate(built, buildMs)} rows/s; CPU ${cpuS(cpuBuild)} s)\n`,
);

const { store, dispose } = await openStore();
try {
  const phases: Partial<Record<ImportProgress['phase'], number>> = {};
  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  const report = await importRoster(store, file, {
    scope: ALL,
    actor,
    onProgress: (p) => {
      if (p.phase !== 'read') phases[p.phase] ??= performance.now() - t0;
    },
  });
  const importMs = performance.now() - t0;
  if (!report.ok) throw new Error(`import refused: ${JSON.stringify(report.errors.slice(0, 5))}`);
  const read = phases.check ?? 0;
  const check = (phases.write ?? read) - read;
  const write = (phases.done ?? importMs) - (phases.write ?? read);
  process.stdout.write(
    `import  ${s(importMs)} s  ${report.persons} persons, ${report.households} households ` +
      `(${rate(report.rows, importMs)} rows/s; target ≤ ${TARGET_S} s, ratio ${(importMs / 1000 / TARGET_S).toFixed(2)}; ` +
      `CPU ${cpuS(cpu0)} s in this process)\n` +
      `        read+validate ${s(read)} s, duplicate checks ${s(check)} s, COPY+audit+analyze ${s(write)} s, ` +
      `peak RSS ${peakMb()} MB\n`,
  );

  const againPhases: Partial<Record<ImportProgress['phase'], number>> = {};
  const cpu1 = process.cpuUsage();
  t0 = performance.now();
  const again = await importRoster(store, file, {
    scope: ALL,
    actor,
    dryRun: true,
    onProgress: (p) => {
      if (p.phase !== 'read') againPhases[p.phase] ??= performance.now() - t0;
    },
  });
  const againMs = performance.now() - t0;
  process.stdout.write(
    `re-import (dry run) ${s(againMs)} s: refused with ${again.errorCount} errors ` +
      `(${rate(again.rows, againMs)} rows/s; read+validate ${s(againPhases.check ?? 0)} s, ` +
      `duplicate checks ${s(againMs - (againPhases.check ?? 0))} s; CPU ${cpuS(cpu1)} s), peak RSS ${peakMb()} MB\n`,
  );

  const out = join(tmpdir(), `mz-export-bench-${ROWS}.xlsx`);
  const cpu2 = process.cpuUsage();
  t0 = performance.now();
  const stream = createWriteStream(out);
  const exported = await exportHouseholds(store, {}, { scope: ALL, unmask: true, actor }, stream);
  await finished(stream);
  const exportMs = performance.now() - t0;
  process.stdout.write(
    `export  ${s(exportMs)} s  ${exported.persons} persons (${rate(exported.persons, exportMs)} rows/s), ` +
      `${(statSync(out).size / 1e6).toFixed(1)} MB, CPU ${cpuS(cpu2)} s, peak RSS ${peakMb()} MB (process-wide)\n`,
  );
  unlinkSync(out);
} finally {
  await dispose();
  if (!process.argv.includes('--keep-file')) unlinkSync(file);
}
process.stdout.write(`load average ${loadavg()[0]!.toFixed(1)} at end\n`);
