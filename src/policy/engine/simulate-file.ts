import { statSync } from 'node:fs';
import type { RangeTotals, ReformSpec } from './jsonl-protocol.ts';
import { runRanges, workerCount } from './jsonl-parallel.ts';
import { forEachLine, parseLine, type ByteRange } from './jsonl-reader.ts';
import { parseMonth } from './month.ts';
import { baselineParameters } from './parameter-store.ts';
import { PopulationBuilder } from './population.ts';
import { simulate, type ProgramTotals } from './simulate.ts';

type AreaTotalsMap = NonNullable<ProgramTotals['byArea']>;

/**
 * Households per block of a streamed simulation: enough that a block's fixed costs (resolving each
 * program's parameters, allocating its columns) vanish, few enough that a block's columns are about 1 MB
 * (blocks of 4,096 to 300,000 households measured the same CPU time).
 */
const BLOCK_HOUSEHOLDS = 1 << 14;

/**
 * Every program's totals over a range of a JSON-lines file (the whole file without one), baseline and,
 * when given, reform, computed block by block: only one block's columns are ever held, and since each
 * household is computed alone the sum over blocks is the total over the range. Line numbers in errors
 * count from the range's start.
 */
export async function simulateRange(
  file: string,
  month: string,
  range: ByteRange | undefined,
  reform: ReformSpec | null,
): Promise<{ totals: RangeTotals; lines: number }> {
  const m = parseMonth(month);
  const baseline = baselineParameters();
  const reformed = reform ? baseline.withReform(reform.reform, reform.label) : null;
  const builder = new PopulationBuilder({ keepMemberIds: false, households: BLOCK_HOUSEHOLDS });
  let households = 0;
  let persons = 0;
  let base: ProgramTotals[] | null = null;
  let ref: ProgramTotals[] | null = null;
  const flush = (): void => {
    const pop = builder.build();
    households += pop.householdCount;
    persons += pop.personCount;
    const b = simulate(pop, m, baseline);
    base = base ? sumTotals([base, b]) : b;
    if (reformed) {
      const r = simulate(pop, m, reformed);
      ref = ref ? sumTotals([ref, r]) : r;
    }
    builder.reset();
  };
  const lines = await forEachLine(
    file,
    (line, lineNo) => {
      builder.add(parseLine(line, lineNo, month));
      if (builder.householdCount === BLOCK_HOUSEHOLDS) flush();
    },
    range,
  );
  if (builder.householdCount > 0 || base === null) flush();
  return { totals: { households, persons, baseline: base ?? [], reform: ref }, lines };
}

function addAreas(into: AreaTotalsMap, from: AreaTotalsMap): void {
  for (const [d, t] of Object.entries(from)) {
    const sum = (into[d] ??= { households: 0, persons: 0, costFen: 0 });
    sum.households += t.households;
    sum.persons += t.persons;
    sum.costFen += t.costFen;
  }
}

/**
 * Totals of disjoint parts of a population (program by program, in the parts' common order) as the
 * totals of the whole: counts and integer fen add up exactly; a parameter gap is the same in every part.
 */
export function sumTotals(parts: readonly (readonly ProgramTotals[])[]): ProgramTotals[] {
  const [first, ...rest] = parts;
  if (!first) return [];
  return first.map((t0, i) => {
    if (t0.error !== undefined) return t0;
    let households = t0.households;
    let persons = t0.persons;
    let costFen = t0.costFen;
    const byArea: AreaTotalsMap | undefined = t0.byArea ? {} : undefined;
    if (byArea && t0.byArea) addAreas(byArea, t0.byArea);
    for (const part of rest) {
      const t = part[i];
      if (!t || t.program !== t0.program) throw new Error(`分段结果的项目顺序不一致：${t0.program}`);
      households += t.households;
      persons += t.persons;
      costFen += t.costFen;
      if (byArea && t.byArea) addAreas(byArea, t.byArea);
    }
    return { program: t0.program, households, persons, costFen, ...(byArea ? { byArea } : {}) };
  });
}

/**
 * Every program's totals over a JSON-lines file for `month`, with the baseline parameters and, when
 * given, a reform. A large file is split between worker threads that each read and compute their own
 * range block by block (simulateRange: columns never leave the worker, the totals are summed here), so
 * reading and computing both use every core and nobody holds the whole population; the totals are those
 * of readJsonlPopulation followed by simulate. `workers` overrides how many (1: this thread only).
 */
export async function simulateJsonl(
  file: string,
  month: string,
  options: { reform?: ReformSpec | null; workers?: number } = {},
): Promise<RangeTotals> {
  const reform = options.reform ?? null;
  const stat = statSync(file);
  const workers = stat.isFile() ? (options.workers ?? workerCount(stat.size)) : 1;
  if (workers <= 1 || stat.size === 0) return (await simulateRange(file, month, undefined, reform)).totals;
  const done = await runRanges(file, stat.size, workers, {
    month,
    keepMemberIds: false,
    simulate: { reform },
  });
  const parts: RangeTotals[] = [];
  for (const d of done) if (d.kind === 'totals') parts.push(d.totals);
  return {
    households: parts.reduce((n, p) => n + p.households, 0),
    persons: parts.reduce((n, p) => n + p.persons, 0),
    baseline: sumTotals(parts.map((p) => p.baseline)),
    reform: reform ? sumTotals(parts.map((p) => p.reform ?? [])) : null,
  };
}
