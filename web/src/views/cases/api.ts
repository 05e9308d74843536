import type { TimelineEvent } from '../../api/registry-edits.ts';
import { http, request } from '../../api/request.ts';
import type { Page } from '../../api/types.ts';
import type { PayFirstRecord, TekunStep } from './tekun-api.ts';

/**
 * 救助申请 and 待遇: the console's calls (src/http/routes/cases.routes.ts, entitlements.routes.ts and
 * case-notices.routes.ts). Kept beside the pages that use them; the shapes are the routes' response schemas.
 */

export type CaseState =
  | 'draft'
  | 'returned'
  | 'not_accepted'
  | 'accepted'
  | 'verifying'
  | 'visit'
  | 'tekun_assessment'
  | 'evaluation'
  | 'review'
  | 'publicity'
  | 'deciding'
  | 'approved'
  | 'denied'
  | 'withdrawn';

export type Step = 'verify' | 'visit' | 'tekun_assessment' | 'evaluation' | 'review' | 'publicity' | 'decide';

export interface CaseRow {
  districtCode: string;
  id: string;
  caseNo: string;
  kind: string;
  householdId: string;
  householdNo: string | null;
  applicantName: string | null;
  committeeCode: string;
  programs: string[];
  channel: string;
  state: CaseState;
  stateName: string;
  version: number;
  appliedOn: string;
  acceptedOn: string | null;
  dueOn: string | null;
  dueProvisional: boolean;
  overdue: boolean;
  requiredSteps: Step[];
  stepNames: string[];
  decider: 'district' | 'street';
  relativesFlagged: boolean;
  secondApproverRequired: boolean;
  allowedActions: string[];
}

interface Stamp {
  recordedBy: string;
  recordedAt: string;
}

/** A close relative of a staff member among the household (src/cases/case.deps.ts RelativeMatch). */
export interface RelativeMatchView {
  staff: { staffId: string; userId: string | null; name: string; roleName: string };
  member: { personId: string; name: string };
  relation: { name: string };
  foundByName: string;
}

export interface CaseAttachment {
  id: string;
  kindName: string;
  name: string;
  size: number;
  uploadedByName: string;
  uploadedAt: string;
  removedAt: string | null;
}

export interface CaseDetail extends CaseRow {
  applicantPersonId: string;
  contactPhone: string;
  materials: Record<string, boolean>;
  verificationRequestId: string | null;
  relativesMatches: RelativeMatchView[];
  relativesDeclared: boolean;
  firstApprovedBy: string | null;
  reason: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  createdBy: string | null;
  createdAt: string;
  steps: {
    visit:
      | (Stamp & {
          visitedOn: string;
          visitors: string[];
          checklist: Record<string, boolean>;
          notes: string;
          photoIds: string[];
        })
      | null;
    evaluation:
      | (Stamp & {
          heldOn: string;
          participants: string[];
          votesFor: number;
          votesAgainst: number;
          votesAbstain: number;
          opinion: string;
        })
      | null;
    review: (Stamp & { opinion: string }) | null;
    publicity: (Stamp & { startsOn: string; endsOn: string; days: number }) | null;
    objections: (Stamp & { id: string; receivedOn: string; content: string; handling: string })[];
  };
  attachments: CaseAttachment[];
  timeline: TimelineEvent[];
  /** 特困人员认定 (null when the case has no such step). */
  tekun: TekunStep | null;
  /** 先行救助 and its settlement at the decision. */
  payFirst: PayFirstRecord[];
}

export interface CaseFilters {
  state?: CaseState | '';
  program?: string;
  division?: string;
  householdId?: string;
  overdue?: boolean;
}

export interface IntakeInput {
  householdId: string;
  programs: string[];
  applicantPersonId: string;
  contactPhone: string;
  materials: Record<string, boolean>;
  reason?: string;
}

export interface ParameterRead {
  parameter: string;
  value: number;
  unit: string;
  effective: string;
  status: string;
  source: string;
}

export interface DeterminationProgram {
  program: string;
  name: string;
  level: 'household' | 'person';
  eligible: boolean;
  amountFen: number;
  members: { personId: string; name: string; amountFen: number }[] | null;
  reasons: string[];
  explanation: string;
  parameters: ParameterRead[];
  warnings: string[];
  error: string | null;
  applied: boolean;
  reportFresh: boolean;
}

export interface Determination {
  caseNo: string;
  month: string;
  report: { requestId: string; reportNo: string; issuedOn: string };
  members: { personId: string; name: string; birthDate: string; amountFen: number }[];
  programs: DeterminationProgram[];
}

export interface Beneficiary {
  kind: 'household' | 'person';
  id: string;
  name: string;
  amountFen: number;
  payeePersonId: string;
  payeeRoleName: string;
  bankName: string;
  accountNo: string;
  accountMasked: boolean;
}

export interface DecisionLine {
  program: string;
  programName: string;
  outcome: 'granted' | 'denied';
  outcomeName: string;
  amountFen: number;
  startMonth: string;
  reasons: string[];
  engineEligible: boolean | null;
  engineAmountFen: number | null;
  explanation: string;
  parameters: unknown;
  scheduleName: string | null;
  beneficiaries: Beneficiary[];
  decidedAt: string | null;
}

export interface Decision {
  caseNo: string;
  householdId: string;
  decided: boolean;
  lines: DecisionLine[];
}

export interface PrepareInput {
  month: string;
  lines: { program: string; outcome: 'granted' | 'denied'; reasons?: string[] }[];
  payees: { beneficiaryId: string; payeePersonId: string; bankName: string; accountNo: string }[];
  reason?: string;
}

export interface PersonLabel {
  personId: string;
  name: string;
  idNumberMasked: string;
}

export type EntitlementState = 'active' | 'suspended' | 'stopped';

export interface Entitlement {
  id: string;
  districtCode: string;
  program: string;
  programName: string;
  beneficiaryKind: 'household' | 'person';
  beneficiaryId: string;
  householdId: string;
  /** The beneficiary of a person program; null for a household program. */
  person: PersonLabel | null;
  committeeCode: string;
  payee: PersonLabel & {
    roleName: string;
    bankName: string | null;
    accountNo: string | null;
    accountMasked: boolean;
  };
  scheduleName: string;
  amountFen: number;
  fromMonth: string;
  toMonth: string | null;
  state: EntitlementState;
  stateName: string;
  version: number;
  basis:
    | { kind: 'decision'; caseId: string; program: string }
    | { kind: 'pay_first'; caseId: string }
    | { kind: 'rule'; rule: string };
  allowedActions: { action: string; label: string }[];
  createdAt: string;
}

export interface EntitlementDetail extends Entitlement {
  history: {
    seq: number;
    kind: string;
    kindName: string;
    reason: string;
    actorId: string | null;
    changedOn: string;
    changedAt: string;
  }[];
}

export interface EntitlementFilters {
  program?: string;
  state?: EntitlementState | '';
  division?: string;
  householdId?: string;
  caseId?: string;
}

const one = (district: string, id: string) =>
  `/api/cases/${encodeURIComponent(district)}/${encodeURIComponent(id)}`;

/** Empty filters are left out of the query (the server reads a missing one as 全部). */
function present(query: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === '' || value === undefined || value === null || value === false) continue;
    out[key] = typeof value === 'number' ? value : String(value);
  }
  return out;
}

export const casesApi = {
  // Past a window beyond the page the server says "more than" (totalExact false), as the registry does.
  list: (query: CaseFilters & { limit: number; offset: number }): Promise<Page<CaseRow>> =>
    http.get<Page<CaseRow>>('/api/cases', present({ ...query })),
  get: (district: string, id: string) => http.get<CaseDetail>(one(district, id)),
  intake: (input: IntakeInput) => http.post<CaseDetail>('/api/cases', input),
  act: (
    district: string,
    id: string,
    action: string,
    body: { version: number; reason?: string; record?: Record<string, unknown> },
  ) =>
    http.post<CaseDetail>(`${one(district, id)}/actions/${encodeURIComponent(action)}`, body, {
      silent: true,
    }),
  determination: (district: string, id: string, month?: string) =>
    http.get<Determination>(`${one(district, id)}/determination`, present({ month }), { silent: true }),
  decision: (district: string, id: string) =>
    http.get<Decision>(`${one(district, id)}/decision`, undefined, { silent: true }),
  prepare: (district: string, id: string, input: PrepareInput) =>
    request<Decision>('PUT', `${one(district, id)}/decision`, { body: input, silent: true }),
  noticeUrl: (district: string, id: string, kind: string) => `${one(district, id)}/notices/${kind}.pdf`,
  publicityUrl: (street?: string) =>
    street ? `/api/cases/publicity.pdf?street=${encodeURIComponent(street)}` : '/api/cases/publicity.pdf',
};

export const entitlementsApi = {
  list: (query: EntitlementFilters & { limit: number; offset: number }) =>
    http.get<Page<Entitlement>>('/api/entitlements', present({ ...query })),
  get: (district: string, id: string) =>
    http.get<EntitlementDetail>(
      `/api/entitlements/${encodeURIComponent(district)}/${encodeURIComponent(id)}`,
    ),
  act: (
    district: string,
    id: string,
    action: string,
    body: { version: number; reason: string; fromMonth?: string },
  ) =>
    http.post<EntitlementDetail>(
      `/api/entitlements/${encodeURIComponent(district)}/${encodeURIComponent(id)}/actions/${action}`,
      body,
      { silent: true },
    ),
};
