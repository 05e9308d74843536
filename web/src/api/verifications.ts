import type { TimelineEvent } from './registry-edits.ts';
import { http } from './request.ts';
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
