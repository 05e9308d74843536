import { mayAct } from '../../auth/roles.ts';
import { addDays } from '../../calendar/days.ts';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { decisionOf, type DecisionLineView } from '../../entitlements/decision.service.ts';
import { isProgramCode, PROGRAMS } from '../../policy/index.ts';
import { findHousehold } from '../../registry/household.repository.ts';
import { maskIdNumber } from '../../registry/id-number.ts';
import { findPerson } from '../../registry/person.repository.ts';
import type { CaseCaller } from '../case.deps.ts';
import { findCase, type CaseRow } from '../case.repository.ts';
import { payFirstRows } from '../pay-first/pay-first.repository.ts';
import { publicityDays, stepWorkingDays } from '../cases.parameters.ts';
import { isStep, STEP_NAMES, STEP_ORDER, type Step } from '../cases.steps.ts';
import type { CaseNotice, CaseNoticeKind } from './index.ts';
import { NoticeError } from './notices.errors.ts';
import type { DecisionAuthority, DeniedLine, GrantedLine, NoticeCase } from './notice.types.ts';

/**
 * A case's notice data from the case, its household and applicant (registry) and its decision lines
 * (entitlements), all read inside the caller's scope. A notice exists only once its event happened: the
 * acceptance notice after 受理, the approval notice for a decided case with granted lines, and so on;
 * asking earlier is refused (`not_issued`), never answered with a half-filled notice.
 */

export const CASE_NOT_FOUND = '救助申请不存在或不在您的数据范围内';

export function programLabel(code: string): string {
  return isProgramCode(code) ? PROGRAMS[code].name : code;
}

/** The Shanghai day of a stored instant. */
function dayOf(stamp: string): string {
  return shanghaiToday(new Date(stamp));
}

/**
 * The day by which the decision is due when every required step takes its full time limit: working days
 * per step from the calendar, publicity in calendar days (the case rules' dated parameters as of the
 * application day, which fixed the steps).
 */
export function decisionDueOn(
  calendar: WorkingCalendar,
  acceptedOn: string,
  appliedOn: string,
  steps: readonly Step[],
): string {
  let day = acceptedOn;
  for (const step of STEP_ORDER.filter((s) => steps.includes(s))) {
    day =
      step === 'publicity'
        ? addDays(day, publicityDays(appliedOn))
        : calendar.addWorkingDays(day, stepWorkingDays(step, appliedOn));
  }
  return day;
}

/** The step names a resident reads, the deciding step named by who decides. */
function stepLabels(steps: readonly Step[], decider: DecisionAuthority): string[] {
  return STEP_ORDER.filter((s) => steps.includes(s)).map((s) =>
    s === 'decide' && decider === 'street' ? '确认' : STEP_NAMES[s],
  );
}

async function caseHeader(db: Db, caller: CaseCaller, row: CaseRow, printedOn: string): Promise<NoticeCase> {
  const [applicant, household] = await Promise.all([
    findPerson(db, caller.scope, row.districtCode, row.applicantPersonId),
    findHousehold(db, caller.scope, { districtCode: row.districtCode, id: row.householdId }),
  ]);
  if (!applicant || !household) throw new NoticeError('not_found', CASE_NOT_FOUND);
  return {
    caseCode: row.caseNo,
    committeeCode: row.committeeCode,
    applicantName: applicant.name,
    applicantIdNumber: maskIdNumber(applicant.idNumber),
    address: household.address,
    printedOn,
  };
}

function notIssued(row: CaseRow, name: string): NoticeError {
  return new NoticeError('not_issued', `救助申请 ${row.caseNo} 尚无${name}（当前办理状态不出具该通知书）`);
}

async function grantedLines(
  db: Db,
  caller: CaseCaller,
  districtCode: string,
  lines: readonly DecisionLineView[],
): Promise<GrantedLine[]> {
  const out: GrantedLine[] = [];
  for (const line of lines.filter((l) => l.outcome === 'granted')) {
    const schedule = line.schedule as GrantedLine['schedule'];
    const base = { programName: line.programName, schedule, startMonth: line.startMonth };
    // A status (no schedule) has no beneficiary rows to pay: one line for the household.
    if (line.beneficiaries.length === 0) out.push({ ...base, amountFen: line.amountFen });
    for (const b of line.beneficiaries) {
      const payee = await findPerson(db, caller.scope, districtCode, b.payeePersonId);
      out.push({
        ...base,
        ...(b.kind === 'person' ? { beneficiaryName: b.name } : {}),
        amountFen: b.amountFen,
        ...(payee ? { payee: { name: payee.name, bankName: b.bankName, accountNo: b.accountNo } } : {}),
      });
    }
  }
  return out;
}

function deniedLines(row: CaseRow, lines: readonly DecisionLineView[]): DeniedLine[] {
  const denied = lines
    .filter((l) => l.outcome === 'denied')
    .map((l) => ({
      programName: l.programName,
      reasons: l.reasons.length > 0 ? l.reasons : [row.reason ?? ''],
    }));
  // A case denied before any decision line was prepared: every program, for the case's reason.
  if (denied.length === 0 && row.state === 'denied' && row.reason) {
    return row.programs.map((p) => ({ programName: programLabel(p), reasons: [row.reason ?? ''] }));
  }
  return denied.map((l) => ({ ...l, reasons: l.reasons.filter((r) => r.trim() !== '') }));
}

export interface NoticeContext {
  calendar: WorkingCalendar;
  today: string;
}

/** The data of one notice of one case, for the caller (404 outside the scope, 409 before it exists). */
export async function caseNoticeData(
  db: Db,
  caller: CaseCaller,
  key: { districtCode: string; id: string },
  kind: CaseNoticeKind,
  context: NoticeContext,
): Promise<CaseNotice> {
  if (!mayAct(caller.role, 'cases.view')) throw new NoticeError('forbidden', '您没有权限查看救助申请');
  const row = await findCase(db, caller.scope, key.districtCode, key.id);
  if (!row) throw new NoticeError('not_found', CASE_NOT_FOUND);
  const header = await caseHeader(db, caller, row, context.today);
  const programs = row.programs.map(programLabel);
  const decider = row.decider as DecisionAuthority;
  switch (kind) {
    case 'acceptance': {
      if (!row.acceptedOn) throw notIssued(row, '受理通知书');
      const steps = row.requiredSteps.filter(isStep);
      const materials = Object.entries(row.materials)
        .filter(([, provided]) => provided)
        .map(([item]) => item);
      return {
        kind,
        data: {
          ...header,
          programs,
          appliedOn: row.appliedOn,
          acceptedOn: row.acceptedOn,
          nextSteps: stepLabels(steps, decider),
          dueOn: decisionDueOn(context.calendar, row.acceptedOn, row.appliedOn, steps),
          ...(materials.length > 0 ? { materials } : {}),
        },
      };
    }
    case 'non-acceptance': {
      if (row.state !== 'not_accepted') throw notIssued(row, '不予受理通知书');
      return {
        kind,
        data: {
          ...header,
          programs,
          appliedOn: row.appliedOn,
          decidedOn: dayOf(row.decidedAt ?? row.updatedAt),
          reasons: row.reason ? [row.reason] : [],
        },
      };
    }
    case 'approval':
    case 'denial': {
      const decision = await decisionOf(db, caller.scope, { districtCode: row.districtCode, caseId: row.id });
      const decided = row.state === 'approved' || row.state === 'denied';
      const decidedOn = dayOf(row.decidedAt ?? row.updatedAt);
      if (kind === 'approval') {
        const lines = decided ? await grantedLines(db, caller, row.districtCode, decision.lines) : [];
        if (row.state !== 'approved' || lines.length === 0) throw notIssued(row, '审批（确认）通知书');
        const paidFirst = (await payFirstRows(db, { districtCode: row.districtCode, caseId: row.id }))
          .filter((p) => (p.countedFen ?? 0) > 0)
          .map((p) => ({
            programName: programLabel(p.program),
            paidOn: p.paidOn,
            countedFen: p.countedFen!,
          }));
        return {
          kind,
          data: {
            ...header,
            authority: decider,
            decidedOn,
            lines,
            ...(paidFirst.length > 0 ? { paidFirst } : {}),
          },
        };
      }
      const lines = decided ? deniedLines(row, decision.lines) : [];
      if (lines.length === 0) throw notIssued(row, '不予批准（确认）通知书');
      return { kind, data: { ...header, authority: decider, decidedOn, lines } };
    }
  }
}

/**
 * The notices a case has (as `caseNoticeData` would issue them), from the case and its decision lines'
 * outcomes, without building them: what the e-archive (src/archives) lists and links to.
 */
export function issuedNoticeKinds(
  row: Pick<CaseRow, 'acceptedOn' | 'state' | 'reason'>,
  outcomes: readonly ('granted' | 'denied')[],
): CaseNoticeKind[] {
  const kinds: CaseNoticeKind[] = [];
  if (row.acceptedOn) kinds.push('acceptance');
  if (row.state === 'not_accepted') kinds.push('non-acceptance');
  if (row.state === 'approved' && outcomes.includes('granted')) kinds.push('approval');
  const decided = row.state === 'approved' || row.state === 'denied';
  if (decided && (outcomes.includes('denied') || (row.state === 'denied' && row.reason))) {
    kinds.push('denial');
  }
  return kinds;
}
