import { parseIsoDay } from '../calendar/days.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { ageOn, dateKey, isMonth, parseMonth } from '../policy/engine/month.ts';
import type { ParameterRead } from '../policy/engine/resolved-params.ts';
import type { PolicyHousehold } from '../policy/household.ts';
import {
  PROGRAM_CODES,
  PROGRAMS,
  evaluateHousehold,
  isProgramCode,
  type ProgramCode,
} from '../policy/index.ts';
import { policyHouseholdOf } from '../registry/policy-input.service.ts';
import { latestReport } from '../verification/report/report.repository.ts';
import { requestRowsByIds } from '../verification/request.repository.ts';
import { caseFacts, type CaseFacts } from './case.source.ts';
import { adultAge, reportMaxAgeDays } from './entitlements.parameters.ts';
import { CASE_NOT_FOUND, EntitlementError } from './entitlements.errors.ts';
import { parametersInForce } from '../parameter-changes/parameters-in-force.ts';

/**
 * 联合认定: the household of a case as the engine's one input for a month (the registry's dated facts, where
 * the figures a verification report recorded — source 核对 — outrank the declared ones), run for EVERY
 * program, each with its explanation and the parameter values it read. Nothing is written. The case's
 * report must exist and be young enough for each program the case applies for (a dated parameter per
 * program); a program the case did not apply for but whose report age is exceeded is shown and marked, and
 * cannot be granted.
 */

/** Report states a determination may rest on: issued, or reviewed (the corrected revision). */
const USABLE_REPORT_STATES = new Set(['reported', 'reviewed']);

export interface DeterminationInput {
  districtCode: string;
  caseId: string;
  /** The benefit month: the engine's month and the decision's start month. */
  month: string;
  /** 临时救助: months of need the caseworker assessed (a case figure, not a registry fact). */
  temporaryAssistanceMonths?: number | undefined;
  /** 适老化改造: the renovation's cost in fen (a case figure). */
  renovationCostFen?: number | undefined;
}

export interface MemberDetermination {
  personId: string;
  name: string;
  birthDate: string;
  /** Age on the month's last day (SPEC.md). */
  age: number;
  amountFen: number;
}

export interface ProgramDetermination {
  program: ProgramCode;
  name: string;
  level: 'household' | 'person';
  eligible: boolean;
  amountFen: number;
  /** Person programs: every counted member with their amount (0 included). */
  members: MemberDetermination[] | null;
  reasons: string[];
  explanation: string;
  parameters: ParameterRead[];
  warnings: string[];
  error: string | null;
  /** Whether the case applied for it. */
  applied: boolean;
  reportMaxAgeDays: number;
  /** The report is no older than this program allows: it may be granted. */
  reportFresh: boolean;
}

export interface ReportBasis {
  requestId: string;
  revision: number;
  reportNo: string;
  issuedOn: string;
  ageDays: number;
}

export interface Determination {
  districtCode: string;
  caseId: string;
  caseNo: string;
  householdId: string;
  committeeCode: string;
  month: string;
  report: ReportBasis;
  /** Counted members in the month, with their ages (the decision names beneficiaries and payees from them). */
  members: MemberDetermination[];
  adultAge: number;
  programs: ProgramDetermination[];
}

export function checkMonth(month: string): void {
  if (!isMonth(month)) throw new EntitlementError('invalid', `月份「${month}」无效，应为 YYYY-MM`);
}

function checkCaseFigures(input: DeterminationInput): void {
  const problems: string[] = [];
  const t = input.temporaryAssistanceMonths;
  if (t !== undefined && (!Number.isSafeInteger(t) || t < 0)) problems.push('临时救助月数应为非负整数');
  const r = input.renovationCostFen;
  if (r !== undefined && (!Number.isSafeInteger(r) || r < 0))
    problems.push('适老化改造费用应为非负整数（分）');
  if (problems.length > 0) throw new EntitlementError('invalid', problems.join('；'), problems);
}

/** The report a case rests on: its verification request's latest revision, issued or reviewed. */
export async function reportOfCase(db: Db, found: CaseFacts, today: string): Promise<ReportBasis> {
  if (!found.verificationRequestId) {
    throw new EntitlementError(
      'report_missing',
      `救助申请 ${found.caseNo} 尚无核对报告，请先完成家庭经济状况核对`,
    );
  }
  const [request] = await requestRowsByIds(db, found.districtCode, [found.verificationRequestId]);
  const report = request ? await latestReport(db, found.districtCode, request.id) : undefined;
  if (!request || !report || !USABLE_REPORT_STATES.has(request.state)) {
    const why = request?.state === 'in_review' ? '核对报告正在复核，复核完成后才能认定' : '核对报告尚未出具';
    throw new EntitlementError('report_missing', `救助申请 ${found.caseNo} ${why}`);
  }
  const issuedOn = shanghaiToday(new Date(report.createdAt));
  return {
    requestId: request.id,
    revision: report.revision,
    reportNo: report.reportNo,
    issuedOn,
    ageDays: parseIsoDay(today) - parseIsoDay(issuedOn),
  };
}

function membersOf(input: PolicyHousehold, month: string): MemberDetermination[] {
  const last = parseMonth(month).lastDayKey;
  return input.members.map((m) => ({
    personId: m.id,
    name: m.name ?? m.id,
    birthDate: m.birthDate,
    age: ageOn(dateKey(m.birthDate) ?? last, last),
    amountFen: 0,
  }));
}

export async function determineCase(
  source: { db: Db; now?: Date },
  scope: DataScope,
  input: DeterminationInput,
): Promise<Determination> {
  checkMonth(input.month);
  checkCaseFigures(input);
  const found = await caseFacts(source.db, scope, input);
  if (!found) throw new EntitlementError('not_found', CASE_NOT_FOUND);
  return determineFound(source, found, input);
}

/** The determination of a case already found (and locked) by the caller. */
export async function determineFound(
  source: { db: Db; now?: Date },
  found: CaseFacts,
  input: DeterminationInput,
): Promise<Determination> {
  const today = shanghaiToday(source.now);
  const report = await reportOfCase(source.db, found, today);
  const parameters = parametersInForce();
  const maxAge = new Map(
    PROGRAM_CODES.map((p) => [p, reportMaxAgeDays(p, today, found.districtCode, parameters)] as const),
  );
  const applied = new Set(found.programs.filter(isProgramCode));
  const stale = [...applied].filter((p) => report.ageDays > maxAge.get(p)!);
  if (stale.length > 0) {
    const problems = stale.map(
      (p) =>
        `${PROGRAMS[p].name}：核对报告 ${report.reportNo} 出具于 ${report.issuedOn}，已 ${report.ageDays} 天，超过 ${maxAge.get(p)!} 天`,
    );
    throw new EntitlementError(
      'report_stale',
      `核对报告已过期，请重新核对：${problems.join('；')}`,
      problems,
    );
  }
  const registered = await policyHouseholdOf(
    source.db,
    { districtCode: found.districtCode, id: found.householdId },
    input.month,
  );
  const household: PolicyHousehold = {
    ...registered,
    temporaryAssistanceMonths: input.temporaryAssistanceMonths ?? 0,
    renovationCostFen: input.renovationCostFen ?? 0,
  };
  const members = membersOf(household, input.month);
  const evaluation =
    household.members.length > 0
      ? evaluateHousehold(household, input.month, {
          explain: true,
          district: found.districtCode,
          parameters,
        }).results
      : [];
  const byProgram = new Map(evaluation.map((r) => [r.program, r]));
  const programs = PROGRAM_CODES.map((code): ProgramDetermination => {
    const def = PROGRAMS[code];
    const r = byProgram.get(code);
    const fresh = report.ageDays <= maxAge.get(code)!;
    const base = {
      program: code,
      name: def.name,
      level: def.level,
      applied: applied.has(code),
      reportMaxAgeDays: maxAge.get(code)!,
      reportFresh: fresh,
    };
    if (!r) {
      return {
        ...base,
        eligible: false,
        amountFen: 0,
        members: null,
        reasons: [],
        explanation: '',
        parameters: [],
        warnings: [],
        error: '该月没有计入本户的成员，无法测算',
      };
    }
    return {
      ...base,
      eligible: r.error ? false : r.eligible,
      amountFen: r.error ? 0 : r.amountFen,
      members: r.byMember ? members.map((m) => ({ ...m, amountFen: r.byMember?.[m.personId] ?? 0 })) : null,
      reasons: [...new Set(r.reasons.map((x) => x.text))],
      explanation: r.trace?.narrative ?? '',
      parameters: [...(r.trace?.parameters ?? [])],
      warnings: r.warnings.map((w) => w.message),
      error: r.error ?? null,
    };
  });
  return {
    districtCode: found.districtCode,
    caseId: found.id,
    caseNo: found.caseNo,
    householdId: found.householdId,
    committeeCode: found.committeeCode,
    month: input.month,
    report,
    members,
    adultAge: adultAge(parseMonth(input.month).lastDay, parameters),
    programs,
  };
}
