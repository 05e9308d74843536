/**
 * Policy engine benchmark: `npx tsx bench/policy.bench.ts [--households N] [--file F]`.
 * Reads the gen_households.py file (generated if absent), then reports parse time, compute time for
 * all programs and for dibao alone, a hand-written typed-array dibao loop as the baseline (ratio target
 * ≤ 3×), single-household all-programs latency (target ≤ 0.2 ms), peak memory (target ≤ 500 MB for
 * 1,000,000 households) and checks the dibao totals against shared/bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { parseMonth } from '../src/policy/engine/month.ts';
import { baselineParameters } from '../src/policy/engine/parameter-store.ts';
import { P } from '../src/policy/engine/parameters.ts';
import { workerCount } from '../src/policy/engine/jsonl-parallel.ts';
import { readJsonlPopulation } from '../src/policy/engine/population-source.ts';
import { simulate } from '../src/policy/engine/simulate.ts';
import { checkHouseholdRequest } from '../src/policy/household.validate.ts';
import type { PolicyHouseholdInput } from '../src/policy/household.ts';
import { evaluateHousehold } from '../src/policy/index.ts';
import { sharedFile } from '../test/support/shared.ts';
import { handDibao, type DibaoNumbers } from './policy/reference.ts';

const GENERATOR = sharedFile('bench/gen_households.py');
const MONTH = '2022-08';
/** shared/bench/README.md: households → [dibao households, dibao fen]. */
const EXPECTED: Record<number, [number, number]> = {
  20000: [2898, 757941494],
  100000: [14463, 3778285521],
  1000000: [146214, 38117036054],
};
/** shared/bench/README.md reference figures for 1,000,000 households, dibao only. */
const REFERENCE = {
  openfiscaComputeS: 0.51,
  openfiscaParseS: 7.9,
  openfiscaPeakMb: 866,
  nodeLoopComputeS: 0.043,
  nodeLoopParseS: 4.6,
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const households = Number(arg('--households') ?? 1_000_000);
const file =
  arg('--file') ?? (households === 1_000_000 ? '/tmp/hh1m.jsonl' : `/tmp/mz-policy-hh${households}.jsonl`);
const ms = (t0: number): number => performance.now() - t0;
const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
const peakMb = (): number => process.resourceUsage().maxRSS / 1024;

if (!existsSync(file)) {
  process.stdout.write(`generating ${households} households into ${file} …\n`);
  const gen = spawnSync('python3', [GENERATOR, String(households), '20220801', file], { stdio: 'inherit' });
  if (gen.status !== 0) process.exit(1);
}

const month = parseMonth(MONTH);
const store = baselineParameters();

let t = performance.now();
const pop = await readJsonlPopulation(file, MONTH);
const parseMs = ms(t);
const afterParse = process.memoryUsage();

function best<T>(runs: number, f: () => T): { ms: number; value: T } {
  let bestMs = Infinity;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = f();
    bestMs = Math.min(bestMs, ms(t0));
  }
  return { ms: bestMs, value: value as T };
}

// the batch job: parse (above) + one run of every program; its peak memory is the figure that counts
t = performance.now();
simulate(pop, month, store);
const firstAllMs = ms(t);
const peakBatch = peakMb();
const all = best(3, () => simulate(pop, month, store));
const dibaoOnly = best(5, () => simulate(pop, month, store, ['dibao']));
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
const hand = best(5, () => handDibao(pop, month.lastDayKey, k));
const peakAll = peakMb();

// single household: the first 2,000 households of the file, each evaluated alone for all programs
const head = Buffer.alloc(8 << 20);
const fd = openSync(file, 'r');
const got = readSync(fd, head, 0, head.length, 0);
closeSync(fd);
const sample: PolicyHouseholdInput[] = head
  .subarray(0, got)
  .toString('utf8')
  .split('\n')
  .slice(0, 2000)
  .filter((line) => line.length > 0 && line.endsWith('}'))
  .map((line) => checkHouseholdRequest(JSON.parse(line), MONTH).household);
for (const hh of sample.slice(0, 500)) evaluateHousehold(hh, MONTH); // warm-up
t = performance.now();
const rounds = 5;
for (let r = 0; r < rounds; r++) for (const hh of sample) evaluateHousehold(hh, MONTH);
const singleMs = ms(t) / (rounds * sample.length);
t = performance.now();
for (const hh of sample) evaluateHousehold(hh, MONTH, { explain: true });
const explainMs = ms(t) / sample.length;

const dibao = dibaoOnly.value[0];
const expected = EXPECTED[pop.householdCount];
const totalsOk = expected ? dibao?.households === expected[0] && dibao.costFen === expected[1] : undefined;
const ratio = dibaoOnly.ms / hand.ms;

const rows: [string, string, string][] = [
  ['households / persons', `${pop.householdCount} / ${pop.personCount}`, ''],
  [
    `parse + validate into columns (${workerCount(statSync(file).size)} threads)`,
    `${(parseMs / 1000).toFixed(2)} s`,
    `reference: Node loop ${REFERENCE.nodeLoopParseS} s, OpenFisca ${REFERENCE.openfiscaParseS} s (1M)`,
  ],
  [
    'compute all 15 programs',
    `${(all.ms / 1000).toFixed(3)} s`,
    `target ≤ 1 s for 1M (best of 3; first run ${(firstAllMs / 1000).toFixed(3)} s)`,
  ],
  [
    'compute dibao (engine)',
    `${(dibaoOnly.ms / 1000).toFixed(3)} s`,
    `reference: OpenFisca ${REFERENCE.openfiscaComputeS} s (1M, best of 5)`,
  ],
  [
    'compute dibao (hand loop)',
    `${(hand.ms / 1000).toFixed(3)} s`,
    `reference: Node loop ${REFERENCE.nodeLoopComputeS} s (1M, best of 5)`,
  ],
  ['engine / hand loop (dibao)', `${ratio.toFixed(2)}×`, 'target ≤ 3×'],
  [
    'single household, all programs',
    `${(singleMs * 1000).toFixed(1)} µs`,
    `target ≤ 200 µs (mean of ${rounds}×${sample.length})`,
  ],
  ['single household, with explain', `${(explainMs * 1000).toFixed(1)} µs`, ''],
  [
    'heap+arrays after parse',
    `${mb(afterParse.rss)} MB rss`,
    `heap ${mb(afterParse.heapUsed)} MB, arrays ${mb(afterParse.arrayBuffers)} MB`,
  ],
  [
    'peak RSS (parse + one all-programs run)',
    `${peakBatch.toFixed(0)} MB`,
    `target ≤ 500 MB (1M); OpenFisca ${REFERENCE.openfiscaPeakMb} MB`,
  ],
  ['peak RSS (after all repeats)', `${peakAll.toFixed(0)} MB`, 'includes garbage of the timing repeats'],
  [
    'dibao households / fen',
    `${dibao?.households} / ${dibao?.costFen}`,
    expected
      ? `bench/README: ${expected[0]} / ${expected[1]} → ${totalsOk ? 'OK' : 'MISMATCH'}`
      : 'no reference for this size',
  ],
  ['hand loop households / fen', `${hand.value.households} / ${hand.value.costFen}`, ''],
];
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
process.stdout.write(`policy engine benchmark — ${file}, month ${MONTH}, node ${process.version}\n`);
for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}\n`);
process.stdout.write('\nall programs (households, persons, fen):\n');
for (const r of all.value)
  process.stdout.write(
    `  ${r.program.padEnd(30)} ${String(r.households).padStart(8)} ${String(r.persons).padStart(8)} ${String(r.costFen).padStart(14)}${r.error ? `  ${r.error}` : ''}\n`,
  );
if (totalsOk === false) process.exitCode = 1;
