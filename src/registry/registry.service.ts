import type { DataScope } from '../auth/scope.ts';
import type { Db, Store } from '../db/store.ts';
import { END_REASONS, relationName, sexName } from './codes.ts';
import { countDivisions, replaceDivisions } from './division.repository.ts';
import { divisionIndex, divisionLevel, type Division, type DivisionPath } from './divisions.ts';
import { countHouseholds, searchHouseholdRows } from './household-search.repository.ts';
import { currentMembership, findHousehold, householdMemberRows } from './household.repository.ts';
import { maskIdNumber } from './id-number.ts';
import { isUuid } from './membership.service.ts';
import {
  countCeiling,
  countPersons,
  findPerson,
  pageBounds,
  personRowsById,
  searchPersonRows,
} from './person.repository.ts';
import { normaliseInitialsQuery } from './pinyin.ts';
import { streetAndCommitteeNames, toPersonView } from './present.ts';
import { RegistryError } from './registry.errors.ts';
import type {
  HouseholdDetail,
  HouseholdRef,
  HouseholdSearch,
  HouseholdSummary,
  Page,
  PersonSearch,
  PersonSummary,
  PersonView,
} from './registry.types.ts';

/**
 * 人口信息库 service: the registry's public entry point. Other modules import from here (types,
 * errors, reads, writes, engine input, figures); only the repositories hold SQL.
 */
export type * from './registry.types.ts';
export { RegistryError, RegistryValidationError, type RegistryErrorCode } from './registry.errors.ts';
export { createHousehold, addMember, endMembership, movePerson, changeHead } from './membership.service.ts';
export { validateNewPerson, assertDivision, type Problem } from './registry.validation.ts';
export {
  toPolicyHousehold,
  streamPolicyHouseholds,
  countsInMonth,
  monthBounds,
} from './policy-input.service.ts';
export { populationFigures, perMille } from './figures.service.ts';
export { cachedPopulationFigures, type CachedFigures } from './figures.cache.ts';
export type { MemberRow, PolicyMemberRow } from './household.repository.ts';
export { nameInitials } from './pinyin.ts';
export { maskPhone } from './present.ts';
export { divisionLevel, type Division, type DivisionLevel, type DivisionPath } from './divisions.ts';

// ---- divisions ----------------------------------------------------------------------------------

/**
 * Seeds `divisions` from shanghai.json in one transaction (DELETE + COPY); skipped when the table
 * already holds the same number of rows. Safe to run at every start.
 */
export async function seedDivisions(store: Store): Promise<{ rows: number; skipped: boolean }> {
  const all = divisionIndex().all();
  if ((await countDivisions(store.db)) === all.length) return { rows: all.length, skipped: true };
  const rows = await store.transaction((tx) => replaceDivisions(tx, all));
  return { rows, skipped: false };
}

export function getDivision(code: string): Division | undefined {
  return divisionIndex().get(code);
}

export function listDivisionChildren(code: string): readonly Division[] {
  return divisionIndex().children(code);
}

/** District, street and committee of a code (names for display), or undefined for an unknown code. */
export function resolveDivisionPath(code: string): DivisionPath | undefined {
  return divisionIndex().path(code);
}

// ---- reads --------------------------------------------------------------------------------------

function normalisePersonSearch(q: PersonSearch): PersonSearch {
  const out: PersonSearch = { ...q };
  if (q.name !== undefined) out.name = q.name.normalize('NFC').trim() || undefined;
  if (q.initials !== undefined) out.initials = normaliseInitialsQuery(q.initials) || undefined;
  if (q.idNumber !== undefined) {
    const id = q.idNumber.trim().toUpperCase();
    if (id && id.length !== 18 && id.length !== 4) {
      throw new RegistryError('validation', '身份证号查询应为18位完整号码或后4位', 'idNumber');
    }
    out.idNumber = id || undefined;
  }
  if (q.divisionCode !== undefined) {
    const code = q.divisionCode.trim();
    const level = divisionLevel(code);
    if (code && level !== 'district' && level !== 'street' && level !== 'committee') {
      throw new RegistryError(
        'validation',
        `区划代码「${code}」应为6位区、9位街道或12位居委会代码`,
        'divisionCode',
      );
    }
    out.divisionCode = code || undefined;
  }
  return out;
}

/**
 * The total of a search from the match count its page carries (counted up to the page's count ceiling
 * + 1 by the same statement); a page past the end carries none and counts alone.
 */
async function pageTotal(
  rows: readonly { matches: number }[],
  page: { limit: number; offset: number },
  count: (ceiling: number) => Promise<number>,
): Promise<{ total: number; totalExact: boolean }> {
  const ceiling = countCeiling(page);
  const n = rows[0]?.matches ?? (page.offset === 0 ? 0 : await count(ceiling));
  return n > ceiling ? { total: ceiling, totalExact: false } : { total: n, totalExact: true };
}

/**
 * 人员查询: name (prefix, or substring with nameMatch 'contains'), pinyin initials (prefix), ID number
 * (18 characters exact, or the last 4), division; scoped; ID numbers masked unless `unmask`.
 */
export async function searchPersons(
  db: Db,
  scope: DataScope,
  query: PersonSearch,
): Promise<Page<PersonSummary>> {
  const q = normalisePersonSearch(query);
  const page = pageBounds(q.limit, q.offset);
  const rows = await searchPersonRows(db, scope, q, page);
  const total = await pageTotal(rows, page, (ceiling) => countPersons(db, scope, q, ceiling));
  const unmask = q.unmask === true;
  return {
    ...page,
    ...total,
    rows: rows.map((r) => ({
      districtCode: r.districtCode,
      id: r.id,
      name: r.name,
      nameInitials: r.nameInitials,
      sex: r.sex,
      sexName: sexName(r.sex),
      birthDate: r.birthDate,
      deathDate: r.deathDate,
      idNumber: unmask ? r.idNumber : maskIdNumber(r.idNumber),
      idNumberMasked: !unmask,
      residenceDivisionCode: r.residenceDivisionCode,
      ...streetAndCommitteeNames(r.residenceDivisionCode),
      householdId: r.householdId,
      householdNo: r.householdNo,
      relationCode: r.relationCode,
    })),
  };
}

/** One person inside the scope; throws not_found when absent or outside it (indistinguishably). */
export async function getPerson(
  db: Db,
  scope: DataScope,
  ref: { districtCode: string; id: string },
  options: { unmask?: boolean } = {},
): Promise<PersonView> {
  const person = isUuid(ref.id) ? await findPerson(db, scope, ref.districtCode, ref.id) : undefined;
  if (!person) throw new RegistryError('not_found', '人员不存在或不在您的数据范围内', 'id');
  return toPersonView(person, options.unmask === true);
}

/**
 * The district that manages a person now (ids are city-wide; see transfer/transfer.service.ts), or
 * undefined for an unknown id. For edges that name a person by id alone (the CLI).
 */
export async function managingDistrictOf(db: Db, personId: string): Promise<string | undefined> {
  if (!isUuid(personId)) return undefined;
  const rows = await personRowsById(db, personId);
  return rows.find((r) => r.residenceDivisionCode.startsWith(r.districtCode))?.districtCode;
}

/**
 * The household a person belongs to now, for a person the caller has already read through `getPerson`
 * (the person's scope decides; the household is named as the person's, whatever street it lies in).
 */
export async function currentHouseholdOf(
  db: Db,
  person: { districtCode: string; id: string },
): Promise<{ id: string; householdNo: string; relationCode: string } | null> {
  const membership = await currentMembership(db, person.districtCode, person.id);
  return membership
    ? {
        id: membership.householdId,
        householdNo: membership.householdNo,
        relationCode: membership.relationCode,
      }
    : null;
}

/** 家庭户查询: head name/initials (prefix), household number, division, member count; scoped. */
export async function searchHouseholds(
  db: Db,
  scope: DataScope,
  query: HouseholdSearch,
): Promise<Page<HouseholdSummary>> {
  const q: HouseholdSearch = { ...query };
  if (q.headName !== undefined) q.headName = q.headName.normalize('NFC').trim() || undefined;
  if (q.headInitials !== undefined) q.headInitials = normaliseInitialsQuery(q.headInitials) || undefined;
  if (q.householdNo !== undefined) q.householdNo = q.householdNo.trim() || undefined;
  if (q.divisionCode !== undefined)
    q.divisionCode = normalisePersonSearch({ divisionCode: q.divisionCode }).divisionCode;
  for (const key of ['minMembers', 'maxMembers'] as const) {
    const v = q[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new RegistryError('validation', '成员人数条件应为不小于0的整数', key);
    }
  }
  const page = pageBounds(q.limit, q.offset);
  const rows = await searchHouseholdRows(db, scope, q, page);
  const total = await pageTotal(rows, page, (ceiling) => countHouseholds(db, scope, q, ceiling));
  return {
    ...page,
    ...total,
    rows: rows.map(({ matches: _matches, ...r }) => ({ ...r, ...streetAndCommitteeNames(r.committeeCode) })),
  };
}

/**
 * 家庭户详情: the household, its current members (with relation names) and its whole membership
 * history, in three queries whatever the household's size. Throws not_found outside the scope.
 */
export async function getHouseholdDetail(
  db: Db,
  scope: DataScope,
  ref: HouseholdRef,
  options: { unmask?: boolean } = {},
): Promise<HouseholdDetail> {
  const household = 'id' in ref && !isUuid(ref.id) ? undefined : await findHousehold(db, scope, ref);
  if (!household) throw new RegistryError('not_found', '家庭户不存在或不在您的数据范围内', 'household');
  const unmask = options.unmask === true;
  const history = await householdMemberRows(db, household.districtCode, household.id, false);
  const current = history
    .filter((r) => r.membership.validTo === null)
    .sort(
      (a, b) =>
        Number(a.membership.relationCode !== '02') - Number(b.membership.relationCode !== '02') ||
        a.membership.seq - b.membership.seq,
    );
  const path = divisionIndex().path(household.committeeCode);
  return {
    household: {
      ...household,
      districtName: path?.district?.name ?? null,
      streetName: path?.street?.name ?? null,
      committeeName: path?.committee?.name ?? null,
    },
    members: current.map((r) => ({
      person: toPersonView(r.person, unmask),
      relationCode: r.membership.relationCode,
      relationName: relationName(r.membership.relationCode),
      validFrom: r.membership.validFrom,
      seq: r.membership.seq,
    })),
    history: history.map((r) => ({
      personId: r.person.id,
      name: r.person.name,
      idNumber: unmask ? r.person.idNumber : maskIdNumber(r.person.idNumber),
      idNumberMasked: !unmask,
      relationCode: r.membership.relationCode,
      relationName: relationName(r.membership.relationCode),
      validFrom: r.membership.validFrom,
      validTo: r.membership.validTo,
      endReason: r.membership.endReason,
      endReasonName: r.membership.endReason ? END_REASONS[r.membership.endReason] : null,
      seq: r.membership.seq,
    })),
  };
}
