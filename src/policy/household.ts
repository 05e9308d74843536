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
  /**
   * What a person reads for this member in explanations (a name, or a relation and age); display only:
   * no rule reads it. Without it the explanation says 第N名成员 and the age.
   */
  name?: string;
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

export const HUKOUS: readonly Hukou[] = ['shanghai', 'other'];
export const DISABILITY_KINDS: readonly DisabilityKind[] = [
  'physical',
  'visual',
  'hearing',
  'speech',
  'intellectual',
  'mental',
  'multiple',
];
export const CATEGORIES: readonly Category[] = [
  'tekun',
  'kunjing_child',
  'orphan',
  'traditional',
  'rural_youth',
  'anhui_resettled_1',
  'anhui_resettled_2',
];

/**
 * The accepted input before defaults: any field except `members`, `id`, `birthDate` may be omitted or
 * null (SPEC.md: null means omitted). Validation returns this shape; the engine applies the defaults.
 */
export type PolicyMemberInput = Pick<PolicyMember, 'id' | 'birthDate'> & {
  [K in Exclude<keyof PolicyMember, 'id' | 'birthDate'>]?: PolicyMember[K] | null;
};
export type PolicyHouseholdInput = { members: PolicyMemberInput[] } & {
  [K in Exclude<keyof PolicyHousehold, 'members'>]?: PolicyHousehold[K] | null;
};

/** Fills SPEC.md's defaults (homes 1, hasSupporter true, money 0, flags false, lists empty). */
export function withDefaults(input: PolicyHouseholdInput): PolicyHousehold {
  return {
    monetaryAssetsFen: input.monetaryAssetsFen ?? 0,
    vehicles: input.vehicles ?? 0,
    homes: input.homes ?? 1,
    perCapitaFloorAreaBelowAverage: input.perCapitaFloorAreaBelowAverage ?? false,
    medicalExpenseAnnualFen: input.medicalExpenseAnnualFen ?? 0,
    educationExpenseAnnualFen: input.educationExpenseAnnualFen ?? 0,
    temporaryAssistanceMonths: input.temporaryAssistanceMonths ?? 0,
    renovationCostFen: input.renovationCostFen ?? 0,
    members: input.members.map((m) => ({
      id: m.id,
      ...(m.name ? { name: m.name } : {}),
      birthDate: m.birthDate,
      hukou: m.hukou ?? 'shanghai',
      wageFen: m.wageFen ?? 0,
      pensionFen: m.pensionFen ?? 0,
      otherIncomeFen: m.otherIncomeFen ?? 0,
      disabilityGrade: m.disabilityGrade ?? null,
      disabilityKind: m.disabilityKind ?? null,
      seriousIllness: m.seriousIllness ?? false,
      employed: m.employed ?? false,
      hasSupporter: m.hasSupporter ?? true,
      categories: m.categories ?? [],
    })),
  };
}
