import { http } from './request.ts';

/** 经济状况 (dated economic facts): the console's calls (src/http/routes/facts.routes.ts). */

export type SubjectType = 'person' | 'household';

export interface Fact {
  id: string;
  districtCode: string;
  subjectType: SubjectType;
  subjectId: string;
  kind: string;
  kindName: string;
  amountFen: number | null;
  quantity: number | null;
  flag: boolean | null;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  category: string | null;
  valueText: string;
  validFrom: string;
  validTo: string | null;
  sourceKind: string;
  sourceKindName: string;
  sourceRef: string;
  recordedAt: string;
  recordedBy: string | null;
  voidedAt: string | null;
  voidReason: string | null;
  replacedBy: string | null;
  version: number;
  counts: boolean;
  validOnDate: boolean;
}

export interface SubjectFacts {
  subjectType: SubjectType;
  districtCode: string;
  subjectId: string;
  asOf: string;
  figures: Record<string, number | boolean | null | string[]>;
  facts: Fact[];
}

/** A new fact as the form sends it (money in fen). */
export interface NewFact {
  kind: string;
  amountFen?: number | null;
  quantity?: number | null;
  flag?: boolean | null;
  disabilityCategory?: number | null;
  disabilityGrade?: number | null;
  category?: string | null;
  validFrom: string;
  validTo?: string | null;
  sourceKind: string;
  sourceRef?: string;
}

const base = (subjectType: SubjectType, id: string) =>
  `/api/${subjectType === 'person' ? 'persons' : 'households'}/${id}/facts`;

const districtQuery = (district?: string) => (district ? { district } : {});

export const factsApi = {
  list: (subjectType: SubjectType, id: string, asOf: string, district?: string) =>
    http.get<SubjectFacts>(base(subjectType, id), { asOf, ...districtQuery(district) }),
  add: (subjectType: SubjectType, id: string, fact: NewFact, reason: string, district?: string) =>
    http.post<{ fact: Fact; supersededId: string | null }>(
      `${base(subjectType, id)}${district ? `?district=${district}` : ''}`,
      { fact, reason },
      { silent: true },
    ),
  end: (subjectType: SubjectType, id: string, fact: Fact, validTo: string, reason: string) =>
    http.post<{ fact: Fact }>(
      `${base(subjectType, id)}/${fact.id}/end?district=${fact.districtCode}`,
      { validTo, version: fact.version, reason },
      { silent: true },
    ),
  correct: (subjectType: SubjectType, id: string, fact: Fact, reason: string, replacement: NewFact | null) =>
    http.post<{ voided: Fact; replacement: Fact | null }>(
      `${base(subjectType, id)}/${fact.id}/correct?district=${fact.districtCode}`,
      { version: fact.version, reason, replacement },
      { silent: true },
    ),
};
