import type { Category } from '../../policy/household.ts';
import { isCategory } from '../codes.ts';
import {
  FACT_KINDS,
  HOUSEHOLD_DEFAULTS,
  PERSON_DEFAULTS,
  SOURCE_RANK,
  type FactKind,
  type HouseholdFigures,
  type PersonFigures,
  type ResolvableFact,
} from './facts.types.ts';

/**
 * The contract for turning dated facts into the figures of a month — implemented once, here, as pure
 * functions (facts.repository.ts repeats it in SQL for bulk reads; a test holds the two to the same answers):
 *
 * 1. A fact counts for month M when it is valid on M's first day: valid_from ≤ day < valid_to (valid_to
 *    exclusive, null = open), and it is not voided by a correction.
 * 2. Special categories come only from 认定 facts: a member has a category when a 认定 fact of it counts.
 * 3. For every other state kind one fact wins: the highest source rank (核对 > 部门 > 申报), then the later
 *    valid_from, then the later recording (recorded_at), then the larger id (only so that the answer is
 *    always the same).
 * 4. Spending (medical, education) for month M is the sum of the spending facts dated (valid_from) in the
 *    twelve months before M — from the first day of M−12 to the last day of M−1 — counting only the facts of
 *    the highest-ranked source among those dated in the window (a 核对 figure covers the year and replaces
 *    the declared bills instead of adding to them).
 * 5. No fact: SPEC.md's default (money 0, flags false, homes 1, a supporter, no disability).
 *
 * "As of a date" D that is not a month's first day (the console's date picker) reads the state kinds on D
 * and the spending of the twelve months before D's month.
 */

const ISO_DATE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The first day of the twelve-month spending window of the month containing `date` (YYYY-MM-DD). */
export function spendingWindowStart(date: string): string {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not an ISO date: ${date}`);
  return `${String(Number(m[1]) - 1).padStart(4, '0')}-${m[2]}-01`;
}

/** The day after the spending window (the first day of `date`'s month). */
export function spendingWindowEnd(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** Rule 1 for one fact. */
export function holdsOn(
  fact: Pick<ResolvableFact, 'validFrom' | 'validTo' | 'voidedAt'>,
  day: string,
): boolean {
  return fact.voidedAt === null && fact.validFrom <= day && (fact.validTo === null || fact.validTo > day);
}

/** Rule 3's order: positive when `a` beats `b`. */
export function compareFacts(
  a: Pick<ResolvableFact, 'sourceKind' | 'validFrom' | 'recordedAt' | 'id'>,
  b: Pick<ResolvableFact, 'sourceKind' | 'validFrom' | 'recordedAt' | 'id'>,
): number {
  return (
    SOURCE_RANK[a.sourceKind] - SOURCE_RANK[b.sourceKind] ||
    cmp(a.validFrom, b.validFrom) ||
    cmp(normalInstant(a.recordedAt), normalInstant(b.recordedAt)) ||
    cmp(a.id.toLowerCase(), b.id.toLowerCase())
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** ISO instants compare as strings only in one format: the UTC form with milliseconds. */
function normalInstant(value: string): string {
  return value.endsWith('Z') && value.length === 24 ? value : new Date(value).toISOString();
}

/** The winning fact of a state kind on `day` among `facts` (any subjects and kinds may be mixed in). */
export function winningFact<F extends ResolvableFact>(
  facts: readonly F[],
  kind: FactKind,
  day: string,
): F | undefined {
  let best: F | undefined;
  for (const f of facts) {
    if (f.kind !== kind || !holdsOn(f, day)) continue;
    if (best === undefined || compareFacts(f, best) > 0) best = f;
  }
  return best;
}

/** Rule 4: the spending of `kind` counted for the month of `day`. */
export function spendingFor(facts: readonly ResolvableFact[], kind: FactKind, day: string): number {
  const from = spendingWindowStart(day);
  const to = spendingWindowEnd(day);
  let rank = 0;
  let sum = 0;
  for (const f of facts) {
    if (f.kind !== kind || f.voidedAt !== null || f.validFrom < from || f.validFrom >= to) continue;
    const r = SOURCE_RANK[f.sourceKind];
    if (r > rank) [rank, sum] = [r, 0];
    if (r === rank) sum += f.amountFen ?? 0;
  }
  return sum;
}

/** Rule 2: the categories counted on `day`, in SPEC.md's order. */
export function categoriesOn(facts: readonly ResolvableFact[], day: string): Category[] {
  const held = new Set<Category>();
  for (const f of facts) {
    if (f.kind === 'category' && f.sourceKind === 'decision' && f.category !== null && holdsOn(f, day)) {
      if (isCategory(f.category)) held.add(f.category);
    }
  }
  return CATEGORY_ORDER.filter((c) => held.has(c));
}

const CATEGORY_ORDER: readonly Category[] = [
  'tekun',
  'kunjing_child',
  'orphan',
  'traditional',
  'rural_youth',
  'anhui_resettled_1',
  'anhui_resettled_2',
];

/** A person's figures on `day` from that person's facts (facts of other subjects must not be passed). */
export function resolvePerson(facts: readonly ResolvableFact[], day: string): PersonFigures {
  const money = (kind: FactKind) => winningFact(facts, kind, day)?.amountFen ?? 0;
  const flag = (kind: FactKind, fallback: boolean) => winningFact(facts, kind, day)?.flag ?? fallback;
  const disability = winningFact(facts, 'disability', day);
  return {
    wageFen: money('wage'),
    pensionFen: money('pension'),
    otherIncomeFen: money('other_income'),
    disabilityCategory: disability?.disabilityCategory ?? PERSON_DEFAULTS.disabilityCategory,
    disabilityGrade: disability?.disabilityGrade ?? PERSON_DEFAULTS.disabilityGrade,
    employed: flag('employment', PERSON_DEFAULTS.employed),
    seriousIllness: flag('serious_illness', PERSON_DEFAULTS.seriousIllness),
    hasSupporter: flag('supporter', PERSON_DEFAULTS.hasSupporter),
    categories: categoriesOn(facts, day),
  };
}

/** A household's figures on `day` from that household's facts. */
export function resolveHousehold(facts: readonly ResolvableFact[], day: string): HouseholdFigures {
  const win = (kind: FactKind) => winningFact(facts, kind, day);
  return {
    monetaryAssetsFen: win('monetary_assets')?.amountFen ?? HOUSEHOLD_DEFAULTS.monetaryAssetsFen,
    vehicles: win('vehicles')?.quantity ?? HOUSEHOLD_DEFAULTS.vehicles,
    homes: win('homes')?.quantity ?? HOUSEHOLD_DEFAULTS.homes,
    perCapitaFloorAreaBelowAverage:
      win('floor_area_below_average')?.flag ?? HOUSEHOLD_DEFAULTS.perCapitaFloorAreaBelowAverage,
    medicalExpenseAnnualFen: spendingFor(facts, 'medical_expense', day),
    educationExpenseAnnualFen: spendingFor(facts, 'education_expense', day),
  };
}

/** Facts grouped by subject id (one pass), for resolving many subjects from one list. */
export function factsBySubject<F extends ResolvableFact>(facts: Iterable<F>): Map<string, F[]> {
  const out = new Map<string, F[]>();
  for (const f of facts) {
    const list = out.get(f.subjectId);
    if (list) list.push(f);
    else out.set(f.subjectId, [f]);
  }
  return out;
}

/**
 * The facts that count on `day` for a subject: the winner of each state kind, every counting category,
 * and the spending facts summed for the month (what the console marks as 计入).
 */
export function countingFactIds(facts: readonly ResolvableFact[], day: string): Set<string> {
  const ids = new Set<string>();
  const from = spendingWindowStart(day);
  const to = spendingWindowEnd(day);
  for (const kind of new Set(facts.map((f) => f.kind))) {
    const info = FACT_KINDS[kind];
    if (kind === 'category') {
      for (const f of facts) if (f.kind === 'category' && holdsOn(f, day)) ids.add(f.id);
    } else if (info.spending) {
      const dated = facts.filter(
        (f) => f.kind === kind && f.voidedAt === null && f.validFrom >= from && f.validFrom < to,
      );
      const top = Math.max(0, ...dated.map((f) => SOURCE_RANK[f.sourceKind]));
      for (const f of dated) if (SOURCE_RANK[f.sourceKind] === top) ids.add(f.id);
    } else {
      const w = winningFact(facts, kind, day);
      if (w) ids.add(w.id);
    }
  }
  return ids;
}
