import { PROGRAMS } from '../programs/index.ts';
import type { BenefitMonth } from './month.ts';
import type { ParameterStore } from './parameter-store.ts';
import type { ParamHandle } from './parameters.ts';
import type { Population } from './population.ts';
import {
  PROGRAM_CODES,
  Trace,
  type KernelContext,
  type ProgramCode,
  type ProgramColumns,
  type ProgramDef,
} from './program.ts';
import { MissingParameterError, ResolvedParams } from './resolved-params.ts';

/** One program's outcome for a month over a population: columns, or the parameter gap that stopped it. */
export interface ProgramOutcome {
  readonly program: ProgramDef;
  readonly columns: ProgramColumns | null;
  readonly error: MissingParameterError | null;
  readonly params: ResolvedParams | null;
  readonly trace: Trace | null;
}

const readsCache = new Map<ProgramCode, ParamHandle[]>();

/** The program's full Reads list: its own reads and, transitively, those of its dependencies. */
export function fullReads(code: ProgramCode): ParamHandle[] {
  const cached = readsCache.get(code);
  if (cached) return cached;
  const seen = new Map<string, ParamHandle>();
  const visit = (c: ProgramCode): void => {
    const def = PROGRAMS[c];
    for (const d of def.dependsOn) visit(d);
    for (const r of def.reads) if (!seen.has(r.path)) seen.set(r.path, r);
  };
  visit(code);
  const reads = [...seen.values()];
  readsCache.set(code, reads);
  return reads;
}

/** Resolved parameters are immutable per store, month and program: resolve once, reuse (single-household latency). */
const resolvedCache = new WeakMap<
  ParameterStore,
  Map<string, Map<ProgramCode, ResolvedParams | MissingParameterError>>
>();

function resolvedFor(
  code: ProgramCode,
  store: ParameterStore,
  month: BenefitMonth,
): ResolvedParams | MissingParameterError {
  let byMonth = resolvedCache.get(store);
  if (!byMonth) {
    byMonth = new Map();
    resolvedCache.set(store, byMonth);
  }
  let byCode = byMonth.get(month.month);
  if (!byCode) {
    byCode = new Map();
    byMonth.set(month.month, byCode);
  }
  let r = byCode.get(code);
  if (!r) {
    r = ResolvedParams.resolve(code, fullReads(code), store, month, `「${PROGRAMS[code].name}」`);
    byCode.set(code, r);
  }
  return r;
}

/** The kernel's view of one run (a class rather than per-program closures: cheaper on the single-household path). */
class RunContext implements KernelContext {
  constructor(
    readonly pop: Population,
    readonly month: BenefitMonth,
    readonly params: ResolvedParams,
    readonly store: ParameterStore,
    readonly trace: Trace | null,
    private readonly outcomes: Map<ProgramCode, ProgramOutcome>,
  ) {}

  dep(code: ProgramCode): ProgramColumns {
    const d = this.outcomes.get(code)?.columns;
    if (!d) throw new Error(`依赖项目 ${code} 未计算`);
    return d;
  }

  lookup(handle: ParamHandle): number | null {
    return this.store.resolve(handle.path, this.month).entry?.value ?? null;
  }
}

const orderCache = new Map<string, ProgramCode[]>();

/** The requested programs and their dependencies, in dependency order. */
export function executionOrder(codes: readonly ProgramCode[]): readonly ProgramCode[] {
  const key = codes.join(',');
  const cached = orderCache.get(key);
  if (cached) return cached;
  const order: ProgramCode[] = [];
  const visit = (c: ProgramCode): void => {
    if (order.includes(c)) return;
    for (const d of PROGRAMS[c].dependsOn) visit(d);
    order.push(c);
  };
  for (const c of codes) visit(c);
  orderCache.set(key, order);
  return order;
}

export interface RunOptions {
  /** Record traces (only meaningful for a population of one household). */
  readonly trace?: boolean;
  /** Called for each requested program as soon as it is computed. */
  readonly onOutcome?: (outcome: ProgramOutcome) => void;
  /** Keep every outcome in the returned map (default true); false frees columns once no longer needed. */
  readonly retain?: boolean;
}

/**
 * Runs programs over a population for one month: each program's parameters are resolved once, then its
 * kernel runs over all households. A program with a parameter gap (its own or a dependency's) fails
 * with one error; the others still compute.
 */
export function runPrograms(
  pop: Population,
  month: BenefitMonth,
  store: ParameterStore,
  requested: readonly ProgramCode[] = PROGRAM_CODES,
  options: RunOptions = {},
): Map<ProgramCode, ProgramOutcome> {
  const order = executionOrder(requested);
  const lastUse = new Map<ProgramCode, number>();
  order.forEach((c, i) => {
    for (const d of PROGRAMS[c].dependsOn) lastUse.set(d, i);
  });
  const outcomes = new Map<ProgramCode, ProgramOutcome>();
  const retain = options.retain ?? true;
  order.forEach((code, i) => {
    const program = PROGRAMS[code];
    const resolved = resolvedFor(code, store, month);
    let outcome: ProgramOutcome;
    // A dependency's gap is also in this program's Reads, so `resolved` is already the error; the
    // check below only guards the invariant.
    const failedDep = program.dependsOn.map((d) => outcomes.get(d)).find((d) => !d?.columns);
    if (resolved instanceof MissingParameterError) {
      outcome = { program, columns: null, error: resolved, params: null, trace: null };
    } else if (failedDep !== undefined || program.dependsOn.some((d) => !outcomes.has(d))) {
      throw new Error(`项目 ${code} 的依赖项目未能计算，但其参数齐全：Reads 列表有误`);
    } else {
      const trace = options.trace ? new Trace() : null;
      const columns = program.run(new RunContext(pop, month, resolved, store, trace, outcomes));
      outcome = { program, columns, error: null, params: resolved, trace };
    }
    outcomes.set(code, outcome);
    if (requested.includes(code)) options.onOutcome?.(outcome);
    if (!retain) {
      for (const [c] of outcomes) {
        const needed = (lastUse.get(c) ?? -1) > i;
        if (!needed) outcomes.delete(c);
      }
    }
  });
  return outcomes;
}
