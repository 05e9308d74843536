/**
 * The policy engine's API (pure: no database, no HTTP, no clock; the month is an argument).
 * The HTTP layer calls evaluateHousehold / validateHousehold / listParameters.
 */
import { parseMonth } from './engine/month.ts';
import { memberLabels } from './engine/narrative.ts';
import { baselineParameters, isYearFallback, type ParameterStore } from './engine/parameter-store.ts';
import { populationOf } from './engine/population.ts';
import { PROGRAM_CODES, type ProgramCode } from './engine/program.ts';
import { householdResult, type ProgramResult } from './engine/results.ts';
import { resolutionWarning } from './engine/resolved-params.ts';
import { executionOrder, runPrograms } from './engine/run.ts';
import type { PolicyHousehold, PolicyHouseholdInput } from './household.ts';

export { validateHousehold, checkHouseholdRequest, HouseholdValidationError } from './household.validate.ts';
export { PROGRAM_CODES, isProgramCode, type ProgramCode } from './engine/program.ts';
export type { ProgramResult } from './engine/results.ts';
export { baselineParameters, ParameterStore, parseReformFile } from './engine/parameter-store.ts';
export { PROGRAMS } from './programs/index.ts';
export {
  buildPopulation,
  readJsonlPopulation,
  BatchLineError,
  type PopulationSource,
  type SourceHousehold,
} from './engine/population-source.ts';
export { simulateJsonl } from './engine/simulate-file.ts';
export type { RangeTotals as PopulationTotals, ReformSpec } from './engine/jsonl-protocol.ts';
export {
  simulate,
  compareReform,
  simulationReport,
  baselineRows,
  comparisonRows,
  compareTotals,
  type ProgramTotals,
  type ReformComparison,
  type SimulationReport,
  type SimulationRow,
  type AreaTotals,
} from './engine/simulate.ts';
export { areaRows, areasOf, type AreaRow } from './engine/simulate-areas.ts';
export {
  reformFromOverrides,
  ReformOverrideError,
  type ParameterOverride,
} from './engine/reform-overrides.ts';
export { parseMonth } from './engine/month.ts';

export interface EvaluateOptions {
  readonly programs?: readonly ProgramCode[];
  readonly explain?: boolean;
  readonly parameters?: ParameterStore;
  /** The household's district: parameters it sets itself (区级参数) replace the city's. */
  readonly district?: string;
}

export interface Evaluation {
  readonly month: string;
  readonly results: ProgramResult[];
}

/**
 * Evaluates one validated household for a month (a batch of one through the same kernels as the
 * population path). Programs with a parameter gap come back with `error`; the others compute.
 */
export function evaluateHousehold(
  household: PolicyHousehold | PolicyHouseholdInput,
  month: string,
  options: EvaluateOptions = {},
): Evaluation {
  const m = parseMonth(month);
  const requested = options.programs ?? PROGRAM_CODES;
  const pop = populationOf([household]);
  const cityParameters = options.parameters ?? baselineParameters();
  const parameters = options.district ? cityParameters.forDistrict(options.district) : cityParameters;
  const outcomes = runPrograms(pop, m, parameters, requested, {
    trace: options.explain ?? false,
  });
  const results: ProgramResult[] = [];
  const label = memberLabels(household.members, m);
  for (const code of requested) {
    const o = outcomes.get(code);
    if (!o) continue;
    const dependencies = options.explain
      ? executionOrder([code])
          .filter((c) => c !== code)
          .flatMap((c) => outcomes.get(c) ?? [])
      : [];
    results.push(householdResult(o, pop, 0, dependencies, label));
  }
  return { month, results };
}

export interface ParameterListing {
  readonly path: string;
  readonly description: string;
  readonly unit: string;
  readonly keyedBy: 'date' | 'year';
  readonly values: readonly {
    key: string;
    value: number;
    status: string;
    source: string;
    decided?: string;
    note?: string;
  }[];
  /** Districts that set this parameter themselves (区级参数), with their own dated values. */
  readonly districts?: Readonly<Record<string, ParameterListing['values']>>;
  /** The value the engine uses for the month asked, or null when the parameter has none then. */
  readonly current: ParameterInForce | null;
}

export interface ParameterInForce {
  readonly month: string;
  readonly key: string;
  readonly value: number;
  readonly status: string;
  readonly source: string;
  readonly decided?: string;
  readonly note?: string;
  /** The year looked for, when a yearly statistic fell back to an earlier year (SPEC.md v1.1). */
  readonly wanted?: string;
  /** The warning a result using this value carries (status or fallback), in Chinese. */
  readonly warning?: string;
}

/**
 * The value in force for a month, by the resolution the engine itself uses (ParameterStore.resolve):
 * the parameters page shows what a calculation for that month would read, warning included.
 */
export function parameterInForce(
  store: ParameterStore,
  path: string,
  month: string,
): ParameterInForce | null {
  const r = store.resolve(path, parseMonth(month));
  if (!r.entry) return null;
  const warning = resolutionWarning(r, r.entry);
  return {
    month,
    ...r.entry,
    ...(isYearFallback(r) ? { wanted: r.at } : {}),
    ...(warning ? { warning: warning.message } : {}),
  };
}

/** Every parameter with its dated values, sources and statuses, and the value in force for `month`. */
export function listParameters(
  month: string,
  store: ParameterStore = baselineParameters(),
): ParameterListing[] {
  return store.list().map((s) => ({
    path: s.path,
    description: s.description,
    unit: s.unit,
    keyedBy: s.keyedBy,
    values: s.entries,
    ...(s.districts ? { districts: Object.fromEntries(s.districts) } : {}),
    current: parameterInForce(store, s.path, month),
  }));
}
