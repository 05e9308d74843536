import { mayAct } from '../../auth/roles.ts';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { visibleLength } from '../../core/text.ts';
import { prepareStopDecision } from '../../entitlements/decision.service.ts';
import { openEntitlementsOfHousehold } from '../../entitlements/entitlement.repository.ts';
import { findHousehold, householdMemberRows } from '../../registry/household.repository.ts';
import { householdInChangeList } from '../../verification/recheck/recheck.repository.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import type { CaseCaller } from '../case.deps.ts';
import type { CaseRow } from '../case.repository.ts';
import { CasesError } from '../cases.errors.ts';
import { changeOfCase, insertChange, type ChangeRecord } from './change.repository.ts';
import { caseContact } from '../reviews/review.repository.ts';
import { openCase } from '../reviews/open-case.ts';
import { addMonths, EXIT_STEPS, reviewCaseSteps, reviewDecider } from '../reviews/review.parameters.ts';

/**
 * 报告变更: a caseworker reports what changed in a household receiving benefits (income, members, a death, a move
 * out of the district, a change the re-verification found, other) with the day it happened and a note; a change
 * case opens. A death or move out that leaves nobody in the household (or of the whole household) is an exit:
 * after the street's review the decision stops every open entitlement from the month after; any other change
 * recomputes with the engine through the change case's steps (核对 → 审核 → 审批, dated parameters).
 */

export const CHANGE_KINDS = ['income', 'members', 'death', 'moved_out', 'recheck', 'other'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const CHANGE_KIND_NAMES: Readonly<Record<ChangeKind, string>> = {
  income: '收入变化',
  members: '人员变化',
  death: '死亡',
  moved_out: '迁出本区',
  recheck: '核对变化',
  other: '其他',
};

export interface ReportChangeInput {
  districtCode: string;
  householdId: string;
  changeKind: string;
  occurredOn: string;
  note: string;
  /** Death, moving out: the person; null for the whole household moving out. */
  subjectPersonId?: string | null | undefined;
  /** 核对变化: the re-verification job whose change list reported it. */
  recheckJobId?: string | undefined;
}

export { changeOfCase, type ChangeRecord };

function isChangeKind(v: string): v is ChangeKind {
  return (CHANGE_KINDS as readonly string[]).includes(v);
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

export async function reportChange(
  tx: WorkTx,
  caller: CaseCaller,
  calendar: WorkingCalendar,
  input: ReportChangeInput,
): Promise<{ case: CaseRow; change: ChangeRecord }> {
  if (!mayAct(caller.role, 'cases.accept')) throw new CasesError('forbidden', '您没有权限报告变更');
  const household = await findHousehold(tx.db, caller.scope, {
    districtCode: input.districtCode,
    id: input.householdId,
  });
  if (!household) throw new CasesError('not_found', '家庭户不存在或不在您的数据范围内');
  const today = shanghaiToday(tx.now);
  const problems: string[] = [];
  const kind = isChangeKind(input.changeKind) ? input.changeKind : undefined;
  if (!kind) problems.push(`变更类型应为：${Object.values(CHANGE_KIND_NAMES).join('、')}`);
  if (!ISO.test(input.occurredOn) || Number.isNaN(Date.parse(`${input.occurredOn}T00:00:00Z`))) {
    problems.push('发生日期应为 YYYY-MM-DD 日期');
  } else if (input.occurredOn > today) problems.push('发生日期不能晚于今天');
  const note = input.note.trim();
  if (visibleLength(note) < 2) problems.push('请填写变更情况说明');
  if (kind === 'recheck' && !input.recheckJobId) problems.push('核对变化须注明定期复核任务');
  else if (
    kind === 'recheck' &&
    !(await householdInChangeList(tx.db, { ...input, jobId: input.recheckJobId! }))
  ) {
    problems.push('所注明的定期复核任务的变更清单中没有该户');
  }
  if (kind === 'death' && !input.subjectPersonId) problems.push('死亡须指明人员');
  const members = await householdMemberRows(tx.db, input.districtCode, input.householdId, false);
  const subject = input.subjectPersonId ?? null;
  if (subject && !members.some((m) => m.person.id === subject)) problems.push('所指人员不是该家庭户的成员');
  if (subject && kind !== 'death' && kind !== 'moved_out') problems.push('只有死亡、迁出本区须指明人员');
  const open = await openEntitlementsOfHousehold(tx.db, input);
  if (open.length === 0) problems.push('该户没有发放中的待遇，无需报告变更');
  if (problems.length > 0 || !kind) throw new CasesError('invalid', problems.join('；'), problems);
  const others = members.filter((m) => m.membership.validTo === null && m.person.id !== subject);
  const exit = (kind === 'death' || kind === 'moved_out') && (subject === null || others.length === 0);
  const effectiveMonth = addMonths(input.occurredOn.slice(0, 7), 1);
  const programs = [...new Set(open.map((e) => e.program))].sort();
  const basisCase = open.find((e) => e.caseId !== null)?.caseId;
  const contact = basisCase
    ? await caseContact(tx.db, { districtCode: input.districtCode, id: basisCase })
    : undefined;
  const row = await openCase(tx, caller, calendar, {
    kind: 'change',
    districtCode: input.districtCode,
    householdId: input.householdId,
    committeeCode: household.committeeCode,
    programs,
    applicantPersonId:
      contact && others.some((m) => m.person.id === contact.applicantPersonId)
        ? contact.applicantPersonId
        : (others[0] ?? members[0]!).person.id,
    // The household's contact as the case that granted its benefits recorded it (none for a rule's).
    contactPhone: contact?.contactPhone ?? '',
    steps: exit ? EXIT_STEPS : reviewCaseSteps('change', today),
    decider: reviewDecider(exit ? 'exit' : 'change', today),
    detail: { changeKind: kind, occurredOn: input.occurredOn, exit },
    audit: 'each',
  });
  const change: ChangeRecord = {
    districtCode: row.districtCode,
    caseId: row.id,
    changeKind: kind,
    occurredOn: input.occurredOn,
    effectiveMonth,
    note,
    subjectPersonId: subject,
    recheckJobId: input.recheckJobId ?? null,
    exit,
    reportedBy: caller.userId,
    reportedAt: tx.now.toISOString(),
  };
  await insertChange(tx, change);
  tx.record({
    action: 'cases.change_reported',
    entityType: 'case',
    entityId: row.id,
    district: row.committeeCode,
    after: {
      caseNo: row.caseNo,
      changeKind: kind,
      occurredOn: input.occurredOn,
      effectiveMonth,
      exit,
      programs,
    },
  });
  if (exit) {
    // Nothing to recompute: the decision is known now (stop everything from the month after); the street's
    // review and its confirmation still come before it takes effect.
    await prepareStopDecision(tx, caller, {
      districtCode: row.districtCode,
      caseId: row.id,
      month: effectiveMonth,
      reasons: [`${CHANGE_KIND_NAMES[kind]}（${input.occurredOn}）：${note}`],
    });
  }
  return { case: row, change };
}
