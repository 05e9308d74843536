import type { BenefitMonth } from './month.ts';
import type { ParameterStore } from './parameter-store.ts';
import type { ParamHandle } from './parameters.ts';
import { householdOfPerson, type Population } from './population.ts';
import type { ResolvedParams } from './resolved-params.ts';

export const PROGRAM_CODES = [
  'dibao',
  'dibao_edge',
  'rigid_expense',
  'temporary',
  'tekun',
  'severe_disability_unemployed',
  'renovation',
  'traditional',
  'rural_youth',
  'anhui_resettled',
  'kunjing_child',
  'orphan',
  'elderly_allowance',
  'grain_oil',
  'price_subsidy',
] as const;
export type ProgramCode = (typeof PROGRAM_CODES)[number];

export function isProgramCode(text: string): text is ProgramCode {
  return (PROGRAM_CODES as readonly string[]).includes(text);
}

/** A reason: a stable code and the Chinese text a caseworker reads; `eligible` marks positive reasons. */
export interface ReasonDef {
  readonly code: string;
  readonly text: string;
}

/** Per-member results of a person-level program. */
export interface MemberColumns {
  readonly eligible: Uint8Array;
  readonly amount: Float64Array;
  /** Bit i set ⇔ the program's reasons[i] applies to the member (up to 16 reasons). */
  readonly reasons: Uint16Array;
}

/** A program's results over a population (household-indexed; `member` for person-level programs). */
export interface ProgramColumns {
  readonly eligible: Uint8Array;
  readonly amount: Float64Array;
  /** Bit i set ⇔ the program's reasons[i] applies to the household (household-level programs). */
  readonly reasons: Uint8Array;
  readonly member: MemberColumns | null;
  /** Intermediates that dependent programs reuse (e.g. dibao's countable income). */
  readonly extra: Readonly<Record<string, Float64Array | Uint8Array>>;
}

/** Intermediate figures of one household, recorded only when an explanation is asked for. */
export class Trace {
  readonly figures: { name: string; value: number | boolean | string; memberId?: string }[] = [];
  fig(name: string, value: number | boolean | string, memberId?: string): void {
    this.figures.push(memberId === undefined ? { name, value } : { name, value, memberId });
  }
}

export interface KernelContext {
  readonly pop: Population;
  readonly month: BenefitMonth;
  readonly params: ResolvedParams;
  /** Results of a program named in `dependsOn`. */
  dep(code: ProgramCode): ProgramColumns;
  /** Looks up a parameter outside the Reads list (only price_subsidy's activation): null when no value. */
  lookup(handle: ParamHandle): number | null;
  readonly store: ParameterStore;
  /** Non-null only when evaluating a single household with an explanation. */
  readonly trace: Trace | null;
}

export interface ProgramDef {
  readonly code: ProgramCode;
  readonly name: string;
  readonly level: 'household' | 'person';
  readonly dependsOn: readonly ProgramCode[];
  /** This program's own reads; the engine adds those of its dependencies. */
  readonly reads: readonly ParamHandle[];
  readonly reasons: readonly ReasonDef[];
  run(ctx: KernelContext): ProgramColumns;
}

export function householdColumns(
  H: number,
  extra: Record<string, Float64Array | Uint8Array> = {},
): { eligible: Uint8Array; amount: Float64Array; reasons: Uint8Array; member: null; extra: typeof extra } {
  return {
    eligible: new Uint8Array(H),
    amount: new Float64Array(H),
    reasons: new Uint8Array(H),
    member: null,
    extra,
  };
}

/** Allocates person columns and sums them per household after `fill` has set the member results. */
export function personProgram(
  pop: Population,
  fill: (m: MemberColumns) => void,
  extra: Record<string, Float64Array | Uint8Array> = {},
): ProgramColumns {
  const N = pop.personCount;
  const member: MemberColumns = {
    eligible: new Uint8Array(N),
    amount: new Float64Array(N),
    reasons: new Uint16Array(N),
  };
  fill(member);
  const H = pop.householdCount;
  const eligible = new Uint8Array(H);
  const amount = new Float64Array(H);
  // Flat and sparse: only eligible members carry an amount, and few members are eligible.
  const owner = householdOfPerson(pop);
  const me = member.eligible;
  const ma = member.amount;
  for (let p = 0; p < N; p++) {
    if (me[p] !== 1) continue;
    const h = owner[p] as number;
    eligible[h] = 1;
    amount[h] = (amount[h] as number) + (ma[p] as number);
  }
  return { eligible, amount, reasons: new Uint8Array(0), member, extra };
}

/** Member id for traces (falls back to the index when ids were not kept). */
export function memberId(pop: Population, p: number): string {
  return pop.memberIds?.[p] ?? `#${p}`;
}
