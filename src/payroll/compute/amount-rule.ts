import type { PayableEntitlementRow } from '../../entitlements/entitlement.repository.ts';
import type { AmountFollow } from '../../entitlements/entitlement.service.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { NewLine } from './compute.repository.ts';
import { engineAmounts, programReads, type EngineAmount, type householdsOf } from './engine.ts';
import type { ApprovedChange, RunParameters } from './parameters.ts';
import { addMonths } from './periods.ts';

/**
 * 金额规则 (docs/payroll.md 计算): what each line of a batch pays, and why — the entitlement's amount, the
 * engine's after an approved parameter change or an age band, or held for review.
 */

export const HOLD_MISMATCH = '金额与认定不一致，待复核';

const amountOf = (a: EngineAmount | undefined): number | null =>
  a !== undefined && 'amountFen' in a ? a.amountFen : null;

export interface Decided {
  amountFen: number;
  basisKind: NewLine['basisKind'];
  basisRef: string | null;
  held: string | null;
  engine: number | null;
  follow?: AmountFollow;
}

/**
 * The amount rule for the batch's entitlements: engine = entitlement → paid as is; otherwise an approved
 * parameter change since the entitlement's amount was set that explains it (the engine with the parameters
 * as they were before it gives the entitlement's amount) → paid at the engine's amount, the entitlement
 * follows; a 老年综合津贴 moved by age alone (the engine at the month before gives the old amount) → the
 * same, basis rule `age_band`; anything else, or an engine error → held at the entitlement's amount.
 */
export async function decideAmounts(
  tx: WorkTx,
  districtCode: string,
  month: string,
  ents: readonly PayableEntitlementRow[],
  houses: Awaited<ReturnType<typeof householdsOf>>,
  params: RunParameters,
): Promise<Map<string, Decided>> {
  const store = params.inForce().forDistrict(districtCode);
  const comparable = ents.filter((e) => e.schedule !== 'once');
  const now = engineAmounts(houses, comparable, month, store);
  const out = new Map<string, Decided>();
  const mismatched: PayableEntitlementRow[] = [];
  for (const e of ents) {
    if (e.schedule === 'once') {
      // 一次性 (临时救助、适老化改造): the amount is the decided case's; the registry holds none of its inputs.
      out.set(e.id, {
        amountFen: e.amountFen,
        basisKind: 'decision',
        basisRef: null,
        held: null,
        engine: null,
      });
      continue;
    }
    const a = now.get(e.id);
    if (a === undefined || 'error' in a) {
      const why = a && 'error' in a ? a.error : '无法计算';
      out.set(e.id, {
        amountFen: e.amountFen,
        basisKind: 'entitlement',
        basisRef: null,
        held: `引擎无法计算：${why}`,
        engine: null,
      });
      continue;
    }
    if (a.amountFen === e.amountFen) {
      out.set(e.id, {
        amountFen: e.amountFen,
        basisKind: 'entitlement',
        basisRef: null,
        held: null,
        engine: a.amountFen,
      });
      continue;
    }
    mismatched.push(e);
  }
  if (mismatched.length === 0) return out;

  // Parameter changes approved since the earliest of these amounts was set, in force for the month.
  const since = mismatched.reduce(
    (m, e) => (e.amountSetAt < m ? e.amountSetAt : m),
    mismatched[0]!.amountSetAt,
  );
  const changes = (await params.approvedChangesSince(tx.db, districtCode, since))
    .filter(
      (c) => (c.districtCode === null || c.districtCode === districtCode) && c.effective.slice(0, 7) <= month,
    )
    .sort((a, b) => (a.approvedAt < b.approvedAt ? -1 : a.approvedAt > b.approvedAt ? 1 : 0));
  const byChange = new Map<string, { change: ApprovedChange; ents: PayableEntitlementRow[] }>();
  for (const e of mismatched) {
    const first = changes.find(
      (c) =>
        Date.parse(c.approvedAt) > Date.parse(e.amountSetAt) && programReads(e.program, new Set([c.path])),
    );
    if (!first) continue;
    const group = byChange.get(first.id) ?? { change: first, ents: [] };
    group.ents.push(e);
    byChange.set(first.id, group);
  }
  const explained = new Map<string, ApprovedChange>();
  for (const { change, ents: group } of byChange.values()) {
    const before = new Date(Date.parse(change.approvedAt) - 1).toISOString();
    const old = (await params.approvedAsOf(tx.db, before)).forDistrict(districtCode);
    const then = engineAmounts(houses, group, month, old);
    for (const e of group) if (amountOf(then.get(e.id)) === e.amountFen) explained.set(e.id, change);
  }
  // Moved by age alone: the engine at the period paid before this one (the month before; the quarter before
  // for a quarterly payment, whose birthday may fall in any month since) gives the entitlement's amount.
  const elderly = mismatched.filter((e) => !explained.has(e.id) && e.program === 'elderly_allowance');
  const previous = new Map<string, EngineAmount>();
  for (const [schedule, back] of [
    ['monthly', -1],
    ['quarterly', -3],
  ] as const) {
    const group = elderly.filter((e) => e.schedule === schedule);
    for (const [id, a] of engineAmounts(houses, group, addMonths(month, back), store)) previous.set(id, a);
  }
  for (const e of mismatched) {
    const engine = amountOf(now.get(e.id))!;
    const change = explained.get(e.id);
    if (change) {
      const effective = change.effective.slice(0, 7);
      out.set(e.id, {
        amountFen: engine,
        basisKind: 'parameter_change',
        basisRef: change.id,
        held: null,
        engine,
        follow: {
          id: e.id,
          version: e.version,
          amountFen: engine,
          rule: `parameter_change:${change.id}`,
          effectiveMonth: effective > e.fromMonth ? effective : e.fromMonth,
          reason: `政策参数调整（${change.path}，${change.effective} 起）后待遇金额随之调整`,
        },
      });
    } else if (e.program === 'elderly_allowance' && amountOf(previous.get(e.id)) === e.amountFen) {
      out.set(e.id, {
        amountFen: engine,
        basisKind: 'rule',
        basisRef: 'age_band',
        held: null,
        engine,
        follow: {
          id: e.id,
          version: e.version,
          amountFen: engine,
          rule: 'age_band',
          effectiveMonth: month,
          reason: '年龄进入老年综合津贴下一档，金额随之调整',
        },
      });
    } else {
      out.set(e.id, {
        amountFen: e.amountFen,
        basisKind: 'entitlement',
        basisRef: null,
        held: HOLD_MISMATCH,
        engine,
      });
    }
  }
  return out;
}
