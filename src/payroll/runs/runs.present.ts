import { allowedTransitions } from '../../workflow/state-machine.ts';
import { actorName } from '../../auth/actor-name.ts';
import { hasPermission, OPERATOR, type Acting } from '../../auth/roles.ts';
import { findUserById } from '../../auth/user.repository.ts';
import type { Db } from '../../db/store.ts';
import { maskAccount, programName } from '../../entitlements/entitlement.present.ts';
import { maskIdNumber } from '../../registry/id-number.ts';
import { streetAndCommitteeNames } from '../../registry/present.ts';
import { presentTimeline, type TimelineEventView } from '../../workflow/timeline.ts';
import { RUN_STATE_NAMES, RUN_USER_ACTIONS, runMachine, type RunState } from './run.machine.ts';
import type { LinePageRow, ProgramTotalRow, RunRow } from './runs.repository.ts';

/** How runs and lines read: names (people, programs, committees, states) in Chinese; accounts and ID numbers masked unless allowed. */

export const LINE_STATE_NAMES: Readonly<Record<string, string>> = {
  held: '挂起待复核',
  pending: '待发放',
  released: '复核放行',
  excluded: '不予发放',
  paid: '已发放',
  failed: '发放失败',
};

export const LINE_KIND_NAMES: Readonly<Record<string, string>> = {
  regular: '当期',
  arrears: '补发',
  carried: '重发',
  offset: '追缴抵扣',
};

export interface ActorLabel {
  id: string;
  name: string;
}

export interface RunView {
  id: string;
  districtCode: string;
  month: string;
  state: RunState;
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
  allowedActions: { action: string; label: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface Names {
  of(id: string | null): string;
}

export async function userNames(db: Db, ids: Iterable<string | null>): Promise<Names> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    if (id === null || names.has(id) || !/^[0-9a-f-]{36}$/i.test(id)) continue;
    const user = await findUserById(db, id);
    if (user) names.set(id, user.displayName);
  }
  return { of: (id) => actorName(id, (x) => names.get(x)) };
}

const iso = (v: string | null): string | null => (v === null ? null : new Date(v).toISOString());

function label(names: Names, id: string | null): ActorLabel | null {
  return id === null ? null : { id, name: names.of(id) };
}

/** The actions the console offers this role on a run in its state (the machine's, the user ones). */
export function runActionsFor(
  run: Pick<RunRow, 'state' | 'preparedBy' | 'checkedBy'>,
  role: Acting,
  userId: string | null = null,
): { action: string; label: string }[] {
  // Maker ≠ checker ≠ approver: the reader is not offered a step the service would refuse them.
  const barred = (action: string) =>
    userId !== null &&
    ((action === 'check' && userId === run.preparedBy) ||
      (action === 'approve' && (userId === run.preparedBy || userId === run.checkedBy)));
  return allowedTransitions(runMachine, run.state as RunState, role === OPERATOR ? undefined : role)
    .filter((t) => (RUN_USER_ACTIONS as readonly string[]).includes(t.action) && !barred(t.action))
    .map((t) => ({ action: t.action, label: t.label }));
}

export async function presentRuns(
  db: Db,
  role: Acting,
  rows: readonly RunRow[],
  userId: string | null = null,
): Promise<RunView[]> {
  const names = await userNames(
    db,
    rows.flatMap((r) => [r.preparedBy, r.checkedBy, r.approvedBy, r.exportedBy]),
  );
  return rows.map((r) => {
    const state = r.state as RunState;
    return {
      id: r.id,
      districtCode: r.districtCode,
      month: r.month,
      state,
      stateName: RUN_STATE_NAMES[state] ?? r.state,
      jobId: r.jobId,
      preparedBy: label(names, r.preparedBy)!,
      preparedAt: iso(r.preparedAt)!,
      checkedBy: label(names, r.checkedBy),
      checkedAt: iso(r.checkedAt),
      approvedBy: label(names, r.approvedBy),
      approvedAt: iso(r.approvedAt),
      exportedBy: label(names, r.exportedBy),
      exportedAt: iso(r.exportedAt),
      closedAt: iso(r.closedAt),
      lineCount: r.lineCount,
      totalFen: Number(r.totalFen),
      heldCount: r.heldCount,
      heldFen: Number(r.heldFen),
      version: r.version,
      allowedActions: runActionsFor(r, role, userId),
      createdAt: iso(r.createdAt)!,
      updatedAt: iso(r.updatedAt)!,
    };
  });
}

export interface ProgramTotals {
  program: string;
  programName: string;
  /** 人次: lines to be paid (pending, released, paid, failed). */
  lines: number;
  /** 户次: households among them. */
  households: number;
  amountFen: number;
  heldLines: number;
  excludedLines: number;
  byState: { state: string; stateName: string; lines: number; amountFen: number }[];
}

const PAYABLE = new Set(['pending', 'released', 'paid', 'failed']);

export function presentTotals(rows: readonly ProgramTotalRow[]): ProgramTotals[] {
  const out = new Map<string, ProgramTotals>();
  for (const r of rows) {
    const t = out.get(r.program) ?? {
      program: r.program,
      programName: programName(r.program),
      lines: 0,
      households: 0,
      amountFen: 0,
      heldLines: 0,
      excludedLines: 0,
      byState: [],
    };
    if (PAYABLE.has(r.state)) {
      t.lines += r.lines;
      t.households += r.households;
      t.amountFen += r.amountFen;
    }
    if (r.state === 'held') t.heldLines += r.lines;
    if (r.state === 'excluded') t.excludedLines += r.lines;
    t.byState.push({
      state: r.state,
      stateName: LINE_STATE_NAMES[r.state] ?? r.state,
      lines: r.lines,
      amountFen: r.amountFen,
    });
    out.set(r.program, t);
  }
  return [...out.values()];
}

export interface RunDetail extends RunView {
  totals: ProgramTotals[];
  timeline: TimelineEventView[];
}

export async function presentRunDetail(
  db: Db,
  role: Acting,
  row: RunRow,
  totals: readonly ProgramTotalRow[],
  userId: string | null = null,
): Promise<RunDetail> {
  const [view] = await presentRuns(db, role, [row], userId);
  return { ...view!, totals: presentTotals(totals), timeline: await presentTimeline(db, runMachine, row.id) };
}

export interface PersonRef {
  personId: string;
  name: string;
  idNumberMasked: string;
}

export interface LineView {
  lineNo: number;
  program: string;
  programName: string;
  period: string;
  kind: string;
  kindName: string;
  amountFen: number;
  entitlementAmountFen: number | null;
  engineAmountFen: number | null;
  basisKind: string;
  state: string;
  stateName: string;
  holdReason: string | null;
  committeeCode: string;
  committeeName: string | null;
  householdId: string | null;
  person: PersonRef | null;
  payee: PersonRef;
  bankName: string | null;
  accountNo: string | null;
  accountMasked: boolean;
  failureReason: string | null;
  paidOn: string | null;
  reviewedBy: string | null;
}

function ref(id: string | null, name: string | null, idNumber: string | null): PersonRef | null {
  if (id === null) return null;
  return { personId: id, name: name ?? '（未知）', idNumberMasked: idNumber ? maskIdNumber(idNumber) : '' };
}

export async function presentLines(db: Db, role: Acting, rows: readonly LinePageRow[]): Promise<LineView[]> {
  const unmask = role === OPERATOR || hasPermission(role, 'payroll.account');
  const names = await userNames(
    db,
    rows.map((r) => r.reviewedBy),
  );
  return rows.map((r) => ({
    lineNo: r.lineNo,
    program: r.program,
    programName: programName(r.program),
    period: r.period,
    kind: r.kind,
    kindName: LINE_KIND_NAMES[r.kind] ?? r.kind,
    amountFen: r.amountFen,
    entitlementAmountFen: r.entitlementAmountFen,
    engineAmountFen: r.engineAmountFen,
    basisKind: r.basisKind,
    state: r.state,
    stateName: LINE_STATE_NAMES[r.state] ?? r.state,
    holdReason: r.holdReason,
    committeeCode: r.committeeCode,
    committeeName: streetAndCommitteeNames(r.committeeCode).committeeName,
    householdId: r.householdId,
    person: ref(r.personId, r.personName, r.personIdNumber),
    payee: ref(r.payeePersonId, r.payeeName, r.payeeIdNumber)!,
    bankName: r.bankName,
    accountNo: r.accountNo === null ? null : unmask ? r.accountNo : maskAccount(r.accountNo),
    accountMasked: r.accountNo !== null && !unmask,
    failureReason: r.failureReason,
    paidOn: r.paidOn,
    reviewedBy: r.reviewedBy === null ? null : names.of(r.reviewedBy),
  }));
}
