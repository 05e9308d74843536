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
}
