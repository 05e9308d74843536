import { narrate, type MemberLabel } from './narrative.ts';
import type { Population } from './population.ts';
import type { ParameterRead, ParameterWarning } from './resolved-params.ts';
import type { ProgramCode, ReasonDef } from './program.ts';
import type { ProgramOutcome } from './run.ts';

export interface ReasonOut {
  readonly code: string;
  readonly text: string;
  readonly memberId?: string;
}

export interface TraceOut {
  readonly parameters: readonly ParameterRead[];
  readonly figures: readonly { name: string; value: number | boolean | string; memberId?: string }[];
  /** What a caseworker can read aloud. */
  readonly narrative: string;
}

/** One program's result for one household (the CLI's and the API's JSON shape). */
export interface ProgramResult {
  readonly program: ProgramCode;
  readonly eligible: boolean;
  readonly amountFen: number;
  readonly byMember?: Record<string, number>;
  readonly reasons: readonly ReasonOut[];
  readonly warnings: readonly ParameterWarning[];
  readonly trace?: TraceOut;
  readonly error?: string;
}

function pushReasons(out: ReasonOut[], bits: number, defs: readonly ReasonDef[], memberId?: string): void {
  for (let i = 0; i < defs.length; i++) {
    if ((bits & (1 << i)) === 0) continue;
    const d = defs[i] as ReasonDef;
    out.push(
      memberId === undefined ? { code: d.code, text: d.text } : { code: d.code, text: d.text, memberId },
    );
  }
}

type Figure = { name: string; value: number | boolean | string; memberId?: string };

/**
 * Shapes household h of an outcome as a ProgramResult. `dependencies` (outcomes of the programs it
 * depends on) add their figures to the trace, prefixed with their code, so that an explanation of
 * dibao_edge also shows dibao's countable income. `label` names members in the narrative.
 */
export function householdResult(
  outcome: ProgramOutcome,
  pop: Population,
  h: number,
  dependencies: readonly ProgramOutcome[] = [],
  label: MemberLabel = (id) => id,
): ProgramResult {
  const { program, columns, error, params } = outcome;
  if (!columns || !params) {
    return {
      program: program.code,
      eligible: false,
      amountFen: 0,
      reasons: [],
      warnings: [],
      error: error?.message ?? '无法计算',
    };
  }
  const start = pop.memberStart[h] as number;
  const end = pop.memberStart[h + 1] as number;
  const reasons: ReasonOut[] = [];
  let byMember: Record<string, number> | undefined;
  if (columns.member) {
    byMember = {};
    for (let p = start; p < end; p++) {
      const id = pop.memberIds?.[p] ?? `#${p - start}`;
      byMember[id] = columns.member.amount[p] as number;
      pushReasons(reasons, columns.member.reasons[p] as number, program.reasons, id);
    }
  } else pushReasons(reasons, columns.reasons[h] as number, program.reasons);
  const result: ProgramResult = {
    program: program.code,
    eligible: columns.eligible[h] === 1,
    amountFen: columns.amount[h] as number,
    ...(byMember ? { byMember } : {}),
    reasons,
    warnings: params.warnings,
  };
  if (!outcome.trace) return result;
  const figures: Figure[] = [];
  for (const d of dependencies)
    for (const f of d.trace?.figures ?? []) figures.push({ ...f, name: `${d.program.code}.${f.name}` });
  figures.push(...outcome.trace.figures);
  return {
    ...result,
    trace: {
      parameters: params.reads,
      figures,
      narrative: narrate(result, params.reads, outcome.trace.figures, program.name, label),
    },
  };
}
