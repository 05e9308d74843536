/**
 * Batch input benchmark (issue 12 item 6): `npx tsx bench/simulate-file.bench.ts [--households N]
 * [--file F] [--runs R]`. End to end, each in a process of its own under /usr/bin/time, alternating so
 * that both see the same load: the hand-written single-threaded parse + dibao loop
 * (bench/policy/hand-file.mjs, plain node) against `minzheng simulate --households` (all 15 programs,
 * worker threads, the compiled CLI). Prints both wall times, their ratio (target ≤ 1), both peak RSS
 * (target ≤ 450 MB for 1,000,000 households), the load average, and checks the totals against
 * shared/bench/README.md and every program's totals against the single-threaded reader in this process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../scripts/build-cli.mjs';
import { compiledCli } from '../scripts/cli-build-state.mjs';
import { parseMonth } from '../src/policy/engine/month.ts';
import { baselineParameters } from '../src/policy/engine/parameter-store.ts';
import { P } from '../src/policy/engine/parameters.ts';
import type { ProgramTotals } from '../src/policy/engine/simulate.ts';
import { simulateJsonl } from '../src/policy/engine/simulate-file.ts';
import { sharedFile } from '../test/support/shared.ts';
import type { DibaoNumbers } from './policy/reference.ts';

const MONTH = '2022-08';
/** shared/bench/README.md: households → [dibao households, dibao fen]. */
const EXPECTED: Record<number, [number, number]> = {
  20000: [2898, 757941494],
  100000: [14463, 3778285521],
  1000000: [146214, 38117036054],
};
const root = fileURLToPath(new URL('..', import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const households = Number(arg('--households') ?? 1_000_000);
const runs = Number(arg('--runs') ?? 3);
const file =
  arg('--file') ?? (households === 1_000_000 ? '/tmp/hh1m.jsonl' : `/tmp/mz-policy-hh${households}.jsonl`);
if (!existsSync(file)) {
  process.stdout.write(`generating ${households} households into ${file} …\n`);
  const gen = spawnSync(
    'python3',
    [sharedFile('bench/gen_households.py'), String(households), '20220801', file],
    {
      stdio: 'inherit',
    },
  );
  if (gen.status !== 0) process.exit(1);
}
if (!compiledCli()) {
  process.stdout.write('compiling the CLI (npm run build:cli) …\n');
  await buildCli();
}

const month = parseMonth(MONTH);
const store = baselineParameters();
const v = (h: { path: string }): number => store.resolve(h.path, month).entry?.value ?? NaN;
const k: DibaoNumbers = {
  standard: v(P.dibao.standard),
  standardMinor: v(P.dibao.standard_minor),
  minorMaxAge: v(P.dibao.minor_max_age),
  exemption: v(P.dibao.employment_exemption),
  limitBig: v(P.dibao.asset_limit.monetary_per_capita),
  limitSmall: v(P.dibao.asset_limit.monetary_per_capita_small_household),
  smallMax: v(P.dibao.asset_limit.small_household_max_size),
  maxVehicles: v(P.dibao.max_vehicles),
  maxHomes: v(P.dibao.max_homes),
  maxHomesSmall: v(P.dibao.max_homes_small_area),
};

interface Run {
  seconds: number;
  /** user + system CPU seconds, all threads: the figure the machine's load changes least */
  cpu: number;
  peakMb: number;
  stdout: string;
}

/** One process, end to end, under /usr/bin/time: wall seconds and peak RSS. */
function timed(command: string[]): Run {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', ...command], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed: ${run.stderr}`);
  const [seconds, kb, user, system] = (run.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return {
    seconds: seconds ?? NaN,
    cpu: (user ?? NaN) + (system ?? NaN),
    peakMb: (kb ?? NaN) / 1024,
    stdout: run.stdout,
  };
}

const hand = ['node', 'bench/policy/hand-file.mjs', file, String(month.lastDayKey), JSON.stringify(k)];
const ours = ['node', 'bin/minzheng', 'simulate', '--month', MONTH, '--households', file, '--json'];
const handRuns: Run[] = [];
const ourRuns: Run[] = [];
const loads: number[] = [];
for (let r = 0; r < runs; r++) {
  loads.push(loadavg()[0] ?? NaN);
  handRuns.push(timed(hand));
  ourRuns.push(timed(ours));
}
loads.push(loadavg()[0] ?? NaN);

const handTotals = JSON.parse(handRuns[0]?.stdout ?? '{}') as { households: number; costFen: number };
const ourJson = JSON.parse(ourRuns[0]?.stdout ?? '{}') as { households: number; totals: ProgramTotals[] };
const dibao = ourJson.totals.find((t) => t.program === 'dibao');
const expected = EXPECTED[ourJson.households];
const readmeOk = expected ? dibao?.households === expected[0] && dibao.costFen === expected[1] : undefined;
const handOk = dibao?.households === handTotals.households && dibao.costFen === handTotals.costFen;
const single = (await simulateJsonl(file, MONTH, { workers: 1 })).baseline;
const singleOk = JSON.stringify(single) === JSON.stringify(ourJson.totals);

const best = (rs: Run[], f: (r: Run) => number): number => Math.min(...rs.map(f));
const handBest = best(handRuns, (r) => r.seconds);
const ourBest = best(ourRuns, (r) => r.seconds);
const pairRatios = ourRuns.map((r, i) => r.seconds / (handRuns[i]?.seconds ?? NaN));
const ourPeak = Math.max(...ourRuns.map((r) => r.peakMb));
const handPeak = Math.max(...handRuns.map((r) => r.peakMb));
const s = (x: number): string => `${x.toFixed(2)} s`;

const rows: [string, string, string][] = [
  ['households', String(ourJson.households), file],
  [
    'hand loop, parse + dibao, 1 thread (best)',
    s(handBest),
    `runs: ${handRuns.map((r) => s(r.seconds)).join(', ')}`,
  ],
  [
    'minzheng simulate, all 15 programs (best)',
    s(ourBest),
    `runs: ${ourRuns.map((r) => s(r.seconds)).join(', ')}`,
  ],
  ['ours / hand loop (best / best)', `${(ourBest / handBest).toFixed(2)}×`, 'target ≤ 1'],
  [
    'ours / hand loop (run by run)',
    pairRatios.map((x) => `${x.toFixed(2)}×`).join(' '),
    'same load for each pair',
  ],
  [
    'CPU seconds (user + system), hand / ours',
    `${s(best(handRuns, (r) => r.cpu))} / ${s(best(ourRuns, (r) => r.cpu))}`,
    'least of the runs; ours on every thread',
  ],
  ['peak RSS, ours (max of runs)', `${ourPeak.toFixed(0)} MB`, 'target ≤ 450 MB (1M)'],
  ['peak RSS, hand loop', `${handPeak.toFixed(0)} MB`, ''],
  ['load average (1 min) before runs / after', loads.map((x) => x.toFixed(2)).join(' '), '2 cores'],
  [
    'dibao households / fen',
    `${dibao?.households} / ${dibao?.costFen}`,
    expected
      ? `bench/README: ${expected[0]} / ${expected[1]} → ${readmeOk ? 'OK' : 'MISMATCH'}`
      : 'no reference for this size',
  ],
  ['hand loop dibao', `${handTotals.households} / ${handTotals.costFen}`, handOk ? 'same → OK' : 'MISMATCH'],
  ['all 15 programs vs one thread', singleOk ? 'identical' : 'DIFFERENT', 'simulateJsonl workers: 1'],
];
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
process.stdout.write(`batch input benchmark — month ${MONTH}, node ${process.version}\n`);
for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}\n`);
if (readmeOk === false || !handOk || !singleOk) process.exitCode = 1;
