import type { PolicyHousehold } from '../../policy/household.ts';
import { parseMonth } from '../../policy/engine/month.ts';
import { populationOf } from '../../policy/engine/population.ts';
import { runPrograms } from '../../policy/engine/run.ts';
import { evaluateHousehold, type ParameterStore, type ProgramCode } from '../../policy/index.ts';
import { conclusionMonth, verifiedInput } from '../report/conclusion.ts';
import type { FigureKind, FigureRow, ReportBody } from '../report/report.types.ts';

/**
 * 变更清单 (pure): what a re-verification found different from the figures in force before it, and whether
 * the difference matters by the engine's reckoning.
 *
 * A change is a figure of the report that became a verified fact (a complete figure, or one an objection
 * corrected — the same rule as the report's facts) whose value differs from the one in force on the
 * request's day (the report's "declared" column: the facts resolved on that day, 核对 > 部门 > 申报).
 *
 * The engine is asked for the program on the household's input before (the figures in force), after (every
 * change in place) and with each change alone. A change affects eligibility (or the amount) when before and
 * after differ and either this change alone moves the result, or no change alone does (the result moves only
 * when they come together: then each of them is part of it). A reviewer reads "this row matters", not "some
 * row of this household matters".
 */

export interface FigureChange {
  personId: string | null;
  kind: FigureKind;
  oldValue: number;
  newValue: number;
  /** The agencies the verified figure came from, comma-separated codes (catalogue.ts). */
  source: string;
}

export interface HouseholdChanges {
  requestId: string;
  householdId: string;
  asOf: string;
  changes: (FigureChange & { affectsEligibility: boolean; affectsAmount: boolean })[];
}

/** The figures of a report that differ from those in force before (in the report's order). */
export function figureChanges(body: Pick<ReportBody, 'figures'>): FigureChange[] {
  return body.figures.flatMap((f) =>
    f.verified !== null && (f.complete || f.corrected === true) && f.verified !== f.declared
      ? [
          {
            personId: f.personId,
            kind: f.kind,
            oldValue: f.declared,
            newValue: f.verified,
            source: f.sources.join(','),
          },
        ]
      : [],
  );
}

export interface Reckoning {
  eligible: boolean;
  amountFen: number;
}

/** How the engine is asked: one population of every input (the batch API) or one household at a time. */
export type EngineMode = 'population' | 'each';

/**
 * The program's result for each input in one month. `population` builds one columnar population and runs
 * the program's kernel once (src/policy/engine); `each` calls evaluateHousehold per input (the same kernels,
 * a population of one each time). A parameter gap is thrown: the caller names it.
 */
export function reckon(
  inputs: readonly PolicyHousehold[],
  month: string,
  program: ProgramCode,
  parameters: ParameterStore,
  mode: EngineMode = 'population',
): Reckoning[] {
  if (inputs.length === 0) return [];
  if (mode === 'each') {
    return inputs.map((input) => {
      const [r] = evaluateHousehold(input, month, { programs: [program], parameters }).results;
      if (!r || r.error) throw new Error(r?.error ?? `政策项目 ${program} 未能计算`);
      return { eligible: r.eligible, amountFen: r.amountFen };
    });
  }
  const outcome = runPrograms(populationOf(inputs), parseMonth(month), parameters, [program]).get(program);
  if (!outcome?.columns) throw new Error(outcome?.error?.message ?? `政策项目 ${program} 未能计算`);
  const { eligible, amount } = outcome.columns;
  return inputs.map((_, h) => ({ eligible: eligible[h] === 1, amountFen: amount[h] as number }));
}

function inputWith(before: PolicyHousehold, changes: readonly FigureChange[]): PolicyHousehold {
  const rows: FigureRow[] = changes.map((c) => ({
    personId: c.personId,
    kind: c.kind,
    declared: c.oldValue,
    verified: c.newValue,
    difference: c.newValue - c.oldValue,
    complete: true,
    sources: [],
    flags: [],
  }));
  return verifiedInput(before, rows);
}

/**
 * The change list of many reports of one district: the figures that differ, each with its two flags. The
 * engine runs once per month of the reports over every input needed (before, after, each change alone).
 * `parameters` are the district's (ParameterStore.forDistrict).
 */
export function changesOfReports(
  reports: readonly { requestId: string; householdId: string; body: ReportBody }[],
  program: ProgramCode,
  parameters: ParameterStore,
  mode: EngineMode = 'population',
): HouseholdChanges[] {
  const byMonth = new Map<string, { r: (typeof reports)[number]; changes: FigureChange[] }[]>();
  for (const r of reports) {
    const changes = figureChanges(r.body);
    if (changes.length === 0) continue;
    const month = conclusionMonth(r.body.asOf);
    const list = byMonth.get(month) ?? [];
    list.push({ r, changes });
    byMonth.set(month, list);
  }
  const out: HouseholdChanges[] = [];
  for (const [month, list] of byMonth) {
    const inputs: PolicyHousehold[] = [];
    for (const { r, changes } of list) {
      const before = r.body.declaredInput;
      inputs.push(before, inputWith(before, changes));
      if (changes.length > 1) for (const c of changes) inputs.push(inputWith(before, [c]));
    }
    const results = reckon(inputs, month, program, parameters, mode);
    let at = 0;
    for (const { r, changes } of list) {
      const before = results[at++]!;
      const after = results[at++]!;
      const alone = changes.length > 1 ? changes.map(() => results[at++]!) : [after];
      const eligibilityMoves = before.eligible !== after.eligible;
      const amountMoves = before.amountFen !== after.amountFen;
      const anyAloneEligibility = alone.some((a) => a.eligible !== before.eligible);
      const anyAloneAmount = alone.some((a) => a.amountFen !== before.amountFen);
      out.push({
        requestId: r.requestId,
        householdId: r.householdId,
        asOf: r.body.asOf,
        changes: changes.map((c, i) => ({
          ...c,
          affectsEligibility:
            eligibilityMoves && (alone[i]!.eligible !== before.eligible || !anyAloneEligibility),
          affectsAmount: amountMoves && (alone[i]!.amountFen !== before.amountFen || !anyAloneAmount),
        })),
      });
    }
  }
  return out;
}
