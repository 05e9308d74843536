import { sql } from 'drizzle-orm';
import { mayAct } from '../../auth/roles.ts';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { shanghaiMonth, shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import type { DecisionView } from '../../entitlements/decision.service.ts';
import { programName } from '../../entitlements/entitlement.present.ts';
import { isMonth } from '../../policy/engine/month.ts';
import { householdNumbers } from '../../registry/household.repository.ts';
import { policyHouseholdOf } from '../../registry/policy-input.service.ts';
import { RowDigest, type WorkTx } from '../../workflow/unit-of-work.ts';
import type { CaseCaller } from '../case.deps.ts';
import type { CaseRow } from '../case.repository.ts';
import { CasesError } from '../cases.errors.ts';
import type { HouseholdType } from '../cases.handles.ts';
import { openCase } from './open-case.ts';
import {
  HOUSEHOLD_TYPE_NAMES,
  householdType,
  isReviewedProgram,
  nextReviewMonth,
  reviewCaseSteps,
  reviewDecider,
} from './review.parameters.ts';
import { caseContact, dueRows, schedulesOf, upsertSchedule, type DueRow } from './review.repository.ts';

/**
 * 定期复审: when a case granting a reviewed program is decided, the household's schedule for it is set from the
 * dated parameters (household type from the registry's facts, interval, the 2020 suspension for new cases);
 * an approved review case moves it on. The due list and the review job read the schedules set-based.
 */

/**
 * After a case's decision: the schedules of the reviewed programs it granted. A new application counts from
 * its start month (suspension for new cases applied); a review from the month it decided (recorded as the
 * last review); a change case keeps an existing schedule and only creates a missing one.
 */
export async function scheduleAfterDecision(
  tx: WorkTx,
  row: Pick<CaseRow, 'districtCode' | 'id' | 'kind' | 'householdId' | 'committeeCode' | 'caseNo'>,
  decision: DecisionView,
): Promise<void> {
  const granted = decision.lines.filter((l) => l.outcome === 'granted' && isReviewedProgram(l.program));
  if (granted.length === 0) return;
  const existing = new Map(
    (await schedulesOf(tx.db, { districtCode: row.districtCode, householdId: row.householdId })).map((s) => [
      s.program,
      s,
    ]),
  );
  const types = new Map<string, HouseholdType>();
  const typeOf = async (month: string) => {
    let t = types.get(month);
    if (!t) {
      const household = await policyHouseholdOf(
        tx.db,
        { districtCode: row.districtCode, id: row.householdId },
        month,
      );
      t = householdType(household.members, month);
      types.set(month, t);
    }
    return t;
  };
  const written: Record<string, unknown>[] = [];
  for (const line of granted) {
    if (!isReviewedProgram(line.program)) continue;
    const before = existing.get(line.program);
    if (row.kind === 'change' && before) continue;
    const type = await typeOf(line.startMonth);
    const next = nextReviewMonth({
      program: line.program,
      type,
      baseMonth: line.startMonth,
      newCase: row.kind === 'application',
    });
    const review = row.kind === 'review';
    await upsertSchedule(tx, {
      districtCode: row.districtCode,
      householdId: row.householdId,
      program: line.program,
      committeeCode: row.committeeCode,
      householdType: type,
      intervalMonths: next.intervalMonths,
      baseMonth: next.countedFrom,
      nextDueMonth: next.nextDueMonth,
      lastReviewCaseId: review ? row.id : (before?.lastReviewCaseId ?? null),
      lastReviewedMonth: review ? line.startMonth : (before?.lastReviewedMonth ?? null),
      basisCaseId: row.id,
      updatedAt: tx.now.toISOString(),
    });
    written.push({ program: line.program, householdType: type, ...next });
  }
  if (written.length === 0) return;
  tx.record({
    action: 'cases.review_scheduled',
    entityType: 'case',
    entityId: row.id,
    district: row.committeeCode,
    after: { caseNo: row.caseNo, householdId: row.householdId, schedules: written },
  });
}

export interface DueReviewView {
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

function checkDueMonth(month: string): void {
  if (!isMonth(month)) throw new CasesError('invalid', `月份「${month}」无效，应为 YYYY-MM`);
}

/** Households due for review by `month` (default this month) in the caller's scope, earliest first. */
export async function listDueReviews(
  db: Db,
  caller: CaseCaller,
  q: { month?: string | undefined; division?: string | undefined; limit: number; offset: number },
): Promise<{ items: DueReviewView[]; total: number; month: string }> {
  if (!mayAct(caller.role, 'cases.view')) throw new CasesError('forbidden', '您没有权限查看复审名单');
  const month = q.month ?? shanghaiMonth();
  checkDueMonth(month);
  const { rows, total } = await dueRows(db, { ...q, scope: caller.scope, month, division: q.division });
  const current = shanghaiMonth();
  const numbers = new Map<string, string>();
  for (const d of new Set(rows.map((r) => r.district_code))) {
    const ids = rows.filter((r) => r.district_code === d).map((r) => r.household_id);
    for (const [id, no] of await householdNumbers(db, caller.scope, d, ids)) numbers.set(`${d}|${id}`, no);
  }
  return {
    month,
    total,
    items: rows.map((r) => ({
      districtCode: r.district_code,
      householdId: r.household_id,
      householdNo: numbers.get(`${r.district_code}|${r.household_id}`) ?? null,
      committeeCode: r.committee_code,
      dueMonth: r.due_month,
      overdue: r.due_month < current,
      programs: r.programs,
      programNames: r.programs.map(programName),
      householdType: r.household_type,
      householdTypeName: HOUSEHOLD_TYPE_NAMES[r.household_type as HouseholdType] ?? r.household_type,
      lastReviewedMonth: r.last_reviewed_month,
      openCase: r.open_case_id && r.open_case_no ? { id: r.open_case_id, caseNo: r.open_case_no } : null,
    })),
  };
}

/** Two openers (the job, a caseworker's button) of one district's reviews take turns: none opens twice. */
async function lockDistrictReviews(tx: WorkTx, districtCode: string): Promise<void> {
  await tx.db.execute(sql`select pg_advisory_xact_lock(hashtext(${`case_reviews:${districtCode}`}))`);
}

async function openFor(
  tx: WorkTx,
  caller: CaseCaller,
  calendar: WorkingCalendar,
  due: DueRow,
  audit: 'each' | 'batch',
): Promise<CaseRow> {
  const contact = await caseContact(tx.db, { districtCode: due.district_code, id: due.basis_case_id });
  if (!contact) throw new CasesError('not_found', '复审依据的救助申请不存在');
  const today = shanghaiToday(tx.now);
  return openCase(tx, caller, calendar, {
    kind: 'review',
    districtCode: due.district_code,
    householdId: due.household_id,
    committeeCode: due.committee_code,
    programs: due.programs,
    ...contact,
    steps: reviewCaseSteps('review', today),
    decider: reviewDecider('review', today),
    detail: { dueMonth: due.due_month },
    audit,
  });
}

/** 开启复审 for one household due by `month`: refused when it is not due or already has an open review. */
export async function openReview(
  tx: WorkTx,
  caller: CaseCaller,
  calendar: WorkingCalendar,
  input: { districtCode: string; householdId: string; month?: string | undefined },
): Promise<CaseRow> {
  if (!mayAct(caller.role, 'cases.accept')) throw new CasesError('forbidden', '您没有权限开启复审');
  const month = input.month ?? shanghaiMonth(tx.now);
  checkDueMonth(month);
  await lockDistrictReviews(tx, input.districtCode);
  const { rows } = await dueRows(tx.db, {
    scope: caller.scope,
    month,
    householdId: input.householdId,
    districtCode: input.districtCode,
    limit: 1,
    offset: 0,
  });
  const due = rows[0];
  if (!due) throw new CasesError('not_found', `该户在 ${month} 前没有到期的复审，或不在您的数据范围内`);
  if (due.open_case_no) throw new CasesError('invalid', `该户已有办理中的复审 ${due.open_case_no}`);
  return openFor(tx, caller, calendar, due, 'each');
}

/**
 * One batch of the review job: households of the district due by `month` without an open review case, after
 * the cursor, each given a review case; one audit record for the batch with a digest of the cases opened.
 */
export async function openDueReviews(
  tx: WorkTx,
  caller: CaseCaller,
  calendar: WorkingCalendar,
  input: { districtCode: string; month: string; after: string; limit: number; batchKey: string },
): Promise<{ opened: number; last: string | null; finished: boolean }> {
  if (!mayAct(caller.role, 'cases.intake')) throw new CasesError('forbidden', '您没有权限开启复审');
  checkDueMonth(input.month);
  await lockDistrictReviews(tx, input.districtCode);
  const { rows } = await dueRows(tx.db, {
    scope: caller.scope,
    month: input.month,
    districtCode: input.districtCode,
    unopenedAfter: input.after,
    limit: input.limit,
    offset: 0,
  });
  const digest = new RowDigest();
  for (const due of rows) {
    const opened = await openFor(tx, caller, calendar, due, 'batch');
    digest.add({
      caseId: opened.id,
      caseNo: opened.caseNo,
      householdId: due.household_id,
      programs: due.programs,
    });
  }
  const last = rows.at(-1)?.household_id ?? null;
  if (rows.length > 0) {
    tx.recordBatch({
      action: 'cases.reviews_opened',
      entityType: 'job',
      entityId: input.batchKey,
      district: input.districtCode,
      digest,
      summary: { month: input.month, after: input.after, opened: rows.length },
    });
  }
  return { opened: rows.length, last, finished: rows.length < input.limit };
}
