import type { Category } from '../../policy/household.ts';

/**
 * 经济状况事实 (dated economic facts): one kind for each field of the engine's household input that is a
 * person's or a household's economic situation. A fact has a subject (a person or a household), a value
 * typed by its kind, a validity [valid_from, valid_to) — valid_to EXCLUSIVE and null while open, exactly as
 * household memberships — and a source (申报 / 部门 / 核对 / 认定) with a reference.
 *
 * The rules that turn facts into figures for a month (the contract, docs/architecture.md) live in
 * facts.resolver.ts (pure) and facts.repository.ts (the same in SQL for bulk reads).
 */

export type SubjectType = 'person' | 'household';

/** How a kind's value is stored: which typed column(s) hold it. */
export type ValueShape = 'money' | 'count' | 'flag' | 'disability' | 'category';

export interface KindInfo {
  subject: SubjectType;
  shape: ValueShape;
  /** Chinese name shown to staff. */
  name: string;
  /**
   * A spending kind is an event dated on `valid_from` (no `valid_to`); a month sees the sum of those dated in
   * the twelve months before it. Every other kind is a state valid over [valid_from, valid_to).
   */
  spending: boolean;
  /** The engine field the kind feeds (SPEC.md household interchange format). */
  field: string;
}

export const FACT_KINDS = {
  // person
  wage: { subject: 'person', shape: 'money', name: '工资性收入（月）', spending: false, field: 'wageFen' },
  pension: { subject: 'person', shape: 'money', name: '养老金（月）', spending: false, field: 'pensionFen' },
  other_income: {
    subject: 'person',
    shape: 'money',
    name: '其他收入（月）',
    spending: false,
    field: 'otherIncomeFen',
  },
  disability: {
    subject: 'person',
    shape: 'disability',
    name: '残疾类别与等级',
    spending: false,
    field: 'disabilityKind, disabilityGrade',
  },
  employment: { subject: 'person', shape: 'flag', name: '就业', spending: false, field: 'employed' },
  serious_illness: {
    subject: 'person',
    shape: 'flag',
    name: '重病',
    spending: false,
    field: 'seriousIllness',
  },
  supporter: {
    subject: 'person',
    shape: 'flag',
    name: '有法定赡养/抚养/扶养人',
    spending: false,
    field: 'hasSupporter',
  },
  category: {
    subject: 'person',
    shape: 'category',
    name: '特殊对象类别',
    spending: false,
    field: 'categories',
  },
  // household
  monetary_assets: {
    subject: 'household',
    shape: 'money',
    name: '货币财产',
    spending: false,
    field: 'monetaryAssetsFen',
  },
  vehicles: {
    subject: 'household',
    shape: 'count',
    name: '机动车辆（辆）',
    spending: false,
    field: 'vehicles',
  },
  homes: { subject: 'household', shape: 'count', name: '住房（套）', spending: false, field: 'homes' },
  floor_area_below_average: {
    subject: 'household',
    shape: 'flag',
    name: '人均住房面积低于平均水平',
    spending: false,
    field: 'perCapitaFloorAreaBelowAverage',
  },
  medical_expense: {
    subject: 'household',
    shape: 'money',
    name: '医疗支出（自付）',
    spending: true,
    field: 'medicalExpenseAnnualFen',
  },
  education_expense: {
    subject: 'household',
    shape: 'money',
    name: '教育支出',
    spending: true,
    field: 'educationExpenseAnnualFen',
  },
} as const satisfies Record<string, KindInfo>;

export type FactKind = keyof typeof FACT_KINDS;
export const FACT_KIND_LIST = Object.keys(FACT_KINDS) as [FactKind, ...FactKind[]];
export const PERSON_FACT_KINDS = FACT_KIND_LIST.filter((k) => FACT_KINDS[k].subject === 'person');
export const HOUSEHOLD_FACT_KINDS = FACT_KIND_LIST.filter((k) => FACT_KINDS[k].subject === 'household');
export const SPENDING_KINDS = FACT_KIND_LIST.filter((k) => FACT_KINDS[k].spending);

export function isFactKind(value: string): value is FactKind {
  return Object.hasOwn(FACT_KINDS, value);
}

export function kindInfo(kind: FactKind): KindInfo {
  return FACT_KINDS[kind];
}

/**
 * Where a fact comes from. 认定 (decision) is the only source of special categories and is used for nothing
 * else; for every other kind 核对 (verified) outranks 部门 (agency), which outranks 申报 (declared).
 */
export const SOURCE_KINDS = {
  declared: '申报',
  agency: '部门数据',
  verified: '核对',
  decision: '认定',
} as const;
export type SourceKind = keyof typeof SOURCE_KINDS;
export const SOURCE_KIND_LIST = Object.keys(SOURCE_KINDS) as [SourceKind, ...SourceKind[]];

export function isSourceKind(value: string): value is SourceKind {
  return Object.hasOwn(SOURCE_KINDS, value);
}

/** A source's rank for the kinds it may give (higher wins); the SQL resolver uses the same numbers. */
export const SOURCE_RANK: Readonly<Record<SourceKind, number>> = {
  declared: 1,
  agency: 2,
  verified: 3,
  decision: 4,
};

/** The sources a kind accepts: categories only from 认定, everything else never from it. */
export function sourcesFor(kind: FactKind): readonly SourceKind[] {
  return kind === 'category' ? ['decision'] : ['declared', 'agency', 'verified'];
}

/** A fact's value, in the typed columns its kind uses (the others are null). */
export interface FactValue {
  amountFen: number | null;
  quantity: number | null;
  flag: boolean | null;
  /** GB/T 26341 category 1–7 and grade 1–4, both or neither (neither: "not disabled", e.g. a verified recovery). */
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  category: Category | null;
}

/** One fact as stored (economic_facts). Dates are ISO (YYYY-MM-DD); `recordedAt` an ISO instant (ms). */
export interface FactRecord extends FactValue {
  districtCode: string;
  id: string;
  subjectType: SubjectType;
  subjectId: string;
  kind: FactKind;
  validFrom: string;
  /** Exclusive end (the first day it no longer holds); null while open. Always null for spending. */
  validTo: string | null;
  sourceKind: SourceKind;
  sourceRef: string;
  recordedAt: string;
  recordedBy: string | null;
  /** Set when a correction withdrew the fact (kept, never counted). */
  voidedAt: string | null;
  voidReason: string | null;
  /** The fact that replaced this one in the correction, if any. */
  replacedBy: string | null;
  version: number;
}

/** The fields the rules read: what the pure resolver needs of a fact. */
export type ResolvableFact = Pick<
  FactRecord,
  | 'subjectType'
  | 'subjectId'
  | 'kind'
  | 'id'
  | 'validFrom'
  | 'validTo'
  | 'sourceKind'
  | 'recordedAt'
  | 'voidedAt'
  | keyof FactValue
>;

/** A person's resolved figures for a month (the person fields of the engine's PolicyMember). */
export interface PersonFigures {
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  employed: boolean;
  seriousIllness: boolean;
  hasSupporter: boolean;
  categories: Category[];
}

/** A household's resolved figures for a month (the household fields of the engine's PolicyHousehold). */
export interface HouseholdFigures {
  monetaryAssetsFen: number;
  vehicles: number;
  homes: number;
  perCapitaFloorAreaBelowAverage: boolean;
  medicalExpenseAnnualFen: number;
  educationExpenseAnnualFen: number;
}

/** With no fact, SPEC.md's defaults: money 0, flags false, homes 1, a supporter, no disability, no category. */
export const PERSON_DEFAULTS: PersonFigures = Object.freeze({
  wageFen: 0,
  pensionFen: 0,
  otherIncomeFen: 0,
  disabilityCategory: null,
  disabilityGrade: null,
  employed: false,
  seriousIllness: false,
  hasSupporter: true,
  categories: [],
});

export const HOUSEHOLD_DEFAULTS: HouseholdFigures = Object.freeze({
  monetaryAssetsFen: 0,
  vehicles: 0,
  homes: 1,
  perCapitaFloorAreaBelowAverage: false,
  medicalExpenseAnnualFen: 0,
  educationExpenseAnnualFen: 0,
});
