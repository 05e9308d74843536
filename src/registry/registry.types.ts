import type { Category, PolicyHousehold } from '../policy/household.ts';
import type { EndReason } from './codes.ts';

/**
 * Shared shapes of the registry module: what its repositories return and its service accepts. Other
 * modules (HTTP API, import/export, demo generator, audit) import these through registry.service.ts.
 */

/** One page of a search: `total` is the number of matches over all pages. */
export interface Page<T> {
  rows: T[];
  /** The number of matches, or COUNT_LIMIT when there are more (then `totalExact` is false). */
  total: number;
  totalExact: boolean;
  limit: number;
  offset: number;
}

/** A person as stored (persons table, without timestamps). */
export interface PersonRecord {
  districtCode: string;
  id: string;
  idNumber: string;
  name: string;
  nameInitials: string;
  /** GB/T 2261.1. */
  sex: number;
  birthDate: string;
  deathDate: string | null;
  /** GB/T 3304 two-digit code. */
  ethnicity: string | null;
  /** GB/T 2261.2 code. */
  maritalStatus: string | null;
  phone: string | null;
  hukouDivisionCode: string;
  residenceDivisionCode: string;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  employed: boolean;
  seriousIllness: boolean;
  hasSupporter: boolean;
  categories: Category[];
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
  /** Optimistic locking: read with the record, sent back by the client with an edit (absent on a new record). */
  version?: number;
}

/** A household as stored (households table, without timestamps). */
export interface HouseholdRecord {
  districtCode: string;
  id: string;
  householdNo: string;
  streetCode: string;
  committeeCode: string;
  address: string;
  monetaryAssetsFen: number;
  vehicles: number;
  homes: number;
  perCapitaFloorAreaBelowAverage: boolean;
  medicalExpenseAnnualFen: number;
  educationExpenseAnnualFen: number;
  /** Optimistic locking, as on persons: every change of the household or its memberships increments it. */
  version?: number;
}

/** One membership row (household_members): valid from `validFrom` (inclusive) to `validTo` (exclusive). */
export interface MembershipRecord {
  districtCode: string;
  householdId: string;
  personId: string;
  /** GB/T 4761 relation to the head. */
  relationCode: string;
  validFrom: string;
  /** The day the person left (exclusive); null while current. */
  validTo: string | null;
  endReason: EndReason | null;
  seq: number;
}

/**
 * A person as shown to a user: `idNumber` and `phone` are masked (310110********1234, 138****5678)
 * unless the caller asked for `unmask` (the auth layer decides whether it may, and audits it).
 */
export interface PersonView extends PersonRecord {
  idNumberMasked: boolean;
}

/** A row of a person search. */
export interface PersonSummary {
  districtCode: string;
  id: string;
  name: string;
  nameInitials: string;
  sex: number;
  sexName: string;
  birthDate: string;
  deathDate: string | null;
  idNumber: string;
  idNumberMasked: boolean;
  residenceDivisionCode: string;
  streetName: string | null;
  committeeName: string | null;
  /** The current household, if any. */
  householdId: string | null;
  householdNo: string | null;
  relationCode: string | null;
}

export interface PersonSearch {
  /** 姓名: prefix match by default, substring with `nameMatch: 'contains'`. */
  name?: string;
  nameMatch?: 'prefix' | 'contains';
  /** 拼音首字母, prefix match ("zs" finds 张三 and 张寿山). */
  initials?: string;
  /** 身份证号: 18 characters → exact match; 4 characters → the last four. */
  idNumber?: string;
  /** A street or committee code (must lie inside the scope to find anything). */
  divisionCode?: string;
  /** Include persons with a death date (default false). */
  includeDead?: boolean;
  /** Default 20, at most 500. */
  limit?: number;
  offset?: number;
  unmask?: boolean;
}

export interface HouseholdSummary {
  districtCode: string;
  id: string;
  householdNo: string;
  address: string;
  streetCode: string;
  streetName: string | null;
  committeeCode: string;
  committeeName: string | null;
  headPersonId: string | null;
  headName: string | null;
  /** Current members. */
  memberCount: number;
}

export interface HouseholdSearch {
  /** 户主姓名 prefix. */
  headName?: string;
  /** 户主拼音首字母 prefix. */
  headInitials?: string;
  /** 户编号 exact. */
  householdNo?: string;
  /** A street or committee code. */
  divisionCode?: string;
  minMembers?: number;
  maxMembers?: number;
  /** Default 20, at most 500. */
  limit?: number;
  offset?: number;
}

export interface CurrentMember {
  person: PersonView;
  relationCode: string;
  relationName: string;
  validFrom: string;
  seq: number;
}

export interface MembershipHistoryRow {
  personId: string;
  name: string;
  idNumber: string;
  idNumberMasked: boolean;
  relationCode: string;
  relationName: string;
  validFrom: string;
  validTo: string | null;
  endReason: EndReason | null;
  endReasonName: string | null;
  seq: number;
}

export interface HouseholdDetail {
  household: HouseholdRecord & {
    districtName: string | null;
    streetName: string | null;
    committeeName: string | null;
  };
  /** Current members, head first, then by seq. */
  members: CurrentMember[];
  /** Every membership row ever (current ones included), by valid_from then seq. */
  history: MembershipHistoryRow[];
}

/** Identifies a household: by id, or by 户编号 (unique within the district). */
export type HouseholdRef =
  { districtCode: string; id: string } | { districtCode: string; householdNo: string };

// ---- writes ----------------------------------------------------------------------------------

/** The registry's audited actions; the names match src/audit/actions.ts. */
export type RegistryAction =
  | 'person.created'
  | 'person.updated'
  | 'household.created'
  | 'household.updated'
  | 'household.member_added'
  | 'household.member_ended'
  | 'household.member_moved'
  | 'household.head_changed'
  | 'household.relation_changed'
  | 'household.corrected'
  | 'person.born'
  | 'person.died'
  | 'person.death_corrected'
  | 'person.corrected'
  | 'person.transfer';

export type RegistryEntity = 'person' | 'household' | 'household_member';

export type Snapshot = PersonRecord | HouseholdRecord | MembershipRecord;

/** One row changed by a write: null `before` for an insert. */
export interface Change {
  entityType: RegistryEntity;
  /** person/household id, or `householdId/personId/validFrom` for a membership row. */
  entityId: string;
  districtCode: string;
  before: Snapshot | null;
  after: Snapshot | null;
}

/** What a write did: its value and every row it changed (each recorded in the unit's audit). */
export interface WriteResult<T> {
  action: RegistryAction;
  value: T;
  changes: Change[];
}

export interface WriteOptions {
  /** ISO date used as "today" to bound birth and death dates (default: the unit's day in Shanghai). */
  today?: string;
}

export interface NewPersonInput {
  idNumber: string;
  name: string;
  sex: number;
  birthDate: string;
  deathDate?: string | null;
  ethnicity?: string | null;
  maritalStatus?: string | null;
  phone?: string | null;
  /** A Shanghai street/committee code, or the 6-digit code of a district outside Shanghai. */
  hukouDivisionCode: string;
  disabilityCategory?: number | null;
  disabilityGrade?: number | null;
  employed?: boolean;
  seriousIllness?: boolean;
  hasSupporter?: boolean;
  categories?: string[];
  wageFen?: number;
  pensionFen?: number;
  otherIncomeFen?: number;
}

/** A member to add: a new person, or a person already in the registry (same district) by id. */
export type MemberInput =
  { person: NewPersonInput; relationCode: string } | { personId: string; relationCode: string };

export interface CreateHouseholdInput {
  householdNo: string;
  /** 居委会/村委会 code (12 digits); the street and district follow from it. */
  committeeCode: string;
  address?: string;
  monetaryAssetsFen?: number;
  vehicles?: number;
  homes?: number;
  perCapitaFloorAreaBelowAverage?: boolean;
  medicalExpenseAnnualFen?: number;
  educationExpenseAnnualFen?: number;
  /** The date the members' membership starts. */
  validFrom: string;
  /** Exactly one member with relation '02' (户主). */
  members: MemberInput[];
}

export interface AddMemberInput {
  household: HouseholdRef;
  member: MemberInput;
  validFrom: string;
  /** The household's version the client saw (optimistic locking); omitted, the current one is taken. */
  version?: number;
}

export interface EndMembershipInput {
  household: HouseholdRef;
  personId: string;
  /** The day the person leaves (exclusive end). */
  validTo: string;
  endReason: EndReason;
  /** The household's version the client saw. */
  version?: number;
}

export interface MovePersonInput {
  districtCode: string;
  personId: string;
  to: HouseholdRef;
  relationCode: string;
  /** The old membership ends and the new one starts on this date. */
  date: string;
  /** The person's version the client saw. */
  version?: number;
  /** The target household's version the client saw. */
  toVersion?: number;
}

export interface ChangeHeadInput {
  household: HouseholdRef;
  newHeadPersonId: string;
  /** The former head's relation to the new head (GB/T 4761). */
  formerHeadRelationCode: string;
  /** Other members whose relation code changes (relation to the new head), by person id. */
  otherRelations?: Record<string, string>;
  date: string;
  /** The household's version the client saw. */
  version?: number;
}

// ---- engine input and figures ------------------------------------------------------------------

export interface PolicyHouseholdRow {
  districtCode: string;
  householdId: string;
  household: PolicyHousehold;
  /** The household's street or 居委会 code, when the read asked for it. */
  areaCode?: string;
}

export interface CountRow<K> {
  key: K;
  count: number;
}

export interface PopulationFigures {
  asOf: string;
  scope: string;
  /** Everyone living in the scope (常住: residence in the scope, any 户籍). */
  persons: number;
  /** Of them, those with a Shanghai 户籍 (户籍人口 as the bureau's reports count it). */
  hukouPersons: number;
  households: number;
  /** 5-year bands: "0-4", "5-9", …, "95-99", "100+" with counts by sex (GB/T 2261.1 1 male, 2 female). */
  pyramid: { band: string; male: number; female: number; other: number }[];
  elderly: {
    /** Persons aged 60+ and their share of all persons (per mille, integer, to avoid floats in reports). */
    aged60plus: number;
    sharePerMille: number;
    /** Bands 60–69, 70–79, 80–89, 90–99, 100+ as in seed 000, with each band's share of the 60+ (per mille). */
    bands: { band: '60-69' | '70-79' | '80-89' | '90-99' | '100+'; count: number; sharePerMille: number }[];
    aged80plus: number;
    aged100plus: number;
  };
  disability: {
    byCategory: { category: number; name: string; count: number }[];
    byGrade: { grade: number; name: string; count: number }[];
    total: number;
  };
  categories: { category: Category; name: string; count: number }[];
  byStreet: { streetCode: string; streetName: string | null; persons: number; households: number }[];
  /** The scope's parts one level down: its streets (district or city), or its committees (street, committee). */
  areas: {
    level: 'street' | 'committee';
    items: { code: string; name: string | null; persons: number; households: number }[];
  };
  /** Households by number of members (6 = six or more); computed for a committee scope only, else null. */
  householdSizes: { size: number; households: number }[] | null;
}
