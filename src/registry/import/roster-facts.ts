import { randomUUID } from 'node:crypto';
import type { FactLoadRow, HouseholdLoadRow, MemberLoadRow, PersonLoadRow } from './import.repository.ts';
import type { RosterHousehold } from './roster-households.ts';

/**
 * The dated economic facts of a roster: what the roster says about a person's incomes, disability,
 * employment and special categories, and about a household's assets, vehicles, homes and floor area, as
 * facts valid from the date the person joined the household (入户日期; for the household, the earliest of
 * its members'): the roster states the situation the members brought, and the engine counts a fact for a
 * month as it counts the membership (valid on the month's first day). Source 申报 (declared, the lowest
 * rank: a verification outranks it), except special categories, which are determinations (认定). Values
 * equal to the engine's defaults (0, no, one home) need no fact.
 */
export function rosterFacts(
  households: readonly RosterHousehold[],
  householdRows: readonly HouseholdLoadRow[],
  personRows: readonly PersonLoadRow[],
  memberRows: readonly MemberLoadRow[],
  meta: { sourceRef: string; recordedBy: string | null },
): FactLoadRow[] {
  const out: FactLoadRow[] = [];
  const joined = new Map(memberRows.map((m) => [m.personId, m.validFrom]));
  const base = (
    districtCode: string,
    subjectId: string,
    subjectType: 'person' | 'household',
    validFrom: string,
  ) => ({
    districtCode,
    subjectId,
    id: randomUUID(),
    subjectType,
    category: null,
    amountFen: null,
    quantity: null,
    flag: null,
    disabilityCategory: null,
    disabilityGrade: null,
    validFrom,
    sourceKind: 'declared' as const,
    sourceRef: meta.sourceRef,
    recordedBy: meta.recordedBy,
  });
  for (const p of personRows) {
    const from = joined.get(p.id)!;
    const fact = (kind: string, value: Partial<FactLoadRow>) =>
      out.push({ ...base(p.districtCode, p.id, 'person', from), kind, ...value });
    if (p.wageFen > 0) fact('wage', { amountFen: p.wageFen });
    if (p.pensionFen > 0) fact('pension', { amountFen: p.pensionFen });
    if (p.otherIncomeFen > 0) fact('other_income', { amountFen: p.otherIncomeFen });
    if (p.disabilityCategory !== null && p.disabilityGrade !== null) {
      fact('disability', { disabilityCategory: p.disabilityCategory, disabilityGrade: p.disabilityGrade });
    }
    if (p.employed) fact('employment', { flag: true });
    for (const category of p.categories) fact('category', { category, sourceKind: 'decision' });
  }
  households.forEach((h, i) => {
    const row = householdRows[i]!;
    const from = h.members.map((m) => m.joinDate).reduce((a, b) => (a < b ? a : b));
    const fact = (kind: string, value: Partial<FactLoadRow>) =>
      out.push({ ...base(row.districtCode, row.id, 'household', from), kind, ...value });
    if (row.monetaryAssetsFen > 0) fact('monetary_assets', { amountFen: row.monetaryAssetsFen });
    if (row.vehicles > 0) fact('vehicles', { quantity: row.vehicles });
    if (row.homes !== 1) fact('homes', { quantity: row.homes });
    if (row.perCapitaFloorAreaBelowAverage) fact('floor_area_below_average', { flag: true });
  });
  return out;
}
