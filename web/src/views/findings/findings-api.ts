import { http } from '../../api/request.ts';

/**
 * 内控发现: the console's calls (src/http/routes/findings.routes.ts). The shapes are the routes' response
 * schemas.
 */

export type FindingState = 'open' | 'resolved' | 'dismissed';
export type Severity = 'blocking' | 'warning';

export interface RuleView {
  code: string;
  name: string;
  severity: Severity;
  severityName: string;
  description: string;
}

export interface FindingView {
  districtCode: string;
  id: string;
  rule: string;
  ruleName: string;
  severity: Severity;
  severityName: string;
  runId: string | null;
  month: string | null;
  lineNo: number | null;
  personName: string | null;
  householdNo: string | null;
  /** 户主姓名 (household findings name whom they concern by it). */
  householdHeadName: string | null;
  description: string;
  state: FindingState;
  stateName: string;
  resolution: string | null;
  ownerName: string | null;
  dueOn: string;
  overdue: boolean;
  foundAt: string;
  resolvedByName: string | null;
  resolvedAt: string | null;
  version: number;
  /** What the caller may do now: resolve, dismiss. */
  actions: ('resolve' | 'dismiss')[];
}

export interface FindingList {
  total: number;
  items: FindingView[];
  rules: RuleView[];
}

export interface FindingQuery {
  districtCode?: string;
  runId?: string;
  rule?: string;
  severity?: Severity | '';
  state?: FindingState | '';
  mine?: boolean;
  overdue?: boolean;
  limit?: number;
  offset?: number;
}

function query(q: FindingQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '' || v === false) continue;
    out[k] = String(v);
  }
  return out;
}

const one = (district: string, id: string) =>
  `/api/findings/${encodeURIComponent(district)}/${encodeURIComponent(id)}`;

export const findingsApi = {
  list: (q: FindingQuery) => http.get<FindingList>('/api/findings', query(q)),
  get: (district: string, id: string) => http.get<FindingView>(one(district, id)),
  resolve: (district: string, id: string, version: number, resolution: string) =>
    http.post<FindingView>(`${one(district, id)}/resolve`, { version, resolution }),
  dismiss: (district: string, id: string, version: number, reason: string) =>
    http.post<FindingView>(`${one(district, id)}/dismiss`, { version, reason }),
};

export const STATE_NAMES: Record<FindingState, string> = {
  open: '待处理',
  resolved: '已整改',
  dismissed: '已排除',
};
