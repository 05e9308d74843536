import type { Job } from './jobs.ts';
import type { TimelineEvent } from './registry-edits.ts';
import { download, http } from './request.ts';
import type { Page } from './types.ts';

/**
 * 核对委托 and 核对授权书: the console's calls (src/http/routes/verifications.routes.ts; the report, raw
 * answers, objections and decisions in verification-reports.routes.ts).
 */

export type VerificationState =
  'received' | 'gathering' | 'reported' | 'in_review' | 'reviewed' | 'withdrawn';
export type VerificationOrigin = 'application' | 'recheck' | 'exchange';

export interface Signer {
  personId: string;
  name: string;
}

export interface Authorisation {
  id: string;
  districtCode: string;
  householdId: string;
  purpose: string;
  purposeName: string;
  signers: Signer[];
  signedOn: string;
  /** 有效期至（不含当日）；随待遇延续的授权书为 null. */
  validUntil: string | null;
  standing: boolean;
  endedOn: string | null;
  endReason: string | null;
  /** Holds today. */
  current: boolean;
  attachmentId: string;
  version: number;
}

export interface VerificationRequest {
  id: string;
  districtCode: string;
  requestNo: string;
  householdId: string;
  householdNo: string | null;
  address: string | null;
  committeeCode: string;
  streetName: string | null;
  committeeName: string | null;
  purpose: string;
  purposeName: string;
  origin: VerificationOrigin | string;
  originName: string;
  members: { personId: string; name: string; idNumberMasked: string }[];
  authorisationIds: string[];
  asOf: string;
  state: VerificationState;
  stateName: string;
  version: number;
  partial: boolean;
  due: { due: string; from: string; workingDays: number; rule: string; provisional: boolean };
  overdue: boolean;
  progress: { answered: number; failed: number; waiting: number; total: number };
  createdAt: string;
  reportedAt: string | null;
  allowedActions: { action: string; label: string }[];
}

export interface SourceStatus {
  source: string;
  sourceName: string;
  state: string;
  stateName: string;
  attempts: number;
  sentAt: string | null;
  answeredAt: string | null;
  error: string | null;
}

export interface VerificationDetail extends VerificationRequest {
  sources: SourceStatus[];
  timeline: TimelineEvent[];
}

/** One figure of the report: a member's (or the household's, memberName 家庭) figure of one kind. */
export interface ReportFigure {
  personId: string | null;
  memberName: string;
  kind: string;
  kindName: string;
  declared: number;
  verified: number | null;
  difference: number | null;
  declaredText: string;
  verifiedText: string;
  differenceText: string;
  complete: boolean;
  sources: { code: string; name: string }[];
  flags: { code: string; label: string }[];
  corrected: boolean;
}

export interface ReportFlag {
  code: string;
  label: string;
  personId: string | null;
  kind: string | null;
  text: string;
}

export interface ReportGap {
  source: string;
  sourceName: string;
  state: 'failed' | 'timed_out';
  kinds: string[];
  text: string;
}

export interface ProgramConclusion {
  program: string;
  name: string;
  forPurpose: boolean;
  eligible: boolean;
  amountFen: number;
  reasons: string[];
  explanation: string;
  error?: string;
}

export interface Claim {
  personId: string | null;
  kind: string;
  /** Fen for money, a count for homes and vehicles, 0/1 for a flag. */
  claimedValue: number;
}

export interface Objection {
  districtCode: string;
  id: string;
  requestId: string;
  revision: number;
  grounds: string;
  claims: Claim[];
  attachmentIds: string[];
  state: string;
  version: number;
  filedBy: string | null;
  filedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decision: string | null;
}

/** 核对报告 (one revision) as the server presents it (src/verification/report/report.present.ts). */
export interface Report {
  request: {
    id: string;
    districtCode: string;
    requestNo: string;
    householdId: string;
    purpose: string;
    purposeName: string;
    asOf: string;
    state: VerificationState;
    stateName: string;
    version: number;
    partial: boolean;
    reportedAt: string | null;
  };
  revision: number;
  revisions: number;
  reportNo: string;
  createdAt: string;
  reason: string;
  members: { personId: string; name: string }[];
  figures: ReportFigure[];
  flags: ReportFlag[];
  gaps: ReportGap[];
  civil: { personId: string; name: string; business: boolean | null; deathDate: string | null }[];
  conclusion: { month: string; programs: ProgramConclusion[]; warnings: string[] };
  revisedBy: { objectionId: string; claims: Claim[] } | null;
  objection: { due: string | null; open: Objection | null };
}

export interface ReportRevision {
  revision: number;
  reportNo: string;
  createdAt: string;
  createdBy: string | null;
  reason: string;
  flagCount: number;
  objectionId: string | null;
}

export interface RawAnswers {
  requestId: string;
  requestNo: string;
  sources: {
    source: string;
    sourceName: string;
    rows: {
      personId: string;
      memberName: string;
      kind: string;
      kindName: string;
      value: string;
      reference: string;
      receivedAt: string;
      late: boolean;
    }[];
  }[];
}

/** One row of a re-verification's change list (src/verification/recheck/change-list.service.ts). */
export interface RecheckChange {
  requestId: string;
  householdId: string;
  householdNo: string | null;
  committeeName: string | null;
  personId: string | null;
  personName: string;
  kind: string;
  kindName: string;
  program: string;
  programName: string;
  /** Fen for money. */
  oldValue: number | null;
  newValue: number | null;
  oldText: string;
  newText: string;
  source: string;
  sourceNames: string;
  asOf: string;
  affectsEligibility: boolean;
  affectsAmount: boolean;
}

export interface RequestFilters {
  state?: VerificationState | '';
  purpose?: string;
  origin?: VerificationOrigin | '';
  householdId?: string;
  requestNo?: string;
  overdue?: boolean;
}

const enc = encodeURIComponent;
/** Writes come from dialogs that show the server's message inline: no toast as well. */
const quiet = { silent: true } as const;
const one = (district: string, id: string) => `/api/verifications/${enc(district)}/${enc(id)}`;

/** '' and false mean "no filter": the query leaves them out. */
function listQuery(filters: RequestFilters & { limit: number; offset: number }) {
  return {
    state: filters.state || undefined,
    purpose: filters.purpose || undefined,
    origin: filters.origin || undefined,
    householdId: filters.householdId || undefined,
    requestNo: filters.requestNo?.trim() || undefined,
    overdue: filters.overdue ? 'true' : undefined,
    limit: filters.limit,
    offset: filters.offset,
  };
}

export const verificationsApi = {
  /** The server counts exactly: the page's total is always exact. */
  list: async (
    filters: RequestFilters & { limit: number; offset: number },
  ): Promise<Page<VerificationRequest>> => {
    const page = await http.get<{ items: VerificationRequest[]; total: number }>(
      '/api/verifications',
      listQuery(filters),
    );
    return { ...page, totalExact: true };
  },
  get: (district: string, id: string) => http.get<VerificationDetail>(one(district, id), undefined, quiet),
  create: (body: { householdId: string; purpose: string; reason?: string }, district?: string) =>
    request201<VerificationRequest>('/api/verifications', body, district),
  withdraw: (district: string, id: string, body: { version: number; reason: string }) =>
    http.post<VerificationDetail>(`${one(district, id)}/withdraw`, body, quiet),

  report: (district: string, id: string, revision?: number) =>
    http.get<Report>(`${one(district, id)}/report`, revision === undefined ? undefined : { revision }),
  revisions: (district: string, id: string) =>
    http.get<{ items: ReportRevision[] }>(`${one(district, id)}/report/revisions`),
  downloadPdf: (district: string, id: string, reportNo: string, revision?: number) =>
    download(`${one(district, id)}/report.pdf`, { revision }, `核对报告-${reportNo}.pdf`),
  rawAnswers: (district: string, id: string) => http.get<RawAnswers>(`${one(district, id)}/answers`),
  object: (
    district: string,
    id: string,
    body: { version: number; grounds: string; claims: Claim[]; attachmentIds: string[] },
  ) => http.post<Objection>(`${one(district, id)}/objections`, body, quiet),
  decide: (
    district: string,
    id: string,
    objectionId: string,
    body: { decision: 'uphold' | 'dismiss'; version: number; reason: string },
  ) => http.post<unknown>(`${one(district, id)}/objections/${enc(objectionId)}/decision`, body, quiet),

  startRecheck: (program: string, reason: string) =>
    http.post<{ job: Job }>('/api/verifications/rechecks', { program, reason }, quiet),
  recheckChanges: async (
    jobId: string,
    query: { affectsOnly: boolean; limit: number; offset: number },
  ): Promise<Page<RecheckChange>> => {
    const page = await http.get<{ items: RecheckChange[]; total: number }>(
      `/api/verifications/rechecks/${enc(jobId)}/changes`,
      { ...query, affectsOnly: query.affectsOnly ? 'true' : undefined },
    );
    return { ...page, totalExact: true };
  },
  downloadChanges: (jobId: string, affectsOnly: boolean) =>
    download(
      `/api/verifications/rechecks/${enc(jobId)}/changes.csv`,
      { affectsOnly: affectsOnly ? 'true' : undefined },
      '定期复核变更清单.csv',
    ),

  authorisations: async (householdId: string, district?: string) =>
    (
      await http.get<{ items: Authorisation[] }>('/api/verifications/authorisations', {
        householdId,
        district,
      })
    ).items,
  registerAuthorisation: (
    body: {
      householdId: string;
      purpose: string;
      personIds: string[];
      signedOn: string;
      standing: boolean;
      attachmentId: string;
      reason?: string;
    },
    district?: string,
  ) => request201<Authorisation>('/api/verifications/authorisations', body, district),
};

function request201<T>(path: string, body: unknown, district: string | undefined): Promise<T> {
  const query = district ? `?district=${enc(district)}` : '';
  return http.post<T>(`${path}${query}`, body, quiet);
}
