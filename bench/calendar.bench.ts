/**
 * Working-day calendar benchmark: `npx tsx bench/calendar.bench.ts [--calls 100000]`.
 *
 * A later module computes deadlines for every open case, so a deadline must cost next to nothing:
 *   1. build: the calendar from the official years (the seeded 2004–2026), then the first use of a
 *      provisional year (2027: lunar dates, the arrangement, the year's table);
 *   2. addWorkingDays, workingDaysBetween and deadline for --calls random starts in 2020–2027 and random
 *      counts of 1–60 working days (a mix of official and provisional years), per call;
 *   3. the same deadlines counted the naive way (day by day with isWorkingDay), as the yardstick.
 * Prints wall-clock and CPU time per call; the machine's load average first.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { chineseDaysYears } from '../src/calendar/chinese-days.fixtures.ts';
import { daysFromCivil, isoOfDay } from '../src/calendar/days.ts';
import { WorkingCalendar } from '../src/calendar/working-calendar.ts';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} 应为正整数`);
  return value;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const calls = flag('calls', 100_000);
out(
  `机器：${cpus().length} 核，负载 ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}；每项 ${calls.toLocaleString('en')} 次调用`,
);

let started = performance.now();
const official = chineseDaysYears();
const calendar = new WorkingCalendar(official, 'bench');
out(`建立日历（${official.length} 个官方年度）：${(performance.now() - started).toFixed(1)} ms`);
started = performance.now();
calendar.isWorkingDay('2027-06-01');
out(`首次用到暂定年度 2027（推算农历、安排与年表）：${(performance.now() - started).toFixed(1)} ms`);

// A deterministic stream of starts and counts (a linear congruential generator: no Math.random).
let seed = 20_261_201;
const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
const first = daysFromCivil(2020, 1, 1);
const span = daysFromCivil(2027, 12, 31) - first - 200;
const starts = Array.from({ length: calls }, () => isoOfDay(first + (next() % span)));
const counts = Array.from({ length: calls }, () => 1 + (next() % 60));

function time(label: string, body: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(calls, 10_000); i++) body(i); // warm up
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) body(i);
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const perCall = (wall * 1000) / calls;
  const cpuPerCall = (used.user + used.system) / calls;
  out(
    `${perCall.toFixed(3).padStart(8)} µs/次（CPU ${cpuPerCall.toFixed(3)} µs，共 ${wall.toFixed(0)} ms）  ${label}`,
  );
  return cpuPerCall;
}

const fast = time('addWorkingDays', (i) => calendar.addWorkingDays(starts[i] ?? '', counts[i] ?? 1));
time('workingDaysBetween', (i) =>
  calendar.workingDaysBetween(starts[i] ?? '', starts[(i + 1) % calls] ?? ''),
);
time('deadline（含所用日历与是否暂定）', (i) => calendar.deadline(starts[i] ?? '', counts[i] ?? 1));
time('isWorkingDay', (i) => calendar.isWorkingDay(starts[i] ?? ''));

function naive(start: string, n: number): string {
  let day = daysFromCivil(+start.slice(0, 4), +start.slice(5, 7), +start.slice(8, 10));
  for (let left = n; left > 0;) if (calendar.isWorkingDay(isoOfDay(++day))) left--;
  return isoOfDay(day);
}
const slow = time('逐日数（对照）', (i) => naive(starts[i] ?? '', counts[i] ?? 1));
for (let i = 0; i < 1000; i++)
  if (naive(starts[i] ?? '', counts[i] ?? 1) !== calendar.addWorkingDays(starts[i] ?? '', counts[i] ?? 1))
    throw new Error(`结果不一致：${starts[i]} + ${counts[i]}`);
out(`addWorkingDays 的 CPU 时间是逐日数的 1/${(slow / fast).toFixed(1)}（前 1,000 个结果一致）`);
