import { http } from './request.ts';
import type { Page } from './types.ts';

/** 发放管理: the console's calls (src/http/routes/payroll.routes.ts); the shapes are its response schemas. */

export interface ActorLabel {
  id: string;
  name: string;
}

export interface Step {
  action: string;
  label: string;
}

export interface PayrollRun {
  id: string;
  districtCode: string;
  month: string;
  state: string;
  stateName: string;
  jobId: string | null;
  preparedBy: ActorLabel;
  preparedAt: string;
  checkedBy: ActorLabel | null;
  checkedAt: string | null;
  approvedBy: ActorLabel | null;
  approvedAt: string | null;
  exportedBy: ActorLabel | null;
  exportedAt: string | null;
  closedAt: string | null;
  lineCount: number;
  totalFen: number;
  heldCount: number;
  heldFen: number;
  version: number;
  allowedActions: Step[];
  createdAt: string;
  updatedAt: string;
}

export interface ProgramTotals {
  program: string;
  programName: string;
  lines: number;
  households: number;
  amountFen: number;
  heldLines: number;
  excludedLines: number;
  byState: { state: string; stateName: string; lines: number; amountFen: number }[];
}

export interface TimelineEvent {
  id: number;
  actionLabel: string;
  toStateLabel: string;
  actorName: string;
  reason: string;
  at: string;
}

export interface PayrollRunDetail extends PayrollRun {
  totals: ProgramTotals[];
  timeline: TimelineEvent[];
}

export interface PersonRef {
  personId: string;
  name: string;
  idNumberMasked: string;
}

export interface PayrollLine {
  lineNo: number;
  program: string;
  programName: string;
  period: string;
  kind: string;
  kindName: string;
  amountFen: number;
  entitlementAmountFen: number | null;
  engineAmountFen: number | null;
  state: string;
  stateName: string;
  holdReason: string | null;
  committeeCode: string;
  committeeName: string | null;
  person: PersonRef | null;
  payee: PersonRef;
  bankName: string | null;
  accountNo: string | null;
  accountMasked: boolean;
  failureReason: string | null;
  reviewedBy: string | null;
}

export interface LineFilters extends Record<string, string> {
  program: string;
  state: string;
  kind: string;
  committee: string;
  q: string;
}

export interface Recovery {
  id: string;
  districtCode: string;
  payableId: string;
  program: string;
  programName: string;
  period: string;
  amountFen: number;
  recoveredFen: number;
  cause: string;
  causeName: string;
  note: string;
  person: PersonRef | null;
  state: string;
  stateName: string;
  raisedBy: string;
  raisedAt: string;
  closedBy: string | null;
  closedAt: string | null;
  version: number;
  allowedActions: Step[];
}

export interface ReviewRequest {
  decision: 'release' | 'exclude';
  amountFrom?: 'entitlement' | 'engine';
  lineNos?: number[];
  program?: string;
  version: number;
  reason: string;
}

/** The action dialogs show a refusal themselves (utils/use-submit.ts): no second message as a toast. */
const SHOWN_IN_DIALOG = { silent: true };

const run = (d: string, id: string) => `/api/payroll/runs/${d}/${id}`;

export const payrollApi = {
  runs: (query: { month: string; state: string; limit: number; offset: number }) =>
    http.get<Page<PayrollRun>>('/api/payroll/runs', query),
  start: (month: string, reason: string) =>
    http.post<{ run: PayrollRun; jobId: string }>('/api/payroll/runs', { month, reason }, SHOWN_IN_DIALOG),
  run: (d: string, id: string) => http.get<PayrollRunDetail>(run(d, id)),
  lines: (d: string, id: string, query: LineFilters & { limit: number; offset: number }) =>
    http.get<Page<PayrollLine>>(`${run(d, id)}/lines`, query),
  act: (d: string, id: string, action: string, version: number, reason: string) =>
    http.post<PayrollRun>(`${run(d, id)}/actions/${action}`, { version, reason }, SHOWN_IN_DIALOG),
  review: (d: string, id: string, body: ReviewRequest) =>
    http.post<{ lines: number; fen: number; version: number }>(`${run(d, id)}/review`, body, SHOWN_IN_DIALOG),
  recoveries: (query: { state: string; cause: string; limit: number; offset: number }) =>
    http.get<Page<Recovery>>('/api/payroll/recoveries', query),
  actOnRecovery: (d: string, id: string, action: string, version: number, reason: string) =>
    http.post<Recovery>(
      `/api/payroll/recoveries/${d}/${id}/actions/${action}`,
      { version, reason },
      SHOWN_IN_DIALOG,
    ),
};

export const RUN_STATE_OPTIONS = [
  { value: 'computing', label: '计算中' },
  { value: 'prepared', label: '待复核' },
  { value: 'checked', label: '已复核' },
  { value: 'approved', label: '已审批' },
  { value: 'exported', label: '已导出' },
  { value: 'closed', label: '已办结' },
  { value: 'cancelled', label: '已撤销' },
];

export function runTagType(state: string): 'info' | 'warning' | 'success' | 'danger' | 'primary' {
  switch (state) {
    case 'prepared':
    case 'checked':
      return 'warning';
    case 'approved':
    case 'exported':
      return 'primary';
    case 'closed':
      return 'success';
    case 'cancelled':
      return 'danger';
    default:
      return 'info';
  }
}
