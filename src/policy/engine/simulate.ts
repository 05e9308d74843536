import type { BenefitMonth } from './month.ts';
import type { ParameterStore } from './parameter-store.ts';
import type { Population } from './population.ts';
import { PROGRAM_CODES, type ProgramCode } from './program.ts';
import { PROGRAMS } from '../programs/index.ts';
import { runPrograms, type ProgramOutcome } from './run.ts';
import { areaRows, areasOf, type AreaRow } from './simulate-areas.ts';

/** Recipients and monthly cost of one program over a population. */
export interface ProgramTotals {
  readonly program: ProgramCode;
  readonly households: number;
  /** Eligible members for person-level programs; members of eligible households otherwise. */
  readonly persons: number;
  readonly costFen: number;
  readonly error?: string;
  /** Per area code (Population.area), when the population has areas. */
  readonly byArea?: Record<string, AreaTotals>;
}

export interface AreaTotals {
  households: number;
  persons: number;
  costFen: number;
}

function totalsOf(o: ProgramOutcome, pop: Population): ProgramTotals {
  const code = o.program.code;
  if (!o.columns)
    return { program: code, households: 0, persons: 0, costFen: 0, error: o.error?.message ?? '' };
  const { eligible, amount, member } = o.columns;
  const ms = pop.memberStart;
  const areas = pop.area;
  const byArea: Record<string, AreaTotals> = {};
  let households = 0;
  let personTotal = 0;
  let cost = 0;
  for (let h = 0; h < pop.householdCount; h++) {
    if (eligible[h] !== 1) continue;
    // Eligible households are few: count their eligible members (person-level) or all members.
    let n = 0;
    if (member) {
      for (let p = ms[h] as number, end = ms[h + 1] as number; p < end; p++)
        n += member.eligible[p] as number;
    } else n = (ms[h + 1] as number) - (ms[h] as number);
    const a = amount[h] as number;
    households++;
    personTotal += n;
    cost += a;
    if (areas) {
      const t = (byArea[areas[h] ?? ''] ??= { households: 0, persons: 0, costFen: 0 });
      t.households++;
      t.persons += n;
      t.costFen += a;
    }
  }
  return {
    program: code,
    households,
    persons: personTotal,
    costFen: cost,
    ...(areas ? { byArea } : {}),
  };
}

/** Totals per program for one month (columns are freed as soon as no later program needs them). */
export function simulate(
  pop: Population,
  month: BenefitMonth,
  store: ParameterStore,
  programs: readonly ProgramCode[] = PROGRAM_CODES,
): ProgramTotals[] {
  const totals: ProgramTotals[] = [];
  runPrograms(pop, month, store, programs, {
    retain: false,
    onOutcome: (o) => totals.push(totalsOf(o, pop)),
  });
  const order = new Map(programs.map((c, i) => [c, i]));
  return totals.sort((a, b) => (order.get(a.program) ?? 0) - (order.get(b.program) ?? 0));
}

export interface ReformComparison {
  readonly program: ProgramCode;
  readonly baseline: ProgramTotals;
  readonly reform: ProgramTotals;
  readonly householdsDelta: number;
  readonly personsDelta: number;
  readonly costDeltaFen: number;
}

/** Baseline and reform over the same population: reform minus baseline per program. */
export function compareReform(
  pop: Population,
  month: BenefitMonth,
  baseline: ParameterStore,
  reform: ParameterStore,
  programs: readonly ProgramCode[] = PROGRAM_CODES,
): ReformComparison[] {
  return compareTotals(simulate(pop, month, baseline, programs), simulate(pop, month, reform, programs));
}

/** Reform minus baseline per program, from the two sets of totals (same programs, same order). */
export function compareTotals(
  base: readonly ProgramTotals[],
  ref: readonly ProgramTotals[],
): ReformComparison[] {
  return base.map((b, i) => {
    const r = ref[i] ?? b;
    return {
      program: b.program,
      baseline: b,
      reform: r,
      householdsDelta: r.households - b.households,
      personsDelta: r.persons - b.persons,
      costDeltaFen: r.costFen - b.costFen,
    };
  });
}

/** Totals without the per-area breakdown. */
export type Totals = Pick<ProgramTotals, 'households' | 'persons' | 'costFen' | 'error'>;

/** One program's line of a simulation: named, baseline and, with a reform, reform and difference. */
export interface SimulationRow {
  readonly program: ProgramCode;
  readonly name: string;
  readonly baseline: Totals;
  readonly reform?: Totals;
  readonly delta?: { households: number; persons: number; costFen: number };
  /** Per area of the population (when it has areas), in code order. */
  readonly areas?: AreaRow[];
}

export interface SimulationReport {
  readonly households: number;
  readonly persons: number;
  readonly rows: SimulationRow[];
}

const totals = (t: ProgramTotals): Totals => ({
  households: t.households,
  persons: t.persons,
  costFen: t.costFen,
  ...(t.error !== undefined ? { error: t.error } : {}),
});

/**
 * Every program over a population for one month: the baseline, and the reform beside it when given; per
 * area too when the population has areas.
 */
export function simulationReport(
  pop: Population,
  month: BenefitMonth,
  baseline: ParameterStore,
  reform: ParameterStore | null,
): SimulationReport {
  const base = simulate(pop, month, baseline);
  const ref = reform ? simulate(pop, month, reform) : null;
  const rows: SimulationRow[] = ref ? comparisonRows(compareTotals(base, ref)) : baselineRows(base);
  const report = { households: pop.householdCount, persons: pop.personCount };
  if (!pop.area) return { ...report, rows };
  const areas = areasOf(pop);
  return {
    ...report,
    rows: rows.map((row, i) => ({ ...row, areas: areaRows(areas, base[i]!, ref?.[i]) })),
  };
}

/** A comparison's lines, named. */
export function comparisonRows(comparison: readonly ReformComparison[]): SimulationRow[] {
  return comparison.map((r) => ({
    program: r.program,
    name: PROGRAMS[r.program].name,
    baseline: totals(r.baseline),
    reform: totals(r.reform),
    delta: { households: r.householdsDelta, persons: r.personsDelta, costFen: r.costDeltaFen },
  }));
}

/** A baseline's lines, named (for a caller that has the totals already: computing them is the cost). */
export function baselineRows(baseline: readonly ProgramTotals[]): SimulationRow[] {
  return baseline.map((t) => ({ program: t.program, name: PROGRAMS[t.program].name, baseline: totals(t) }));
}
