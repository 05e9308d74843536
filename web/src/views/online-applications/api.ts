import type { TimelineEvent } from '../../api/registry-edits.ts';
import { http } from '../../api/request.ts';
import type { Page } from '../../api/types.ts';

/**
 * 网上申请（待匹配）: the street's calls (src/http/routes/public-cases.routes.ts, `/api/online-applications`).
 * The shapes are the routes' response schemas; programs and states arrive as Chinese names.
 */

export type OnlineState = 'unmatched' | 'drafted' | 'matched' | 'closed';

export interface OnlineApplication {
  districtCode: string;
  id: string;
  receiptNo: string;
  name: string;
  idNumberMasked: string;
  phoneMasked: string;
  streetCode: string;
  streetName: string;
  address: string;
  householdNote: string;
  programs: string[];
  state: OnlineState;
  stateName: string;
  version: number;
  caseId: string | null;
  receivedAt: string;
  outcome: string | null;
  outcomeName: string | null;
  outcomeNote: string | null;
  handledAt: string | null;
}

export interface OnlineApplicationDetail extends OnlineApplication {
  caseNo: string | null;
  registryMatch: {
    personName: string;
    nameMatches: boolean;
    householdId: string | null;
    householdNo: string | null;
    address: string | null;
  } | null;
  timeline: TimelineEvent[];
}

const path = (a: { districtCode: string; id: string }) =>
  `/api/online-applications/${encodeURIComponent(a.districtCode)}/${encodeURIComponent(a.id)}`;

export const onlineApi = {
  async list(query: { state: OnlineState; limit: number; offset: number }): Promise<Page<OnlineApplication>> {
    const page = await http.get<{ items: OnlineApplication[]; total: number }>(
      '/api/online-applications',
      query,
    );
    return { ...page, totalExact: true };
  },
  get: (key: { districtCode: string; id: string }) => http.get<OnlineApplicationDetail>(path(key)),
  contact: (key: { districtCode: string; id: string }, purpose: string) =>
    http.post<{ idNumber: string; phone: string }>(`${path(key)}/contact`, { purpose }, { silent: true }),
  match: (
    key: { districtCode: string; id: string },
    body: { version: number; householdId: string; note?: string },
  ) => http.post<OnlineApplicationDetail>(`${path(key)}/match`, body, { silent: true }),
  close: (
    key: { districtCode: string; id: string },
    body: { version: number; outcome: string; note: string },
  ) => http.post<OnlineApplicationDetail>(`${path(key)}/close`, body, { silent: true }),
};
