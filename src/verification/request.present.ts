import { OPERATOR } from '../auth/roles.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import { streetAndCommitteeNames } from '../registry/present.ts';
import { allowedTransitions } from '../workflow/state-machine.ts';
import type { TimelineEventView } from '../workflow/timeline.ts';
import { purposeName } from './purposes.ts';
import type { RequestRow, SourceQueryRow } from './request.repository.ts';
import { isSourceCode, SOURCES } from './sources/catalogue.ts';
import type { VerificationCaller } from './verification.caller.ts';
import { verificationMachine, type VerificationState } from './verification.machine.ts';

/** 核对委托 as the API, the console and the CLI show it: names, not codes; ID numbers masked. */

export const ORIGIN_NAMES = { application: '申请核对', recheck: '定期复核', exchange: '异地协查' } as const;

export const QUERY_STATE_NAMES: Readonly<Record<string, string>> = {
  pending: '待发送',
  sent: '已发送，待答复',
  answered: '已答复',
  failed: '查询失败',
  timed_out: '超时未答复',
};

export interface SourceStatusView {
  source: string;
  sourceName: string;
  state: string;
  stateName: string;
  attempts: number;
  sentAt: string | null;
  answeredAt: string | null;
  error: string | null;
}

export interface RequestView {
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
  origin: string;
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
  /** How many sources answered, of how many asked. */
  progress: { answered: number; failed: number; waiting: number; total: number };
  createdAt: string;
  reportedAt: string | null;
  allowedActions: { action: string; label: string }[];
}

export interface RequestDetailView extends RequestView {
  sources: SourceStatusView[];
  timeline: TimelineEventView[];
}

const OPEN: readonly VerificationState[] = ['received', 'gathering'];

export function progressOf(counts: Record<string, number> | undefined) {
  const c = counts ?? {};
  const answered = c.answered ?? 0;
  const failed = (c.failed ?? 0) + (c.timed_out ?? 0);
  const waiting = (c.pending ?? 0) + (c.sent ?? 0);
  return { answered, failed, waiting, total: answered + failed + waiting };
}

const SYSTEM_STEPS = new Set(['start', 'gather', 'report']);

function openActions(caller: VerificationCaller, row: RequestRow) {
  return (
    allowedTransitions(
      verificationMachine,
      row.state as VerificationState,
      caller.role === OPERATOR ? undefined : caller.role,
    )
      // The system's steps (gather, report) are the jobs'; a person may withdraw, object, uphold or dismiss
      // (objecting and deciding through their own routes, which also check the time limit and the officer).
      .filter((t) => !SYSTEM_STEPS.has(t.action))
      .map((t) => ({ action: t.action, label: t.label }))
  );
}

export interface MemberInfo {
  name: string;
  idNumber: string;
}

export function presentRequest(
  row: RequestRow,
  caller: VerificationCaller,
  extra: {
    household?: { householdNo: string; address: string } | undefined;
    members: ReadonlyMap<string, MemberInfo>;
    progress?: Record<string, number> | undefined;
    today: string;
  },
): RequestView {
  const state = row.state as VerificationState;
  const names = streetAndCommitteeNames(row.committeeCode);
  return {
    id: row.id,
    districtCode: row.districtCode,
    requestNo: row.requestNo,
    householdId: row.householdId,
    householdNo: extra.household?.householdNo ?? null,
    address: extra.household?.address ?? null,
    committeeCode: row.committeeCode,
    streetName: names.streetName,
    committeeName: names.committeeName,
    purpose: row.purpose,
    purposeName: purposeName(row.purpose),
    origin: row.origin,
    originName: ORIGIN_NAMES[row.origin as keyof typeof ORIGIN_NAMES] ?? row.origin,
    members: row.personIds.map((personId) => {
      const m = extra.members.get(personId);
      return {
        personId,
        name: m?.name ?? '（已不在本户）',
        idNumberMasked: m ? maskIdNumber(m.idNumber) : '',
      };
    }),
    authorisationIds: row.authorisationIds,
    asOf: row.asOf,
    state,
    stateName: verificationMachine.states[state],
    version: row.version,
    partial: row.partial,
    due: {
      due: row.dueDue,
      from: row.dueFrom,
      workingDays: row.dueWorkingDays,
      rule: row.dueRule,
      provisional: row.dueProvisional,
    },
    overdue: OPEN.includes(state) && row.dueDue < extra.today,
    progress: progressOf(extra.progress),
    createdAt: new Date(row.createdAt).toISOString(),
    reportedAt: row.reportedAt === null ? null : new Date(row.reportedAt).toISOString(),
    allowedActions: openActions(caller, row),
  };
}

export function presentSource(q: SourceQueryRow): SourceStatusView {
  return {
    source: q.source,
    sourceName: isSourceCode(q.source) ? SOURCES[q.source].name : q.source,
    state: q.state,
    stateName: QUERY_STATE_NAMES[q.state] ?? q.state,
    attempts: q.attempts,
    sentAt: q.sentAt === null ? null : new Date(q.sentAt).toISOString(),
    answeredAt: q.answeredAt === null ? null : new Date(q.answeredAt).toISOString(),
    error: q.error,
  };
}
