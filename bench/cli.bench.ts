/**
 * CLI start-up benchmark: `npx tsx bench/cli.bench.ts [--runs N]`. Times `minzheng --help`, `--version`
 * and `calc` of one household from process start to exit, N runs each (default 20), as a user starts
 * them: `./bin/minzheng`, compiled (dist/cli, built first if missing or stale), and the same through
 * tsx from the sources (what every start cost before the compiled CLI, and what runs after a source
 * changed until the next build). Prints median and p95 wall time against the 0.3 s target, and the
 * median CPU time (user + system), which a busy machine inflates less than the wall time. On a machine
 * other work keeps busy, `chrt -f 10 npx tsx bench/cli.bench.ts` measures what a start costs when it
 * need not wait for a core.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../scripts/build-cli.mjs';
import { compiledCli, projectRoot } from '../scripts/cli-build-state.mjs';

const TARGET_S = 0.3;
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 20;

/** CPU seconds used so far by this process's finished children (Linux /proc; undefined elsewhere). */
function childrenCpu(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime (fields 16 and 17) in clock ticks, 100 a second on Linux.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

interface Sample {
  wall: number;
  cpu: number | undefined;
}

function runOnce(command: readonly string[]): Sample {
  const cpu0 = childrenCpu();
  const t0 = performance.now();
  const run = spawnSync(process.execPath, command, { cwd: projectRoot, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = childrenCpu();
  if (run.status !== 0) throw new Error(`${command.join(' ')} → ${run.status}: ${run.stderr}`);
  return { wall, cpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

function measure(label: string, command: readonly string[]): void {
  runOnce(command); // warm the file cache
  const samples = Array.from({ length: RUNS }, () => runOnce(command));
  const walls = samples.map((s) => s.wall).sort((a, b) => a - b);
  const cpus = samples.flatMap((s) => (s.cpu === undefined ? [] : [s.cpu])).sort((a, b) => a - b);
  const median = quantile(walls, 0.5);
  const cpu = cpus.length ? `${quantile(cpus, 0.5).toFixed(2)} s` : '—';
  process.stdout.write(
    `${label.padEnd(40)} median ${median.toFixed(3)} s  p95 ${quantile(walls, 0.95).toFixed(3)} s  ` +
      `cpu ${cpu}  median/target ${(median / TARGET_S).toFixed(2)}×\n`,
  );
}

if (!compiledCli()) {
  process.stdout.write('dist/cli is missing or older than the sources: building it first\n');
  await buildCli();
}

const dir = mkdtempSync(join(tmpdir(), 'mz-cli-bench-'));
const household = join(dir, 'household.json');
const example = spawnSync(process.execPath, ['bin/minzheng', 'calc', '--example'], {
  cwd: projectRoot,
  encoding: 'utf8',
});
if (example.status !== 0) throw new Error(`calc --example failed: ${example.stderr}`);
writeFileSync(household, example.stdout);

const node = spawnSync(process.execPath, ['-e', '0']);
if (node.status !== 0) throw new Error('node does not start');
process.stdout.write(`${RUNS} runs each; target ≤ ${TARGET_S} s from start to exit\n`);
measure('node -e 0 (the floor)', ['-e', '0']);
const commands: [string, string[]][] = [
  ['--help', ['--help']],
  ['--version', ['--version']],
  ['calc (one household, 2022-08)', ['calc', '--file', household, '--month', '2022-08']],
];
for (const [label, args] of commands) measure(`${label}`, ['bin/minzheng', ...args]);
for (const [label, args] of commands) {
  measure(`${label} via tsx`, ['--import', 'tsx', 'src/cli/main.ts', ...args]);
}
rmSync(dir, { recursive: true, force: true });
if (!compiledCli()) {
  process.stdout.write('warning: a source changed during the run; some bin/minzheng runs went through tsx\n');
}
