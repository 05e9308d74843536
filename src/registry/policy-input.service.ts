import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import type { PolicyHousehold, PolicyMember } from '../policy/household.ts';
import type { PopulationSource } from '../policy/index.ts';
import { DISABILITY_KIND_BY_CATEGORY, isDisabilityCategory, isDisabilityGrade } from './codes.ts';
import { householdPage, policyMemberRows, type PolicyMemberRow } from './household.repository.ts';
import { RegistryError } from './registry.errors.ts';
import type { HouseholdRecord, PolicyHouseholdRow } from './registry.types.ts';

/**
 * The registry's side of the engine's household input (SPEC.md interchange format): which members
 * count in a month, and how registry rows map to PolicyHousehold.
 */

export function monthBounds(month: string): { first: string; last: string } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new RegistryError('validation', `月份「${month}」无效，应为 YYYY-MM`, 'month');
  const lastDay = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(lastDay).padStart(2, '0')}` };
}

/**
 * Whether a membership row counts for the month: it covers the month's first day; or the person was
 * born during the month and joined the household in that month (SPEC.md: a child born during the
 * month counts for the whole month). A person who died before the month does not count; one who
 * died during it does.
 */
export function countsInMonth(row: PolicyMemberRow, month: { first: string; last: string }): boolean {
  const { membership: m, person: p } = row;
  if (p.deathDate !== null && p.deathDate < month.first) return false;
  const open = m.validTo === null || m.validTo > month.first;
  if (m.validFrom <= month.first && open) return true;
  const bornInMonth = p.birthDate >= month.first && p.birthDate <= month.last;
  return (
    bornInMonth &&
    m.validFrom > month.first &&
    m.validFrom <= month.last &&
    (m.validTo === null || m.validTo > m.validFrom)
  );
}

function toPolicyMember({ person: p }: PolicyMemberRow): PolicyMember {
  const category = p.disabilityCategory;
  const grade = p.disabilityGrade;
  return {
    id: p.id,
    // Display only (the engine's explanation names members by it); no rule reads it.
    ...(p.name ? { name: p.name } : {}),
    birthDate: p.birthDate,
    hukou: p.hukouDivisionCode.startsWith('31') ? 'shanghai' : 'other',
    wageFen: p.wageFen,
    pensionFen: p.pensionFen,
    otherIncomeFen: p.otherIncomeFen,
    disabilityGrade: grade !== null && isDisabilityGrade(grade) ? grade : null,
    disabilityKind:
      category !== null && isDisabilityCategory(category) ? DISABILITY_KIND_BY_CATEGORY[category] : null,
    seriousIllness: p.seriousIllness,
    employed: p.employed,
    hasSupporter: p.hasSupporter,
    categories: [...p.categories],
  };
}

/**
 * Maps a household and its membership rows (any rows: those not counting in `month` are left out) to
 * the engine's input. Members appear once, in seq order. Registry rows carry no temporary-assistance
 * months or renovation cost: those come from a case, so they are 0 here.
 */
export function toPolicyHousehold(
  household: HouseholdRecord,
  members: readonly PolicyMemberRow[],
  month: string,
): PolicyHousehold {
  const bounds = monthBounds(month);
  const seen = new Set<string>();
  const counted = members
    .filter((row) => row.membership.householdId === household.id && countsInMonth(row, bounds))
    .sort((a, b) => a.membership.seq - b.membership.seq || (a.person.id < b.person.id ? -1 : 1))
    .filter((row) => !seen.has(row.person.id) && seen.add(row.person.id) !== undefined);
  return {
    monetaryAssetsFen: household.monetaryAssetsFen,
    vehicles: household.vehicles,
    homes: household.homes,
    perCapitaFloorAreaBelowAverage: household.perCapitaFloorAreaBelowAverage,
    medicalExpenseAnnualFen: household.medicalExpenseAnnualFen,
    educationExpenseAnnualFen: household.educationExpenseAnnualFen,
    temporaryAssistanceMonths: 0,
    renovationCostFen: 0,
    members: counted.map(toPolicyMember),
  };
}

/**
 * Every household of the scope with at least one member counting in `month`, as engine input, in
 * (district_code, id) order. Keyset pagination in batches of `batchSize` households: memory stays
 * constant whatever the population, and each batch costs one query for the households and one per district it touches for the members,
 * read by primary-key range.
 */
export async function* streamPolicyHouseholds(
  db: Db | { db: Db },
  scope: DataScope,
  month: string,
  options: { batchSize?: number } = {},
): AsyncGenerator<PolicyHouseholdRow> {
  const handle = 'db' in db ? db.db : db;
  const bounds = monthBounds(month);
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  let after: { districtCode: string; id: string } | undefined;
  for (;;) {
    const batch = await householdPage(handle, scope, after, batchSize);
    if (batch.length === 0) return;
    const byDistrict = new Map<string, HouseholdRecord[]>();
    for (const h of batch) byDistrict.set(h.districtCode, [...(byDistrict.get(h.districtCode) ?? []), h]);
    for (const [districtCode, list] of byDistrict) {
      const range = { districtCode, firstId: list[0]!.id, lastId: list[list.length - 1]!.id };
      const rows = await policyMemberRows(handle, scope, range, bounds.first, bounds.last);
      const rowsByHousehold = new Map<string, PolicyMemberRow[]>();
      for (const row of rows) {
        const key = row.membership.householdId;
        const existing = rowsByHousehold.get(key);
        if (existing) existing.push(row);
        else rowsByHousehold.set(key, [row]);
      }
      for (const h of list) {
        const household = toPolicyHousehold(h, rowsByHousehold.get(h.id) ?? [], month);
        if (household.members.length > 0) yield { districtCode, householdId: h.id, household };
      }
    }
    const last = batch[batch.length - 1]!;
    after = { districtCode: last.districtCode, id: last.id };
    if (batch.length < batchSize) return;
  }
}

/** The scope's households as a population source for the engine's batch (simulate), with districts. */
export async function* registryPolicySource(
  db: Db | { db: Db },
  scope: DataScope,
  month: string,
): PopulationSource {
  for await (const row of streamPolicyHouseholds(db, scope, month)) {
    yield { household: row.household, district: row.districtCode };
  }
}
