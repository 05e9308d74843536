import { divisionScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import type { PolicyHousehold } from '../../policy/household.ts';
import { parseMonth, type ParameterStore, type ProgramCode } from '../../policy/index.ts';
import { populationOf } from '../../policy/engine/population.ts';
import { fullReads, runPrograms } from '../../policy/engine/run.ts';
import { policyInputRows } from '../../registry/policy-input.repository.ts';
import { monthBounds } from '../../registry/policy-input.service.ts';
import { packedHousehold } from '../../registry/policy-input.unpack.ts';

/**
 * The engine's amounts for a batch of entitlements (docs/payroll.md 计算): the households' engine input for a
 * month read in bulk (the set-based statement of bench/registry and simulate: policy-input.repository.ts, by
 * household id range), evaluated with the population kernels (one pass per program over the batch).
 */

export interface EngineSubject {
  id: string;
  program: string;
  householdId: string;
  personId: string | null;
}

/** A monthly amount in fen, or the reason the engine could not compute it. */
export type EngineAmount = { amountFen: number } | { error: string };

/**
 * The engine input of the batch's households (`ids` in id order) for `month`; absent: nobody counts that month.
 * Read by key range and id list: the households the batch pays, not every one between its first and last.
 */
export async function householdsOf(
  db: Db,
  districtCode: string,
  ids: readonly string[],
  month: string,
): Promise<Map<string, PolicyHousehold>> {
  const bounds = monthBounds(month);
  const rows =
    ids.length === 0
      ? []
      : await policyInputRows(db, {
          districtCode,
          scope: divisionScope(districtCode),
          first: bounds.first,
          last: bounds.last,
          range: { from: ids[0]!, to: ids[ids.length - 1]! },
          ids,
        });
  const out = new Map<string, PolicyHousehold>();
  for (const row of rows) {
    const h = packedHousehold(row, bounds);
    if (h) out.set(row.household_id, h);
  }
  return out;
}

/**
 * Each subject's monthly amount for `month` under `store` (the district's view already). A household with no
 * member counting in the month, or a person no longer a member, gets 0 (the engine pays nobody).
 */
export function engineAmounts(
  households: ReadonlyMap<string, PolicyHousehold>,
  subjects: readonly EngineSubject[],
  month: string,
  store: ParameterStore,
): Map<string, EngineAmount> {
  const out = new Map<string, EngineAmount>();
  if (subjects.length === 0) return out;
  const ids = [...new Set(subjects.map((s) => s.householdId))].filter((id) => households.has(id));
  const index = new Map(ids.map((id, i) => [id, i]));
  const list = ids.map((id) => households.get(id)!);
  const programs = [...new Set(subjects.map((s) => s.program))] as ProgramCode[];
  const pop = populationOf(list);
  const outcomes = runPrograms(pop, parseMonth(month), store, programs);
  for (const s of subjects) {
    const h = index.get(s.householdId);
    const outcome = outcomes.get(s.program as ProgramCode);
    if (!outcome) {
      out.set(s.id, { error: `政策项目「${s.program}」不存在` });
      continue;
    }
    if (!outcome.columns) {
      out.set(s.id, { error: outcome.error?.message ?? '无法计算' });
      continue;
    }
    if (h === undefined) {
      out.set(s.id, { amountFen: 0 });
      continue;
    }
    if (s.personId === null || !outcome.columns.member) {
      out.set(s.id, { amountFen: Math.round(outcome.columns.amount[h] ?? 0) });
      continue;
    }
    const at = list[h]!.members.findIndex((m) => m.id === s.personId);
    const p = (pop.memberStart[h] ?? 0) + at;
    out.set(s.id, { amountFen: at < 0 ? 0 : Math.round(outcome.columns.member.amount[p] ?? 0) });
  }
  return out;
}

/** Whether a program reads (itself or through a program it depends on) any of the parameter paths. */
export function programReads(program: string, paths: ReadonlySet<string>): boolean {
  try {
    return fullReads(program as ProgramCode).some((r) => paths.has(r.path));
  } catch {
    return false;
  }
}
