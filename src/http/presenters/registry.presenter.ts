import { ageOn } from '../../calendar/days.ts';
import type {
  CurrentMember,
  HouseholdDetail,
  HouseholdSummary,
  MembershipHistoryRow,
  PersonSummary,
  PersonView,
} from '../../registry/registry.service.ts';
import { shanghaiToday } from '../../core/clock.ts';
import {
  CATEGORY_NAMES,
  DISABILITY_CATEGORIES,
  DISABILITY_GRADES,
  ETHNICITY_CODES,
  MARITAL_STATUS_CODES,
  relationName,
  sexName,
} from '../../registry/codes.ts';
import { placeName } from '../../registry/place-names.ts';
import { streetAndCommitteeNames } from '../../registry/present.ts';

/** Registry records in the API's shape (contract): masked values only, names resolved. */

/** Whole years between an ISO birth date and an ISO day. */
export { ageOn };

/** A person's age today, or at death for the deceased (a dead person does not grow older). */
export function ageOf(person: { birthDate: string; deathDate: string | null }, today: string): number {
  return ageOn(
    person.birthDate,
    person.deathDate !== null && person.deathDate < today ? person.deathDate : today,
  );
}

/** Today in Shanghai (ages, file names): the machine's UTC date is yesterday until 08:00. */
export const todayIso = (now?: Date) => shanghaiToday(now);

/** What a person reads for a 户籍 code: the place's full name, and whether it is a Shanghai 户籍. */
function hukouOf(code: string) {
  return {
    hukouDivisionName: placeName(code),
    hukouKind: code.startsWith('31') ? ('本市户籍' as const) : ('外省市户籍' as const),
  };
}

const nameOf = <K extends number>(table: Readonly<Record<K, string>>, code: number | null) =>
  code === null ? null : ((table as Record<number, string>)[code] ?? null);

export function presentPersonSummary(row: PersonSummary, today: string) {
  return {
    id: row.id,
    districtCode: row.districtCode,
    name: row.name,
    sex: row.sex,
    sexName: row.sexName,
    birthDate: row.birthDate,
    age: ageOf(row, today),
    deathDate: row.deathDate,
    idNumberMasked: row.idNumber,
    residenceDivisionCode: row.residenceDivisionCode,
    committeeName: row.committeeName,
    streetName: row.streetName,
    householdId: row.householdId,
    householdNo: row.householdNo,
    relationCode: row.relationCode,
  };
}

/** A person's detail, masked: the view must come from the registry with unmask false. */
export function presentPerson(person: PersonView, today: string) {
  if (!person.idNumberMasked) throw new Error('presentPerson needs a masked view');
  return {
    id: person.id,
    districtCode: person.districtCode,
    name: person.name,
    nameInitials: person.nameInitials,
    sex: person.sex,
    sexName: sexName(person.sex),
    birthDate: person.birthDate,
    age: ageOf(person, today),
    deathDate: person.deathDate,
    ethnicity: person.ethnicity,
    ethnicityName: person.ethnicity === null ? null : (ETHNICITY_CODES[person.ethnicity] ?? null),
    maritalStatus: person.maritalStatus,
    maritalStatusName:
      person.maritalStatus === null ? null : (MARITAL_STATUS_CODES[person.maritalStatus] ?? null),
    idNumberMasked: person.idNumber,
    phoneMasked: person.phone,
    hukouDivisionCode: person.hukouDivisionCode,
    ...hukouOf(person.hukouDivisionCode),
    residenceDivisionCode: person.residenceDivisionCode,
    residenceDivisionName: placeName(person.residenceDivisionCode),
    ...streetAndCommitteeNames(person.residenceDivisionCode),
    disabilityCategory: person.disabilityCategory,
    disabilityCategoryName: nameOf(DISABILITY_CATEGORIES, person.disabilityCategory),
    disabilityGrade: person.disabilityGrade,
    disabilityGradeName: nameOf(DISABILITY_GRADES, person.disabilityGrade),
    employed: person.employed,
    seriousIllness: person.seriousIllness,
    hasSupporter: person.hasSupporter,
    categories: person.categories.map((code) => ({ code, name: CATEGORY_NAMES[code] })),
    wageFen: person.wageFen,
    pensionFen: person.pensionFen,
    otherIncomeFen: person.otherIncomeFen,
    version: person.version ?? 1,
  };
}

/** A person's detail with the household they belong to now (its number and their relation to the head). */
export function presentPersonDetail(
  person: PersonView,
  household: { id: string; householdNo: string | null; relationCode: string | null } | null,
  today: string,
) {
  return {
    person: presentPerson(person, today),
    household: household
      ? {
          ...household,
          relationName: household.relationCode === null ? null : relationName(household.relationCode),
        }
      : null,
  };
}

export function presentHouseholdSummary(row: HouseholdSummary) {
  return {
    id: row.id,
    districtCode: row.districtCode,
    householdNo: row.householdNo,
    headName: row.headName,
    address: row.address,
    committeeCode: row.committeeCode,
    committeeName: row.committeeName,
    streetCode: row.streetCode,
    streetName: row.streetName,
    memberCount: row.memberCount,
  };
}

function presentMember(member: CurrentMember, today: string) {
  return {
    personId: member.person.id,
    personVersion: member.person.version ?? 1,
    name: member.person.name,
    relationCode: member.relationCode,
    relationName: member.relationName,
    sex: member.person.sex,
    sexName: sexName(member.person.sex),
    birthDate: member.person.birthDate,
    age: ageOf(member.person, today),
    idNumberMasked: member.person.idNumber,
    ...hukouOf(member.person.hukouDivisionCode),
    validFrom: member.validFrom,
    disabilityCategory: member.person.disabilityCategory,
    disabilityCategoryName: nameOf(DISABILITY_CATEGORIES, member.person.disabilityCategory),
    disabilityGrade: member.person.disabilityGrade,
    disabilityGradeName: nameOf(DISABILITY_GRADES, member.person.disabilityGrade),
    categories: member.person.categories,
  };
}

function presentHistory(row: MembershipHistoryRow) {
  return {
    personId: row.personId,
    name: row.name,
    relationCode: row.relationCode,
    relationName: row.relationName,
    validFrom: row.validFrom,
    validTo: row.validTo,
    endReason: row.endReason,
    endReasonName: row.endReasonName,
  };
}

export function presentHouseholdDetail(detail: HouseholdDetail, today: string) {
  if (detail.members.some((m) => !m.person.idNumberMasked))
    throw new Error('household detail must be masked');
  return {
    household: { ...detail.household, version: detail.household.version ?? 1 },
    members: detail.members.map((m) => presentMember(m, today)),
    history: detail.history.map(presentHistory),
  };
}
