import type { TimelineEvent } from '../../api/registry-edits.ts';
import { http, request } from '../../api/request.ts';

/** 社区救助顾问: the console's calls (src/http/routes/advisers.routes.ts). */

/** The adviser's forms on a household's page. */
export type FormKind = 'visit' | 'assessment' | 'plan' | 'referral';

export interface Written {
  id: string;
  districtCode: string;
  state: string;
  version: number;
}

export interface Step {
  action: string;
  label: string;
}

export interface Assignment {
  id: string;
  districtCode: string;
  householdId: string;
  adviserId: string;
  adviserName: string;
  assignedOn: string;
  endedOn: string | null;
  state: string;
  stateName: string;
  version: number;
}

export interface CaseloadItem {
  householdId: string;
  districtCode: string;
  householdNo: string;
  headName: string | null;
  memberCount: number;
  address: string;
  streetName: string | null;
  committeeName: string | null;
  assignment: Assignment;
  lastVisitOn: string | null;
  nextDue: { title: string; dueOn: string; kind: 'action' | 'review' } | null;
  overdueCount: number;
}

interface RecordBase {
  id: string;
  districtCode: string;
  caseId: string | null;
  version: number;
  recordedBy: string;
}

export interface Visit extends RecordBase {
  visitedOn: string;
  mode: string;
  modeName: string;
  notes: string;
}

export interface AssessmentItemView {
  dimension: string;
  dimensionName: string;
  level: number;
  levelName: string;
  signs: { code: string; name: string }[];
  note: string;
}

export interface Assessment extends RecordBase {
  assessedOn: string;
  items: AssessmentItemView[];
  priorities: string[];
  summary: string;
}

export interface PlanAction {
  seq: number;
  title: string;
  dueOn: string;
  status: string;
  statusName: string;
  doneOn: string | null;
  overdue: boolean;
}

export interface Plan extends RecordBase {
  kind: string;
  kindName: string;
  goals: string;
  reviewOn: string;
  reviewOverdue: boolean;
  state: string;
  stateName: string;
  editable: boolean;
  actions: PlanAction[];
  allowedActions: Step[];
}

export interface Referral extends RecordBase {
  referredOn: string;
  targetKind: string;
  targetKindName: string;
  target: string;
  targetName: string;
  notes: string;
  state: string;
  stateName: string;
  outcome: string | null;
  outcomeOn: string | null;
  editable: boolean;
  allowedActions: Step[];
}

export interface HouseholdRecord {
  household: {
    id: string;
    districtCode: string;
    householdNo: string;
    address: string;
    committeeCode: string;
    streetName: string | null;
    committeeName: string | null;
  };
  members: {
    personId: string;
    name: string;
    relationName: string;
    sex: number;
    birthDate: string;
    idNumberMasked: string;
  }[];
  mayRecord: boolean;
  assignment: Assignment | null;
  assignments: Assignment[];
  visits: Visit[];
  assessments: Assessment[];
  plans: Plan[];
  referrals: Referral[];
  timeline: (TimelineEvent & { subject: string; entityType: string; entityId: string })[];
}

export interface Codes {
  visitModes: Record<string, string>;
  planKinds: Record<string, string>;
  actionStatuses: Record<string, string>;
  referralKinds: Record<string, string>;
  needLevels: string[];
  dimensions: { code: string; name: string; signs: { code: string; name: string }[] }[];
  services: string[];
  programs: { code: string; name: string }[];
}

export interface VisitBody {
  visitedOn: string;
  mode: string;
  notes: string;
}
export interface AssessmentBody {
  assessedOn: string;
  items: { dimension: string; level: number; signs: string[]; note: string }[];
  summary: string;
}
export interface PlanBody {
  kind: string;
  goals: string;
  reviewOn: string;
  actions: { title: string; dueOn: string; status: string; doneOn?: string | null }[];
}
export interface ReferralBody {
  referredOn: string;
  targetKind: string;
  target: string;
  notes: string;
}

const quiet = { silent: true };
const household = (district: string, id: string) =>
  `/api/advisers/households/${encodeURIComponent(district)}/${encodeURIComponent(id)}`;
const record = (kind: string, district: string, id: string) =>
  `/api/advisers/${kind}/${encodeURIComponent(district)}/${encodeURIComponent(id)}`;

export const advisersApi = {
  codes: () => http.get<Codes>('/api/advisers/codes'),
  caseload: (query: { adviserId?: string; overdue?: boolean }) =>
    http.get<{ items: CaseloadItem[]; total: number }>('/api/advisers/caseload', {
      ...(query.adviserId ? { adviserId: query.adviserId } : {}),
      ...(query.overdue ? { overdue: 'true' } : {}),
    }),
  advisers: () =>
    http.get<{ items: { id: string; name: string; divisionCode: string }[] }>('/api/advisers/advisers'),
  assign: (body: { householdId: string; adviserId: string; reason: string }) =>
    http.post<Written>('/api/advisers/assignments', body, quiet),
  endAssignment: (a: { districtCode: string; id: string; version: number }, reason: string) =>
    http.post<Written>(`${record('assignments', a.districtCode, a.id)}/end`, { version: a.version, reason }),
  household: (district: string, id: string) =>
    http.get<HouseholdRecord>(household(district, id), undefined, quiet),
  addVisit: (district: string, id: string, body: VisitBody) =>
    http.post<Written>(`${household(district, id)}/visits`, body, quiet),
  editVisit: (v: RecordBase, body: VisitBody) =>
    request<Written>('PUT', record('visits', v.districtCode, v.id), {
      body: { ...body, version: v.version },
      ...quiet,
    }),
  addAssessment: (district: string, id: string, body: AssessmentBody) =>
    http.post<Written>(`${household(district, id)}/assessments`, body, quiet),
  addPlan: (district: string, id: string, body: PlanBody) =>
    http.post<Written>(`${household(district, id)}/plans`, body, quiet),
  editPlan: (p: RecordBase, body: PlanBody) =>
    request<Written>('PUT', record('plans', p.districtCode, p.id), {
      body: { ...body, version: p.version },
      ...quiet,
    }),
  movePlan: (p: RecordBase, action: string, reason: string) =>
    http.post<Written>(`${record('plans', p.districtCode, p.id)}/actions/${action}`, {
      version: p.version,
      reason,
    }),
  addReferral: (district: string, id: string, body: ReferralBody) =>
    http.post<Written>(`${household(district, id)}/referrals`, body, quiet),
  closeReferral: (r: RecordBase, action: string, outcome: string, outcomeOn: string) =>
    http.post<Written>(`${record('referrals', r.districtCode, r.id)}/actions/${action}`, {
      version: r.version,
      outcome,
      outcomeOn,
    }),
};
