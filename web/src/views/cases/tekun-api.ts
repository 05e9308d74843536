/**
 * 特困人员认定 and 先行救助 as the case's show returns them (src/http/routes/cases.routes.ts, the `tekun` and
 * `payFirst` fields); the forms send their records through casesApi.act.
 */

export type SupporterRelation = 'spouse' | 'parent' | 'child';
export type SelfCare = 'capable' | 'partial' | 'none';

export const SUPPORTER_RELATIONS: { value: SupporterRelation; label: string }[] = [
  { value: 'spouse', label: '配偶' },
  { value: 'parent', label: '父母' },
  { value: 'child', label: '子女' },
];

/** The three levels of the 特困人员认定办法 (照料护理 by level comes with a later engine version). */
export const SELF_CARE_OPTIONS: { value: SelfCare; label: string }[] = [
  { value: 'capable', label: '具备生活自理能力' },
  { value: 'partial', label: '部分丧失生活自理能力' },
  { value: 'none', label: '完全丧失生活自理能力' },
];

/** Phrases a caseworker picks from for a supporter who cannot support (free text stays possible). */
export const UNABLE_REASONS = [
  '本人也是特困人员',
  '本人为低保对象',
  '重度残疾',
  '无收入',
  '年满60周岁且无收入',
  '未成年',
  '重病',
  '服刑或下落不明',
];

export interface SupporterCandidate {
  personId: string;
  name: string;
  relation: SupporterRelation;
  relationName: string;
}

export interface AssessedSupporter {
  personId: string | null;
  name: string;
  relation: SupporterRelation;
  relationName: string;
  able: boolean;
  reason: string;
}

export interface TekunAssessment {
  personId: string;
  personName: string;
  supporters: AssessedSupporter[];
  hasSupporter: boolean;
  selfCare: SelfCare;
  selfCareName: string;
  eligible: boolean;
  conclusion: string;
  assessedOn: string;
  assessor: string;
  attachmentIds: string[];
  recordedBy: string;
  recordedAt: string;
}

export interface TekunStep {
  candidates: { personId: string; name: string; supporters: SupporterCandidate[] }[];
  assessments: TekunAssessment[];
}

export interface PayFirstRecord {
  program: string;
  programName: string;
  amountFen: number;
  limitFen: number;
  reason: string;
  paidOn: string;
  month: string;
  entitlementId: string;
  recordedBy: string;
  recordedAt: string;
  settledOutcome: 'granted' | 'denied' | 'withdrawn' | null;
  settledOutcomeName: string | null;
  countedFen: number | null;
  overpaidFen: number | null;
  overpaidReason: string | null;
  settledAt: string | null;
}
