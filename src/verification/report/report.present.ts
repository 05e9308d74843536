import { shanghaiToday } from '../../core/clock.ts';
import { MARITAL_STATUS_CODES } from '../../registry/codes.ts';
import { placeName } from '../../registry/place-names.ts';
import { mayAct } from '../../auth/roles.ts';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import type { Db } from '../../db/store.ts';
import { formatYuan } from '../../policy/engine/exact.ts';
import { streetAndCommitteeNames } from '../../registry/present.ts';
import type { RecordedChange } from '../../workflow/unit-of-work.ts';
import { WorkflowError } from '../../workflow/workflow.errors.ts';
import { purposeName } from '../purposes.ts';
import { findRequest, type RequestRow } from '../request.repository.ts';
import { ANSWER_KINDS, SOURCES, isSourceCode } from '../sources/catalogue.ts';
import type { VerificationCaller } from '../verification.caller.ts';
import { REQUEST_NOT_FOUND, VerificationError } from '../verification.errors.ts';
import { verificationMachine, type VerificationState } from '../verification.machine.ts';
import { verificationParameter, VP } from '../verification.parameters.ts';
import { openObjection, type ObjectionRow } from './objection.repository.ts';
import { answersOf, reportRevisions, type ReportRow } from './report.repository.ts';
import {
  FIGURE_KINDS,
  FLAG_CODES,
  type Claim,
  type Conclusion,
  type FigureKind,
  type Flag,
  type Gap,
  type ReportBody,
} from './report.types.ts';

/**
 * Two views of a verification's result. The combined report (`verification.view`: caseworkers of the
 * household's street, approvers, auditors, officers) shows the figures, flags and the engine's conclusion —
 * which agencies confirmed a figure, never what each one answered. The raw answers per source
 * (`verification.raw`: verification officers only) are the agencies' own rows; reading them is audited
 * (`rawViewedChange`, recorded by the edge with recordOnly before the rows are sent).
 */

export interface FigureView {
  personId: string | null;
  memberName: string;
  kind: FigureKind;
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

export interface ReportView {
  request: {
    id: string;
    districtCode: string;
    requestNo: string;
    householdId: string;
    committeeCode: string;
    streetName: string | null;
    committeeName: string | null;
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
  figures: FigureView[];
  flags: Flag[];
  gaps: Gap[];
  civil: { personId: string; name: string; business: boolean | null; deathDate: string | null }[];
  conclusion: Conclusion;
  revisedBy: { objectionId: string; claims: Claim[] } | null;
  /** 结果复核: the last day to contest, and the objection under review if any. */
  objection: { due: string | null; open: ObjectionRow | null };
}

export function valueText(kind: FigureKind, value: number | null): string {
  if (value === null) return '未核实';
  const unit = FIGURE_KINDS[kind].unit;
  if (unit === 'fen') return `${formatYuan(value)}元`;
  if (unit === 'flag') return value ? '是' : '否';
  return kind === 'homes' ? `${value}套` : `${value}辆`;
}

function differenceText(kind: FigureKind, difference: number | null): string {
  if (difference === null) return '—';
  if (FIGURE_KINDS[kind].unit === 'flag') return difference === 0 ? '一致' : '不一致';
  const sign = difference > 0 ? '+' : '';
  return FIGURE_KINDS[kind].unit === 'fen' ? `${sign}${formatYuan(difference)}元` : `${sign}${difference}`;
}

function requirePermission(caller: VerificationCaller, permission: 'verification.view' | 'verification.raw') {
  if (!mayAct(caller.role, permission)) {
    throw new WorkflowError(
      'forbidden',
      permission === 'verification.raw' ? '只有核对人员可以查看各部门原始答复' : '您没有查看核对报告的权限',
    );
  }
}

/** The request in the caller's scope, or 404 (absent and out of scope read alike). */
export async function requestInScope(
  db: Db,
  caller: VerificationCaller,
  key: { districtCode: string; id: string },
): Promise<RequestRow> {
  if (!/^\d{6}$/.test(key.districtCode) || !UUID.test(key.id)) {
    throw new VerificationError('not_found', REQUEST_NOT_FOUND);
  }
  const row = await findRequest(db, caller.scope, key.districtCode, key.id);
  if (!row) throw new VerificationError('not_found', REQUEST_NOT_FOUND);
  return row;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The day a report was issued (Shanghai), from its instant. */
export function reportedDay(reportedAt: string | Date): string {
  const at = typeof reportedAt === 'string' ? new Date(reportedAt) : reportedAt;
  return shanghaiToday(at);
}

/** The last day to contest a report: N working days (a dated parameter) after the day it was issued. */
export function objectionDue(calendar: WorkingCalendar, reportedAt: string | Date): string {
  const day = reportedDay(reportedAt);
  return calendar.addWorkingDays(day, verificationParameter(VP.objection_working_days, day));
}

export function presentReport(
  row: RequestRow,
  report: ReportRow,
  revisions: number,
  extra: { objectionDue: string | null; open: ObjectionRow | null },
): ReportView {
  const body: ReportBody = report.body;
  const names = new Map(body.members.map((m) => [m.personId, m.name]));
  const state = row.state as VerificationState;
  const place = streetAndCommitteeNames(row.committeeCode);
  return {
    request: {
      id: row.id,
      districtCode: row.districtCode,
      requestNo: row.requestNo,
      householdId: row.householdId,
      committeeCode: row.committeeCode,
      streetName: place.streetName,
      committeeName: place.committeeName,
      purpose: row.purpose,
      purposeName: purposeName(row.purpose),
      asOf: row.asOf,
      state,
      stateName: verificationMachine.states[state],
      version: row.version,
      partial: row.partial,
      reportedAt: row.reportedAt === null ? null : new Date(row.reportedAt).toISOString(),
    },
    revision: report.revision,
    revisions,
    reportNo: report.reportNo,
    createdAt: report.createdAt,
    reason: report.reason,
    members: body.members,
    figures: body.figures.map((f) => ({
      personId: f.personId,
      memberName: f.personId === null ? '家庭' : (names.get(f.personId) ?? ''),
      kind: f.kind,
      kindName: FIGURE_KINDS[f.kind].label,
      declared: f.declared,
      verified: f.verified,
      difference: f.difference,
      declaredText: valueText(f.kind, f.declared),
      verifiedText: valueText(f.kind, f.verified),
      differenceText: differenceText(f.kind, f.difference),
      complete: f.complete,
      sources: f.sources.map((s) => ({ code: s, name: SOURCES[s].name })),
      flags: f.flags.map((code) => ({ code, label: FLAG_CODES[code] })),
      corrected: f.corrected === true,
    })),
    flags: body.flags,
    gaps: body.gaps,
    civil: body.civil.map((c) => ({ ...c, name: names.get(c.personId) ?? '' })),
    conclusion: body.conclusion,
    revisedBy: body.revisedBy ?? null,
    objection: { due: extra.objectionDue, open: extra.open },
  };
}

/** The report (latest revision, or the one asked for) in the caller's scope. */
export async function getReport(
  db: Db,
  caller: VerificationCaller,
  key: { districtCode: string; id: string },
  options: { revision?: number | undefined; calendar?: WorkingCalendar | undefined } = {},
): Promise<ReportView> {
  requirePermission(caller, 'verification.view');
  const row = await requestInScope(db, caller, key);
  const all = await reportRevisions(db, row.districtCode, row.id);
  const report =
    options.revision === undefined ? all[all.length - 1] : all.find((r) => r.revision === options.revision);
  if (!report) {
    throw new VerificationError(
      'not_found',
      options.revision === undefined ? '该核对委托尚未出具核对报告' : `核对报告没有第 ${options.revision} 版`,
    );
  }
  const due =
    options.calendar && row.reportedAt !== null ? objectionDue(options.calendar, row.reportedAt) : null;
  const open = await openObjection(db, row.districtCode, row.id);
  return presentReport(row, report, all.length, { objectionDue: due, open: open ?? null });
}

export interface RevisionSummary {
  revision: number;
  reportNo: string;
  createdAt: string;
  createdBy: string | null;
  reason: string;
  flagCount: number;
  objectionId: string | null;
}

/** Every revision of the report, oldest first (all are kept). */
export async function listReportRevisions(
  db: Db,
  caller: VerificationCaller,
  key: { districtCode: string; id: string },
): Promise<RevisionSummary[]> {
  requirePermission(caller, 'verification.view');
  const row = await requestInScope(db, caller, key);
  return (await reportRevisions(db, row.districtCode, row.id)).map((r) => ({
    revision: r.revision,
    reportNo: r.reportNo,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    reason: r.reason,
    flagCount: r.flagCount,
    objectionId: r.body.revisedBy?.objectionId ?? null,
  }));
}

export interface RawAnswersView {
  requestId: string;
  requestNo: string;
  householdId: string;
  purpose: string;
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
      /** Arrived after the query timed out: kept, not counted in the report. */
      late: boolean;
    }[];
  }[];
}

/**
 * 各部门原始答复 (verification officers only), late answers included and marked. The edge records
 * `rawViewedChange(view)` with recordOnly before it answers.
 */
export async function getRawAnswers(
  db: Db,
  caller: VerificationCaller,
  key: { districtCode: string; id: string },
): Promise<RawAnswersView> {
  requirePermission(caller, 'verification.raw');
  const row = await requestInScope(db, caller, key);
  const reports = await reportRevisions(db, row.districtCode, row.id);
  const names = new Map((reports[0]?.body.members ?? []).map((m) => [m.personId, m.name]));
  const answers = (await answersOf(db, row.districtCode, [row.id], { withLate: true })).get(row.id) ?? [];
  const bySource = new Map<string, RawAnswersView['sources'][number]>();
  for (const a of answers) {
    let entry = bySource.get(a.source);
    if (!entry) {
      entry = {
        source: a.source,
        sourceName: isSourceCode(a.source) ? SOURCES[a.source].name : a.source,
        rows: [],
      };
      bySource.set(a.source, entry);
    }
    const shape = ANSWER_KINDS[a.kind].value;
    entry.rows.push({
      personId: a.personId,
      memberName: names.get(a.personId) ?? '',
      kind: a.kind,
      kindName: ANSWER_KINDS[a.kind].label,
      value:
        shape === 'fen'
          ? `${formatYuan(a.amountFen ?? 0)}元`
          : shape === 'quantity'
            ? String(a.quantity ?? 0)
            : shape === 'flag'
              ? a.flag
                ? '是'
                : '否'
              : textAnswer(a.kind, a.textValue ?? ''),
      reference: a.reference,
      receivedAt: a.receivedAt,
      late: a.late,
    });
  }
  return {
    requestId: row.id,
    requestNo: row.requestNo,
    householdId: row.householdId,
    purpose: row.purpose,
    sources: [...bySource.values()],
  };
}

/** The audit record of a reading of the raw answers: who read which household's, for which request. */
export function rawViewedChange(districtCode: string, view: RawAnswersView): RecordedChange {
  return {
    action: 'verification.raw_viewed',
    entityType: 'verification_request',
    entityId: view.requestId,
    district: districtCode,
    after: {
      requestNo: view.requestNo,
      householdId: view.householdId,
      purpose: view.purpose,
      sources: view.sources.map((s) => s.source),
      rows: view.sources.reduce((n, s) => n + s.rows.length, 0),
    },
  };
}

/** A coded answer as an officer reads it: the name, then the agency's code (户籍 by place, 婚姻状况 GB/T 2261.2). */
export function textAnswer(kind: string, code: string): string {
  if (kind === 'hukou' && /^\d{6,12}$/.test(code)) return `${placeName(code)}（${code}）`;
  if (kind === 'marital' && Object.hasOwn(MARITAL_STATUS_CODES, code))
    return `${MARITAL_STATUS_CODES[code]}（${code}）`;
  return code;
}
