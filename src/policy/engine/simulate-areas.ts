import type { Population } from './population.ts';
import type { AreaTotals, ProgramTotals } from './simulate.ts';

/** One area's line of a program: today's figures, and with a reform the figures after it and the difference. */
export interface AreaRow {
  readonly area: string;
  readonly baseline: AreaTotals;
  readonly reform?: AreaTotals;
  readonly delta?: AreaTotals;
}

const ZERO: AreaTotals = { households: 0, persons: 0, costFen: 0 };

/** The population's areas in code order (every area with a household, recipients or not). */
export function areasOf(pop: Population): string[] {
  if (!pop.area) return [];
  return [...new Set(pop.area)].sort();
}

/**
 * A program's totals per area, every area of the population listed (zeros where none receive it), the reform
 * and its difference (reform − baseline) beside today's when given. Empty for a program that could not be
 * computed (its totals carry the reason).
 */
export function areaRows(
  areas: readonly string[],
  baseline: ProgramTotals,
  reform: ProgramTotals | undefined,
): AreaRow[] {
  if (baseline.error !== undefined || reform?.error !== undefined || !baseline.byArea) return [];
  const b = baseline.byArea;
  const r = reform?.byArea;
  return areas.map((area) => {
    const before = b[area] ?? ZERO;
    if (!reform) return { area, baseline: { ...before } };
    const after = r?.[area] ?? ZERO;
    return {
      area,
      baseline: { ...before },
      reform: { ...after },
      delta: {
        households: after.households - before.households,
        persons: after.persons - before.persons,
        costFen: after.costFen - before.costFen,
      },
    };
  });
}
