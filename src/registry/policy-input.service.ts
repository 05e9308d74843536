import type { DataScope } from '../auth/scope.ts';
import type { Db, Store } from '../db/store.ts';
import type { PolicyHousehold, PolicyMember } from '../policy/household.ts';
import type { PopulationSource } from '../policy/index.ts';
import { DISABILITY_KIND_BY_CATEGORY, isDisabilityCategory, isDisabilityGrade } from './codes.ts';
import { factsBySubject, resolveHousehold, resolvePerson } from './facts/facts.resolver.ts';
import { factsOfSubjects } from './facts/facts.repository.ts';
import type { HouseholdFigures, PersonFigures, ResolvableFact } from './facts/facts.types.ts';
import { householdMemberRows } from './household.repository.ts';
import {
  copyRows,
  householdIdPage,
  householdSplits,
  policyInputRows,
  policyInputSql,
  scopeDistricts,
  type PolicyInputRow,
} from './policy-input.repository.ts';
import { packedHousehold } from './policy-input.unpack.ts';
import { RegistryError } from './registry.errors.ts';
import type { PolicyHouseholdRow } from './registry.types.ts';

/**
 * The registry's side of the engine's household input (SPEC.md interchange format) for a month: the
 * members are the memberships that count in the month (countsInMonth), and every economic figure comes from
 * the dated facts resolved for the month (facts/facts.resolver.ts: valid on the month's first day, source
 * rank, twelve months of spending). The undated columns on persons and households are never read here.
 */

export function monthBounds(month: string): { first: string; last: string } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new RegistryError('validation', `月份「${month}」无效，应为 YYYY-MM`, 'month');
  const lastDay = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(lastDay).padStart(2, '0')}` };
}

/** A membership with what the engine needs of its person (registry fields, not economic ones). */
export interface PolicyMemberRow {
  membership: { householdId: string; validFrom: string; validTo: string | null; seq: number };
  person: {
    id: string;
    birthDate: string;
    deathDate: string | null;
    hukouDivisionCode: string;
    /** Only a single household's rows carry the name (for the explanation); batch reads leave it out. */
    name?: string;
  };
}

/** A member row with the person's figures resolved for the month. */
export interface ResolvedMemberRow extends PolicyMemberRow {
  figures: PersonFigures;
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

function toPolicyMember({ person: p, figures: f }: ResolvedMemberRow): PolicyMember {
  const category = f.disabilityCategory;
  const grade = f.disabilityGrade;
  return {
    id: p.id,
    // Display only (the engine's explanation names members by it); no rule reads it.
    ...(p.name ? { name: p.name } : {}),
    birthDate: p.birthDate,
    hukou: p.hukouDivisionCode.startsWith('31') ? 'shanghai' : 'other',
    wageFen: f.wageFen,
    pensionFen: f.pensionFen,
    otherIncomeFen: f.otherIncomeFen,
    disabilityGrade: grade !== null && isDisabilityGrade(grade) ? grade : null,
    disabilityKind:
      category !== null && isDisabilityCategory(category) ? DISABILITY_KIND_BY_CATEGORY[category] : null,
    seriousIllness: f.seriousIllness,
    employed: f.employed,
    hasSupporter: f.hasSupporter,
    categories: [...f.categories],
  };
}

/**
 * Maps a household's figures and its membership rows (any rows: those not counting in `month` are left out)
 * to the engine's input. Members appear once, in seq order. Temporary-assistance months and renovation cost
 * come from a case, not the registry, so they are 0 here.
 */
export function toPolicyHousehold(
  householdId: string,
  figures: HouseholdFigures,
  members: readonly ResolvedMemberRow[],
  month: string,
): PolicyHousehold {
  const bounds = monthBounds(month);
  const seen = new Set<string>();
  const counted = members
    .filter((row) => row.membership.householdId === householdId && countsInMonth(row, bounds))
    .sort((a, b) => a.membership.seq - b.membership.seq || (a.person.id < b.person.id ? -1 : 1))
    .filter((row) => !seen.has(row.person.id) && seen.add(row.person.id) !== undefined);
  return {
    ...figures,
    temporaryAssistanceMonths: 0,
    renovationCostFen: 0,
    members: counted.map(toPolicyMember),
  };
}

/**
 * The engine input of one household from its facts and its members' facts, by the pure resolver (the
 * console's single household, the demo generator): the same answer the bulk SQL gives.
 */
export function policyHouseholdFromFacts(
  householdId: string,
  householdFacts: readonly ResolvableFact[],
  members: readonly PolicyMemberRow[],
  personFacts: ReadonlyMap<string, readonly ResolvableFact[]>,
  month: string,
): PolicyHousehold {
  const { first } = monthBounds(month);
  const resolved = members.map((row) => ({
    ...row,
    figures: resolvePerson(personFacts.get(row.person.id) ?? [], first),
  }));
  return toPolicyHousehold(householdId, resolveHousehold(householdFacts, first), resolved, month);
}

/**
 * A registered household (the caller has found it in its scope) as the engine's input for `month`: its
 * whole membership history and the facts of the household and of everyone who was ever a member.
 */
export async function policyHouseholdOf(
  db: Db,
  household: { districtCode: string; id: string },
  month: string,
): Promise<PolicyHousehold> {
  monthBounds(month);
  const rows = await householdMemberRows(db, household.districtCode, household.id, false);
  const personIds = [...new Set(rows.map((r) => r.person.id))];
  const facts = await factsOfSubjects(db, household.districtCode, [household.id, ...personIds]);
  const bySubject = factsBySubject(facts);
  const members: PolicyMemberRow[] = rows.map((r) => ({
    membership: r.membership,
    person: {
      id: r.person.id,
      birthDate: r.person.birthDate,
      deathDate: r.person.deathDate,
      hukouDivisionCode: r.person.hukouDivisionCode,
      name: r.person.name,
    },
  }));
  return policyHouseholdFromFacts(household.id, bySubject.get(household.id) ?? [], members, bySubject, month);
}

// ---- bulk ----------------------------------------------------------------------------------------

function toRow(
  districtCode: string,
  row: PolicyInputRow,
  bounds: { first: string; last: string },
): PolicyHouseholdRow | undefined {
  const household = packedHousehold(row, bounds);
  if (!household) return undefined;
  const out: PolicyHouseholdRow = { districtCode, householdId: row.household_id, household };
  if (row.area_code !== undefined) out.areaCode = row.area_code;
  return out;
}

/**
 * Parts a district is read in on a PostgreSQL server (one connection each), from this many households on.
 * Two: the CI and demo servers have two cores, and the client needs its share of them.
 */
const PARALLEL_PARTS = 2;
const PARALLEL_FROM_HOUSEHOLDS = 50_000;

/** An async generator already asked for its first item (so that its work starts now), replayed in order. */
function primed<T>(generator: AsyncGenerator<T>): AsyncGenerator<T> {
  const first = generator.next();
  // A failure surfaces when the part is consumed; until then it must not count as unhandled.
  first.catch(() => undefined);
  let started = false;
  const replay: AsyncGenerator<T> = {
    next: async () => {
      if (!started) {
        started = true;
        return first;
      }
      return generator.next();
    },
    return: async (value) => {
      if (!started) {
        started = true;
        await first.catch(() => undefined);
      }
      return generator.return(value);
    },
    throw: (error) => generator.throw(error),
    [Symbol.asyncIterator]() {
      return replay;
    },
  } as AsyncGenerator<T>;
  return replay;
}

function isStore(value: Db | Store | { db: Db }): value is Store {
  return 'transaction' in value && 'kind' in value;
}

/**
 * Every household of the scope with at least one member counting in `month`, as engine input, district by
 * district in (district_code, id) order, memory constant whatever the population.
 *
 * On a PostgreSQL server each district is one statement streamed with COPY (one pass over the district's
 * tables, in parallel where the server finds it cheaper, the facts resolved in SQL). On PGlite, or given a bare handle, households are read in
 * keyset batches of `batchSize`, each one short statement, so that other requests interleave on the one
 * embedded backend.
 */
export async function* streamPolicyHouseholds(
  source: Db | Store | { db: Db },
  scope: DataScope,
  month: string,
  options: { batchSize?: number; parts?: number; area?: 'street' | 'committee' } = {},
): AsyncGenerator<PolicyHouseholdRow> {
  const bounds = monthBounds(month);
  const db = 'db' in source ? source.db : source;
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  for (const districtCode of await scopeDistricts(db, scope)) {
    const query = { districtCode, scope, first: bounds.first, last: bounds.last, area: options.area };
    if (isStore(source) && source.kind === 'postgres' && options.batchSize === undefined) {
      // A large district in parts, each its own statement on its own connection, all started at once: the
      // server works on every part in parallel while the rows are consumed part after part, in id order.
      const splits = await householdSplits(
        db,
        districtCode,
        scope,
        options.parts ?? PARALLEL_PARTS,
        options.parts === undefined ? PARALLEL_FROM_HOUSEHOLDS : 1,
      );
      const bounds_ = [undefined, ...splits];
      const parts = bounds_.map((from, i) =>
        primed(
          copyRows(
            source,
            policyInputSql(
              splits.length === 0 ? query : { ...query, part: { from, before: bounds_[i + 1] } },
            ),
          ),
        ),
      );
      try {
        for (const part of parts) {
          for await (const rows of part) {
            for (const row of rows) {
              const out = toRow(districtCode, row, bounds);
              if (out) yield out;
            }
          }
        }
      } finally {
        // A consumer that stops early ends every part's transaction, started or not.
        await Promise.all(parts.map((p) => p.return(undefined)));
      }
      continue;
    }
    let after: string | undefined;
    for (;;) {
      const ids = await householdIdPage(db, districtCode, scope, after, batchSize);
      if (ids.length === 0) break;
      const range = { from: ids[0]!, to: ids[ids.length - 1]! };
      for (const row of await policyInputRows(db, { ...query, range })) {
        const out = toRow(districtCode, row, bounds);
        if (out) yield out;
      }
      after = range.to;
      if (ids.length < batchSize) break;
    }
  }
}

/** The level a simulation's totals are grouped by: each household's district, street or 居委会. */
export type AreaLevel = 'district' | 'street' | 'committee';

/**
 * The scope's households as a population source for the engine's batch (simulate), each labelled with its
 * area at `area`'s level (district by default: the street or 居委会 costs a join, paid only when asked).
 */
export async function* registryPolicySource(
  source: Db | Store | { db: Db },
  scope: DataScope,
  month: string,
  options: { area?: AreaLevel } = {},
): PopulationSource {
  const level = options.area ?? 'district';
  const read = level === 'district' ? {} : { area: level };
  for await (const row of streamPolicyHouseholds(source, scope, month, read)) {
    yield { household: row.household, area: row.areaCode ?? row.districtCode };
  }
}
