/**
 * The household interchange shape of SPEC.md ("Household interchange format"): what the CLI and the
 * API accept, what the registry, verification and cases produce, and what the engine evaluates.
 * Money is integer fen; dates are ISO strings; the month is YYYY-MM.
 *
 * (The policy-engine module owns this file and its validation schema.)
 */
export type Hukou = 'shanghai' | 'other';
export type DisabilityKind =
  'physical' | 'visual' | 'hearing' | 'speech' | 'intellectual' | 'mental' | 'multiple';
export type Category =
  | 'tekun'
  | 'kunjing_child'
  | 'orphan'
  | 'traditional'
  | 'rural_youth'
  | 'anhui_resettled_1'
  | 'anhui_resettled_2';

export interface PolicyMember {
  id: string;
  birthDate: string;
  hukou: Hukou;
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
  disabilityGrade: 1 | 2 | 3 | 4 | null;
  disabilityKind: DisabilityKind | null;
  seriousIllness: boolean;
  employed: boolean;
  hasSupporter: boolean;
  categories: Category[];
}

export interface PolicyHousehold {
  monetaryAssetsFen: number;
  vehicles: number;
  homes: number;
  perCapitaFloorAreaBelowAverage: boolean;
  medicalExpenseAnnualFen: number;
  educationExpenseAnnualFen: number;
  temporaryAssistanceMonths: number;
  renovationCostFen: number;
  members: PolicyMember[];
}
