import type { DataScope } from '../auth/scope.ts';
import { mayAct } from '../auth/roles.ts';
import { shanghaiToday } from '../core/clock.ts';
import { visibleLength } from '../core/text.ts';
import type { Db } from '../db/store.ts';
import { PROGRAMS, isProgramCode, type ProgramCode } from '../policy/index.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { WorkflowError } from '../workflow/workflow.errors.ts';
import { caseFacts, CLOSED_CASE_STATES, type CaseFacts } from './case.source.ts';
import {
  decisionRows,
  lockCaseDecision,
  markDecided,
  replaceDecisionRows,
  type DecisionRow,
  type NewDecisionRow,
} from './decision.repository.ts';
import {
  determineFound,
  reportOfCase,
  checkMonth,
  type DeterminationInput,
} from './determination.service.ts';
import { maskAccount, PAYEE_ROLE_NAMES, programName, type PayeeRole } from './entitlement.present.ts';
import { entitle } from './entitlement.service.ts';
import type { EntitlementCaller } from './entitlements.caller.ts';
import { CASE_NOT_FOUND, EntitlementError } from './entitlements.errors.ts';
import { reportMaxAgeDays } from './entitlements.parameters.ts';
import { resolvePayees, type PayeeInput, type StoredBeneficiary } from './payees.ts';
import { scheduleOf, SCHEDULE_NAMES } from './schedules.ts';

/**
 * 决定: the caseworker prepares one line per program from the joint determination (`prepareDecision`: may
 * deny what the engine grants, with a reason; may never grant what it denies); the approver's action of the
 * cases module then calls `grantDecision` or `denyDecision` in its own unit of work, which fixes the lines
 * (decided lines are never changed or deleted) and turns every granted line into entitlements.
 */

export type { PayeeInput } from './payees.ts';

export interface DecisionLineInput {
  program: string;
  outcome: 'granted' | 'denied';
  /** Why the program is denied (Chinese); required when the engine would grant it. */
  reasons?: readonly string[] | undefined;
}

export interface PrepareDecisionInput extends DeterminationInput {
  lines: readonly DecisionLineInput[];
  payees: readonly PayeeInput[];
}

export interface DecisionLineView {
  program: string;
  programName: string;
  outcome: 'granted' | 'denied';
  outcomeName: string;
  amountFen: number;
  startMonth: string;
  reasons: string[];
  engineEligible: boolean | null;
  engineAmountFen: number | null;
  explanation: string;
  parameters: unknown;
  schedule: string | null;
  scheduleName: string | null;
  beneficiaries: (Omit<StoredBeneficiary, 'payeeRole'> & {
    payeeRole: PayeeRole;
    payeeRoleName: string;
    accountMasked: boolean;
  })[];
  report: { requestId: string; revision: number; reportNo: string; issuedOn: string } | null;
  preparedBy: string | null;
  preparedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface DecisionView {
  districtCode: string;
  caseId: string;
  caseNo: string;
  householdId: string;
  decided: boolean;
  lines: DecisionLineView[];
}

function checkPrepareAllowed(found: CaseFacts, rows: readonly DecisionRow[]): void {
  if (rows.some((r) => r.decidedAt !== null)) {
    throw new EntitlementError('decided', `救助申请 ${found.caseNo} 已作出决定，决定明细不能修改`);
  }
  if (CLOSED_CASE_STATES.includes(found.state)) {
    throw new EntitlementError('decided', `救助申请 ${found.caseNo} 已办结，不能再拟定决定明细`);
  }
}

function lineProblems(found: CaseFacts, lines: readonly DecisionLineInput[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const l of lines) {
    if (!isProgramCode(l.program)) problems.push(`没有代码为「${l.program}」的救助项目`);
    else if (seen.has(l.program)) problems.push(`${PROGRAMS[l.program].name}出现了两次`);
    seen.add(l.program);
  }
  for (const p of found.programs) {
    if (isProgramCode(p) && !seen.has(p)) problems.push(`申请的项目「${PROGRAMS[p].name}」缺少决定`);
  }
  return problems;
}

/**
 * 拟定决定明细: runs the joint determination again (nothing of the page's copy is trusted), checks every line
 * against it and replaces the case's undecided lines. Refuses, with every problem at once: granting what the
 * engine denies or what the report is too old for (engine_denies), a case already decided (decided), a bad
 * line or payee (invalid).
 */
export async function prepareDecision(
  tx: WorkTx,
  caller: EntitlementCaller,
  input: PrepareDecisionInput,
): Promise<DecisionView> {
  if (!mayAct(caller.role, 'entitlements.prepare')) {
    throw new WorkflowError('forbidden', '您没有权限拟定决定明细');
  }
  checkMonth(input.month);
  const found = await caseFacts(tx.db, caller.scope, input);
  if (!found) throw new EntitlementError('not_found', CASE_NOT_FOUND);
  await lockCaseDecision(tx, input);
  const existing = await decisionRows(tx.db, input, true);
  checkPrepareAllowed(found, existing);
  const problems = lineProblems(found, input.lines);
  if (problems.length > 0) throw new EntitlementError('invalid', problems.join('；'), problems);
  const d = await determineFound(tx, found, input);
  const results = new Map(d.programs.map((p) => [p.program, p]));
  const refused: string[] = [];
  for (const l of input.lines) {
    if (l.outcome !== 'granted') continue;
    const r = results.get(l.program as ProgramCode)!;
    if (r.error) refused.push(`${r.name}无法测算（${r.error}），不能批准`);
    else if (!r.eligible)
      refused.push(`政策引擎认定不符合${r.name}的条件（${r.reasons.join('；') || '不符合条件'}），不能批准`);
    else if (!r.reportFresh) {
      refused.push(
        `${r.name}要求核对报告不超过 ${r.reportMaxAgeDays} 天，报告已 ${d.report.ageDays} 天，不能批准`,
      );
    }
  }
  if (refused.length > 0) throw new EntitlementError('engine_denies', refused.join('；'), refused);
  const granted = input.lines
    .filter((l) => l.outcome === 'granted')
    .map((l) => results.get(l.program as ProgramCode)!);
  const payees = await resolvePayees(tx.db, d, granted, input.payees, found.kind !== 'application');
  for (const l of input.lines) {
    if (l.outcome !== 'denied') continue;
    const r = results.get(l.program as ProgramCode)!;
    const given = (l.reasons ?? []).map((x) => x.trim()).filter((x) => visibleLength(x) > 0);
    if (given.length === 0 && r.eligible)
      payees.problems.push(`不予批准${r.name}须填写理由（政策引擎认定符合条件）`);
  }
  if (payees.problems.length > 0) {
    throw new EntitlementError('invalid', payees.problems.join('；'), payees.problems);
  }
  const preparedAt = tx.now.toISOString();
  const rows: NewDecisionRow[] = input.lines.map((l) => {
    const r = results.get(l.program as ProgramCode)!;
    const grantedLine = l.outcome === 'granted';
    const given = (l.reasons ?? []).map((x) => x.trim()).filter((x) => visibleLength(x) > 0);
    const engineReasons = r.error ? [r.error] : r.reasons.length > 0 ? r.reasons : ['不符合条件'];
    return {
      districtCode: found.districtCode,
      caseId: found.id,
      program: r.program,
      outcome: l.outcome,
      amountFen: grantedLine ? r.amountFen : 0,
      startMonth: d.month,
      month: d.month,
      reasons: grantedLine ? [] : given.length > 0 ? given : engineReasons,
      engineEligible: r.eligible,
      engineAmountFen: r.amountFen,
      explanation: r.explanation,
      parameters: r.parameters,
      beneficiaries: grantedLine ? (payees.beneficiaries.get(r.program) ?? []) : [],
      reportRequestId: d.report.requestId,
      reportRevision: d.report.revision,
      reportNo: d.report.reportNo,
      reportIssuedOn: d.report.issuedOn,
      preparedBy: tx.actor.userId,
      preparedAt,
      decidedBy: null,
      decidedAt: null,
    };
  });
  await replaceDecisionRows(tx, input, rows);
  tx.record({
    action: 'decision.prepared',
    entityType: 'case_decision',
    entityId: `${found.districtCode}/${found.id}`,
    district: found.committeeCode,
    before: existing.length > 0 ? { lines: existing.map(lineSummary) } : null,
    after: {
      month: d.month,
      report: d.report.reportNo,
      lines: rows.map((r) => lineSummary(r as DecisionRow)),
    },
  });
  return decisionOf(tx.db, caller.scope, input, {
    unmaskAccounts: mayAct(caller.role, 'entitlements.account'),
  });
}

function lineSummary(r: Pick<DecisionRow, 'program' | 'outcome' | 'amountFen'>) {
  return { program: r.program, outcome: r.outcome, amountFen: r.amountFen };
}

async function lockedForDecision(
  tx: WorkTx,
  scope: DataScope,
  key: { districtCode: string; caseId: string },
) {
  const found = await caseFacts(tx.db, scope, key);
  if (!found) throw new EntitlementError('not_found', CASE_NOT_FOUND);
  await lockCaseDecision(tx, key);
  const rows = await decisionRows(tx.db, key, true);
  if (rows.some((r) => r.decidedAt !== null)) {
    throw new EntitlementError('decided', `救助申请 ${found.caseNo} 已作出决定，不能再次决定`);
  }
  return { found, rows };
}

/**
 * 批准: the approver's action (the cases module checked its permission). The report must still be the one the
 * lines rest on and young enough for every granted program today; the lines are fixed as prepared and every
 * granted line's beneficiaries get their entitlement (or their open one follows this decision).
 */
export async function grantDecision(
  tx: WorkTx,
  caller: EntitlementCaller,
  key: {
    districtCode: string;
    caseId: string;
    /** 先行救助 already paid on the case, by program (fen): the approval pays only the rest. */
    paidFirstFen?: Readonly<Record<string, number>> | undefined;
  },
): Promise<DecisionView> {
  const { found, rows } = await lockedForDecision(tx, caller.scope, key);
  if (rows.length === 0) {
    throw new EntitlementError('not_prepared', `救助申请 ${found.caseNo} 尚未拟定决定明细，请先完成联合认定`);
  }
  const today = shanghaiToday(tx.now);
  // A decision that only stops (复审、变更: a death, a move out of the district) rests on no report.
  const report = rows.some((r) => r.outcome === 'granted') ? await reportOfCase(tx.db, found, today) : null;
  const problems: string[] = [];
  for (const r of rows) {
    if (r.outcome !== 'granted' || report === null) continue;
    if (r.reportRequestId !== report.requestId || r.reportRevision !== report.revision) {
      problems.push(
        `${programName(r.program)}所依据的核对报告 ${r.reportNo ?? ''} 已被更正或替换，请重新联合认定`,
      );
      continue;
    }
    const max = reportMaxAgeDays(r.program as ProgramCode, today, found.districtCode);
    if (report.ageDays > max) {
      problems.push(
        `${programName(r.program)}：核对报告 ${report.reportNo} 已 ${report.ageDays} 天，超过 ${max} 天`,
      );
    }
  }
  if (problems.length > 0) {
    throw new EntitlementError(
      'report_stale',
      `核对报告已过期或已更正，请重新核对并认定：${problems.join('；')}`,
      problems,
    );
  }
  let created = 0;
  let changed = 0;
  for (const r of rows) {
    if (
      !(await markDecided(tx, key, {
        program: r.program,
        outcome: r.outcome as 'granted' | 'denied',
        amountFen: r.amountFen,
        reasons: r.reasons,
      }))
    ) {
      throw new EntitlementError('conflict', '决定明细已被他人修改，请重试');
    }
    const schedule = scheduleOf(r.program as ProgramCode);
    if (r.outcome !== 'granted' || schedule === null) continue;
    const paidFirst = key.paidFirstFen?.[r.program] ?? 0;
    for (const stored of r.beneficiaries as StoredBeneficiary[]) {
      // The line keeps the engine's whole amount; what was paid first counts toward it, so the total never
      // exceeds what the engine allows (pay-first is paid to the household: household programs only).
      const b =
        paidFirst > 0 && stored.kind === 'household'
          ? { ...stored, amountFen: stored.amountFen - paidFirst }
          : stored;
      if (b.amountFen <= 0) continue;
      const result = await entitle(tx, {
        districtCode: found.districtCode,
        householdId: found.householdId,
        committeeCode: found.committeeCode,
        program: r.program as ProgramCode,
        schedule,
        startMonth: r.startMonth,
        basis: { caseId: found.id, program: r.program },
        reason: `救助申请 ${found.caseNo} 批准${programName(r.program)}`,
        beneficiary: b,
      });
      if (result.created) created += 1;
      else changed += 1;
    }
  }
  recordDecided(tx, found, rows, 'granted', { entitlementsCreated: created, entitlementsChanged: changed });
  return decisionOf(tx.db, caller.scope, key);
}

/**
 * 不予批准: every line of the case is denied with the approver's reasons (added to a line's own); a case
 * without prepared lines gets one denied line per program applied for. No entitlement is created or changed.
 */
export async function denyDecision(
  tx: WorkTx,
  caller: EntitlementCaller,
  input: { districtCode: string; caseId: string; reasons: readonly string[] },
): Promise<DecisionView> {
  const reasons = input.reasons.map((x) => x.trim()).filter((x) => visibleLength(x) > 0);
  if (reasons.length === 0) throw new EntitlementError('invalid', '不予批准须写明理由');
  const { found, rows } = await lockedForDecision(tx, caller.scope, input);
  if (rows.length === 0) {
    const month = shanghaiToday(tx.now).slice(0, 7);
    await replaceDecisionRows(tx, input, deniedLines(tx, found, month, reasons, true));
  } else {
    for (const r of rows) {
      const own = r.outcome === 'denied' ? r.reasons : [];
      const ok = await markDecided(tx, input, {
        program: r.program,
        outcome: 'denied',
        amountFen: 0,
        reasons: [...new Set([...own, ...reasons])],
      });
      if (!ok) throw new EntitlementError('conflict', '决定明细已被他人修改，请重试');
    }
  }
  recordDecided(tx, found, rows, 'denied', { reasons });
  return decisionOf(tx.db, caller.scope, input);
}

/** A denial of every program of the case from `month` with `reasons`; decided at once when `decided`. */
function deniedLines(
  tx: WorkTx,
  found: CaseFacts,
  month: string,
  reasons: string[],
  decided: boolean,
): NewDecisionRow[] {
  const now = tx.now.toISOString();
  return found.programs.filter(isProgramCode).map((program) => ({
    districtCode: found.districtCode,
    caseId: found.id,
    program,
    outcome: 'denied',
    amountFen: 0,
    startMonth: month,
    month,
    reasons,
    engineEligible: null,
    engineAmountFen: null,
    explanation: '',
    parameters: [],
    beneficiaries: [],
    reportRequestId: null,
    reportRevision: null,
    reportNo: null,
    reportIssuedOn: null,
    preparedBy: tx.actor.userId,
    preparedAt: now,
    decidedBy: decided ? tx.actor.userId : null,
    decidedAt: decided ? now : null,
  }));
}

function recordDecided(
  tx: WorkTx,
  found: CaseFacts,
  rows: readonly DecisionRow[],
  outcome: 'granted' | 'denied',
  extra: Record<string, unknown>,
): void {
  tx.record({
    action: 'decision.decided',
    entityType: 'case_decision',
    entityId: `${found.districtCode}/${found.id}`,
    district: found.committeeCode,
    after: { outcome, lines: rows.map(lineSummary), ...extra },
  });
}

const OUTCOME_NAMES = { granted: '批准', denied: '不予批准' } as const;

/** The decision lines of a case as the API and the notices show them (accounts masked unless asked). */
export async function decisionOf(
  db: Db,
  scope: DataScope,
  key: { districtCode: string; caseId: string },
  options: { unmaskAccounts?: boolean } = {},
): Promise<DecisionView> {
  const found = await caseFacts(db, scope, key);
  if (!found) throw new EntitlementError('not_found', CASE_NOT_FOUND);
  const rows = await decisionRows(db, key);
  const lines = rows.map((r): DecisionLineView => {
    const outcome = r.outcome as 'granted' | 'denied';
    const schedule = isProgramCode(r.program) ? scheduleOf(r.program) : null;
    return {
      program: r.program,
      programName: programName(r.program),
      outcome,
      outcomeName: OUTCOME_NAMES[outcome],
      amountFen: r.amountFen,
      startMonth: r.startMonth,
      reasons: [...r.reasons],
      engineEligible: r.engineEligible,
      engineAmountFen: r.engineAmountFen,
      explanation: r.explanation,
      parameters: r.parameters,
      schedule,
      scheduleName: schedule ? SCHEDULE_NAMES[schedule] : null,
      beneficiaries: (r.beneficiaries as StoredBeneficiary[]).map((b) => ({
        ...b,
        payeeRoleName: PAYEE_ROLE_NAMES[b.payeeRole],
        accountNo: options.unmaskAccounts ? b.accountNo : maskAccount(b.accountNo),
        accountMasked: !options.unmaskAccounts,
      })),
      report:
        r.reportRequestId && r.reportRevision !== null && r.reportNo && r.reportIssuedOn
          ? {
              requestId: r.reportRequestId,
              revision: r.reportRevision,
              reportNo: r.reportNo,
              issuedOn: r.reportIssuedOn,
            }
          : null,
      preparedBy: r.preparedBy,
      preparedAt: r.preparedAt,
      decidedBy: r.decidedBy,
      decidedAt: r.decidedAt,
    };
  });
  return {
    districtCode: found.districtCode,
    caseId: found.id,
    caseNo: found.caseNo,
    householdId: found.householdId,
    decided: rows.length > 0 && rows.every((r) => r.decidedAt !== null),
    lines,
  };
}

/**
 * 停发决定 of a change case that ends everything it touches (a death, a move out of the district): one denied
 * line per program of the case, with the reason and the month the stop applies from, without the engine or a
 * report. Approving it fixes the lines; the cases module then stops the entitlements (src/cases/changes).
 */
export async function prepareStopDecision(
  tx: WorkTx,
  caller: EntitlementCaller,
  input: { districtCode: string; caseId: string; month: string; reasons: readonly string[] },
): Promise<DecisionView> {
  if (!mayAct(caller.role, 'entitlements.prepare')) {
    throw new WorkflowError('forbidden', '您没有权限拟定决定明细');
  }
  checkMonth(input.month);
  const reasons = input.reasons.map((x) => x.trim()).filter((x) => visibleLength(x) > 0);
  if (reasons.length === 0) throw new EntitlementError('invalid', '停发须写明理由');
  const { found, rows: existing } = await lockedForDecision(tx, caller.scope, input);
  checkPrepareAllowed(found, existing);
  const rows = deniedLines(tx, found, input.month, reasons, false);
  await replaceDecisionRows(tx, input, rows);
  tx.record({
    action: 'decision.prepared',
    entityType: 'case_decision',
    entityId: `${found.districtCode}/${found.id}`,
    district: found.committeeCode,
    before: existing.length > 0 ? { lines: existing.map(lineSummary) } : null,
    after: { month: input.month, stop: true, lines: rows.map((r) => lineSummary(r as DecisionRow)) },
  });
  return decisionOf(tx.db, caller.scope, input);
}
