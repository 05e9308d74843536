import type { PayableEntitlementRow } from '../../entitlements/entitlement.repository.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { engineAmounts, householdsOf, programReads, type EngineAmount } from './engine.ts';
import type { RunParameters } from './parameters.ts';
import { addMonths, monthsBetween } from './periods.ts';

/**
 * 补发 (docs/payroll.md 补发): what the batch's entitlements are owed for months before the run's month,
 * one item per period (the caller compares each with the ledger: due − accrued is an arrears line, a negative
 * difference a recovery item). Two causes, both reaching back no further than the district's first run
 * (before it the going-live import's opening entries stand for what was paid):
 *
 * - a decision since the last run whose amount applies from a month already past (a grant back-dated, a
 *   change case's new amount from its effective month): due = the entitlement's amount; a period never paid
 *   is owed whole;
 * - an approved parameter change since the last run, effective before this month (the 困境儿童 1800 → 1900
 *   decided in 2020-01 for all of 2019): due = the engine at that month with the parameters in force, for the
 *   programs reading a changed parameter, where the engine with the parameters before the change gives what
 *   was accrued (the change explains the difference; anything else is not the run's to pay).
 *
 * Monthly entitlements only: a quarter (老年综合津贴) is paid whole in its opening month, a one-off once.
 */

export interface ArrearsItem {
  entitlementId: string;
  period: string;
  dueFen: number;
  engineFen: number | null;
  basisKind: 'decision' | 'parameter_change';
  basisRef: string | null;
  /** A period never paid is owed whole (a back-dated decision), not only a difference. */
  neverPaidOwed: boolean;
  /** The parameter change explains the difference only when this much was accrued (null: no condition). */
  accruedIfExplained: number | null;
}

const amountOf = (a: EngineAmount | undefined): number | null =>
  a !== undefined && 'amountFen' in a ? a.amountFen : null;

const later = (a: string, b: string) => (a > b ? a : b);

export async function arrearsOfBatch(
  tx: WorkTx,
  batch: { districtCode: string; month: string },
  ents: readonly PayableEntitlementRow[],
  earlier: { firstMonth: string | null; lastCreatedAt: string | null },
  params: RunParameters,
  decidedNow: ReadonlyMap<string, { held: string | null }>,
): Promise<ArrearsItem[]> {
  const { districtCode: d, month } = batch;
  if (earlier.firstMonth === null || earlier.lastCreatedAt === null) return [];
  const lastMonth = addMonths(month, -1);
  const start = earlier.firstMonth;
  const since = Date.parse(earlier.lastCreatedAt);
  const items = new Map<string, ArrearsItem>();
  const monthly = ents.filter((e) => e.schedule === 'monthly' && decidedNow.get(e.id)?.held === null);
  const payableIn = (e: PayableEntitlementRow, p: string) =>
    e.fromMonth <= p && (e.toMonth === null || e.toMonth >= p);

  for (const e of monthly) {
    if (Date.parse(e.amountSetAt) <= since) continue;
    const from = later(later(e.amountEffectiveMonth ?? e.fromMonth, e.fromMonth), start);
    for (const p of monthsBetween(from, lastMonth)) {
      if (!payableIn(e, p)) continue;
      items.set(`${e.id}|${p}`, {
        entitlementId: e.id,
        period: p,
        dueFen: e.amountFen,
        engineFen: null,
        basisKind: 'decision',
        basisRef: null,
        neverPaidOwed: true,
        accruedIfExplained: null,
      });
    }
  }

  const back = (await params.approvedChangesSince(tx.db, d, earlier.lastCreatedAt))
    .filter((c) => (c.districtCode === null || c.districtCode === d) && c.effective.slice(0, 7) < month)
    .sort((a, b) => (a.approvedAt < b.approvedAt ? -1 : a.approvedAt > b.approvedAt ? 1 : 0));
  if (back.length === 0) return [...items.values()];
  const paths = new Set(back.map((c) => c.path));
  const affected = monthly.filter((e) => programReads(e.program, paths));
  if (affected.length === 0) return [...items.values()];
  const store = params.inForce().forDistrict(d);
  const before = new Date(Date.parse(back[0]!.approvedAt) - 1).toISOString();
  const old = (await params.approvedAsOf(tx.db, before)).forDistrict(d);
  const firstEffective = back.reduce(
    (m, c) => (c.effective.slice(0, 7) < m ? c.effective.slice(0, 7) : m),
    month,
  );
  for (const p of monthsBetween(later(firstEffective, start), lastMonth)) {
    const subjects = affected.filter((e) => payableIn(e, p));
    if (subjects.length === 0) continue;
    const ids = [...new Set(subjects.map((e) => e.householdId))].sort();
    const houses = await householdsOf(tx.db, d, ids, p);
    const now = engineAmounts(houses, subjects, p, store);
    const then = engineAmounts(houses, subjects, p, old);
    for (const e of subjects) {
      const n = amountOf(now.get(e.id));
      const o = amountOf(then.get(e.id));
      if (n === null || o === null || n === o) continue;
      const change = back.find((c) => programReads(e.program, new Set([c.path])))!;
      items.set(`${e.id}|${p}`, {
        entitlementId: e.id,
        period: p,
        dueFen: n,
        engineFen: n,
        basisKind: 'parameter_change',
        basisRef: change.id,
        neverPaidOwed: false,
        accruedIfExplained: o,
      });
    }
  }
  return [...items.values()];
}
