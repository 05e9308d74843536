import type { Category } from '../policy/household.ts';
import type { FactKind, SourceKind } from '../registry/facts/facts.types.ts';
import type { HouseholdTypeCode } from './household-types.ts';

/** One synthetic person, with the columns of the registry's `persons` table. */
export interface GeneratedPerson {
  id: string;
  idNumber: string;
  name: string;
  nameInitials: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  sex: 1 | 2;
  birthDate: string;
  /** Completed years on the run's as-of date. */
  age: number;
  ethnicity: string;
  maritalStatus: string;
  phone: string | null;
  shanghaiHukou: boolean;
  hukouDivisionCode: string;
  residenceDivisionCode: string;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  employed: boolean;
  seriousIllness: boolean;
  hasSupporter: boolean;
  categories: string[];
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
}

export interface GeneratedMember {
  person: GeneratedPerson;
  /** GB/T 4761 relation to the head. */
  relationCode: string;
  validFrom: string;
  seq: number;
}

/** A dated economic fact (economic_facts), of the household or of one of its persons. */
export interface GeneratedFact {
  id: string;
  subjectType: 'person' | 'household';
  subjectId: string;
  kind: FactKind;
  category: Category | null;
  amountFen: number | null;
  quantity: number | null;
  flag: boolean | null;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  validFrom: string;
  /** Exclusive end; null while open. */
  validTo: string | null;
  sourceKind: SourceKind;
  sourceRef: string;
}

/** A member who is no longer one: here, a person who died within the history window. */
export interface GeneratedFormerMember {
  person: GeneratedPerson & { deathDate: string };
  relationCode: string;
  validFrom: string;
  /** Exclusive: the day after the death. */
  validTo: string;
  endReason: 'death';
  seq: number;
}

/** An ended membership of a current member in another (earlier) household: a move between households. */
export interface GeneratedPastMembership {
  householdId: string;
  personId: string;
  relationCode: string;
  validFrom: string;
  validTo: string;
  endReason: 'moved';
  seq: number;
}

/** A 低保 household's standing 核对授权书, signed by its adults, with the sample paper attached. */
export interface GeneratedAuthorisation {
  id: string;
  attachmentId: string;
  personIds: string[];
  signedOn: string;
}

export interface GeneratedHousehold {
  /** 0-based position in the run. */
  index: number;
  districtCode: string;
  id: string;
  householdNo: string;
  streetCode: string;
  committeeCode: string;
  address: string;
  type: HouseholdTypeCode;
  /** Made a 低保 household by the dibao quota (eligible under the calibration's dibao test). */
  dibao: boolean;
  monetaryAssetsFen: number;
  vehicles: number;
  homes: number;
  perCapitaFloorAreaBelowAverage: boolean;
  medicalExpenseAnnualFen: number;
  educationExpenseAnnualFen: number;
  members: GeneratedMember[];
  /** History (history.ts): deceased former members, ended memberships elsewhere, and every dated fact. */
  former: GeneratedFormerMember[];
  pastMemberships: GeneratedPastMembership[];
  facts: GeneratedFact[];
  /** 低保 households only: their standing authorisation for re-verification. */
  authorisation: GeneratedAuthorisation | null;
}
