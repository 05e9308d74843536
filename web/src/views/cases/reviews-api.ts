import { http } from '../../api/request.ts';

/**
 * 复审与变更: the console's calls (src/http/routes/case-reviews.routes.ts). The shapes are the routes' response
 * schemas.
 */

export interface DueReview {
  districtCode: string;
  householdId: string;
  householdNo: string | null;
  committeeCode: string;
  dueMonth: string;
  overdue: boolean;
  programs: string[];
  programNames: string[];
  householdType: string;
  householdTypeName: string;
  lastReviewedMonth: string | null;
  openCase: { id: string; caseNo: string } | null;
}

export interface OpenedCase {
  districtCode: string;
  id: string;
  caseNo: string;
  state: string;
}

export const CHANGE_KIND_OPTIONS = [
  { value: 'income', label: '收入变化' },
  { value: 'members', label: '人员变化' },
  { value: 'death', label: '死亡' },
  { value: 'moved_out', label: '迁出本区' },
  { value: 'recheck', label: '核对变化（定期复核）' },
  { value: 'other', label: '其他' },
] as const;
export type ChangeKind = (typeof CHANGE_KIND_OPTIONS)[number]['value'];

export interface ChangeInput {
  householdId: string;
  changeKind: ChangeKind;
  occurredOn: string;
  note: string;
  subjectPersonId?: string | null;
  recheckJobId?: string;
}

export interface CaseChangeReport {
  kind: string;
  kindName: string;
  change: {
    changeKind: string;
    changeKindName: string;
    occurredOn: string;
    effectiveMonth: string;
    note: string;
    subjectPersonId: string | null;
    subjectName: string | null;
    recheckJobId: string | null;
    exit: boolean;
    reportedAt: string;
  } | null;
  entitlementChanges: {
    entitlementId: string;
    program: string;
    programName: string;
    kind: string;
    kindName: string;
    amountBeforeFen: number | null;
    amountAfterFen: number | null;
    effectiveMonth: string | null;
    reason: string;
    changedAt: string;
  }[];
}

export const reviewsApi = {
  due: (query: { month?: string; division?: string; limit: number; offset: number }) =>
    http.get<{ month: string; items: DueReview[]; total: number }>('/api/cases/reviews/due', { ...query }),
  open: (householdId: string, month?: string) =>
    http.post<OpenedCase>('/api/cases/reviews', { householdId, month }),
  openAll: (month?: string) => http.post<{ job: { id: string } }>('/api/cases/reviews/open-all', { month }),
  reportChange: (input: ChangeInput) => http.post<OpenedCase>('/api/cases/changes', input, { silent: true }),
  changes: (district: string, id: string) =>
    http.get<CaseChangeReport>(
      `/api/cases/${encodeURIComponent(district)}/${encodeURIComponent(id)}/changes`,
    ),
};

/** 元 with two decimals from integer fen (display only). */
export function yuan(fen: number | null): string {
  if (fen === null) return '—';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} 元`;
}
