import { randomUUID } from 'node:crypto';
import { shanghaiToday } from '../core/clock.ts';
import { isProgramCode } from '../policy/index.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { followedHousehold, type AdviserCaller } from './advisers.caller.ts';
import { refuseInvalid, AdviserError } from './advisers.errors.ts';
import { Problems } from './advisers.input.ts';
import {
  assessmentMachine,
  PLAN_EDIT,
  planMachine,
  referralMachine,
  visitMachine,
  type PlanState,
} from './advisers.machine.ts';
import {
  insertAssessment,
  insertPlan,
  insertReferral,
  insertVisit,
  openPlanOf,
  planActions,
  replacePlanActions,
  type PlanActionRow,
  type RecordHead,
  type RecordKind,
} from './advisers.repository.ts';
import {
  ACTION_STATUSES,
  DIMENSION_CODES,
  DIMENSIONS,
  isDimension,
  NEED_LEVELS,
  PLAN_KINDS,
  REFERRAL_KINDS,
  signName,
  VISIT_MODES,
} from './codes.ts';
import type { AssessmentItem } from './schema.ts';
import { headInScope, startRecord, stepRecord } from './step.ts';

/**
 * The adviser's writes: visits, needs assessments, support plans and referrals of a household they follow.
 * Each takes the open unit of work; input problems are reported all at once and nothing is written.
 */

export interface Written {
  id: string;
  districtCode: string;
  state: string;
  version: number;
}

type HouseholdKey = { districtCode: string; householdId: string };
type RecordKey = { districtCode: string; id: string; version: number };

const stamp = (tx: WorkTx) => tx.now.toISOString();

/** The record, in scope, of a household the caller follows now. */
async function followedRecord(
  tx: WorkTx,
  caller: AdviserCaller,
  kind: RecordKind,
  key: { districtCode: string; id: string },
): Promise<RecordHead> {
  const head = await headInScope(tx, caller, kind, key);
  await followedHousehold(tx.db, caller, { districtCode: head.districtCode, householdId: head.householdId });
  return head;
}

// ---- visits --------------------------------------------------------------------------------------------

export interface VisitInput {
  visitedOn: string;
  mode: string;
  notes: string;
  caseId?: string | null | undefined;
}

function visitProblems(input: VisitInput, today: string): void {
  const p = new Problems();
  p.past(input.visitedOn, '走访日期', today);
  p.code(input.mode, VISIT_MODES, '走访方式');
  p.text(input.notes, '走访情况', 4000, 2);
  refuseInvalid(p.list);
}

export async function recordVisit(
  tx: WorkTx,
  caller: AdviserCaller,
  key: HouseholdKey,
  input: VisitInput,
): Promise<Written> {
  const { household } = await followedHousehold(tx.db, caller, key);
  visitProblems(input, shanghaiToday(tx.now));
  const id = randomUUID();
  const row = {
    districtCode: key.districtCode,
    id,
    householdId: household.id,
    committeeCode: household.committeeCode,
    caseId: input.caseId ?? null,
    state: 'recorded',
    version: 1,
    visitedOn: input.visitedOn,
    mode: input.mode,
    notes: input.notes,
    createdBy: caller.userId,
    createdAt: stamp(tx),
    updatedAt: stamp(tx),
  };
  await insertVisit(tx, row);
  const started = await startRecord(tx, caller, visitMachine, row, 'record', {
    householdId: row.householdId,
    visitedOn: row.visitedOn,
    mode: row.mode,
  });
  return { id, districtCode: key.districtCode, ...started };
}

export async function reviseVisit(
  tx: WorkTx,
  caller: AdviserCaller,
  key: RecordKey,
  input: VisitInput,
): Promise<Written> {
  await followedRecord(tx, caller, 'visit', key);
  visitProblems(input, shanghaiToday(tx.now));
  const fields = { visitedOn: input.visitedOn, mode: input.mode, notes: input.notes };
  const step = await stepRecord(tx, caller, visitMachine, 'visit', key, 'revise', { fields, audit: true });
  return { id: key.id, districtCode: key.districtCode, ...step };
}

// ---- needs assessments --------------------------------------------------------------------------------

export interface AssessmentInput {
  assessedOn: string;
  items: AssessmentItem[];
  summary: string;
  caseId?: string | null | undefined;
}

/** Every dimension of the checklist exactly once, each level on the scale, each sign of its dimension. */
function assessmentProblems(input: AssessmentInput, today: string): AssessmentItem[] {
  const p = new Problems();
  p.past(input.assessedOn, '评估日期', today);
  p.text(input.summary, '评估结论', 2000, 2);
  const seen = new Set<string>();
  for (const item of input.items) {
    if (!isDimension(item.dimension)) {
      p.add(`评估维度「${item.dimension}」不存在`);
      continue;
    }
    const name = DIMENSIONS[item.dimension].name;
    if (seen.has(item.dimension)) p.add(`评估维度「${name}」填写了两次`);
    seen.add(item.dimension);
    if (!Number.isInteger(item.level) || item.level < 0 || item.level >= NEED_LEVELS.length) {
      p.add(`「${name}」的困难程度应为 0–${NEED_LEVELS.length - 1}`);
    }
    for (const sign of item.signs) {
      if (signName(item.dimension, sign) === undefined) p.add(`「${name}」没有「${sign}」这一表现`);
    }
    if (item.level === 0 && item.signs.length > 0) p.add(`「${name}」勾选了困难表现，却评为无困难`);
    if (item.note.length > 500) p.add(`「${name}」的说明不能超过 500 个字符`);
  }
  const missing = DIMENSION_CODES.filter((d) => !seen.has(d)).map((d) => DIMENSIONS[d].name);
  if (missing.length > 0) p.add(`以下评估维度未填写：${missing.join('、')}`);
  refuseInvalid(p.list);
  // Stored in the checklist's order, so two assessments of a household compare line by line.
  return DIMENSION_CODES.map((d) => {
    const item = input.items.find((i) => i.dimension === d) as AssessmentItem;
    return { dimension: d, level: item.level, signs: [...new Set(item.signs)], note: item.note.trim() };
  });
}

export async function recordAssessment(
  tx: WorkTx,
  caller: AdviserCaller,
  key: HouseholdKey,
  input: AssessmentInput,
): Promise<Written> {
  const { household } = await followedHousehold(tx.db, caller, key);
  const items = assessmentProblems(input, shanghaiToday(tx.now));
  const id = randomUUID();
  const row = {
    districtCode: key.districtCode,
    id,
    householdId: household.id,
    committeeCode: household.committeeCode,
    caseId: input.caseId ?? null,
    state: 'recorded',
    version: 1,
    assessedOn: input.assessedOn,
    items,
    summary: input.summary,
    createdBy: caller.userId,
    createdAt: stamp(tx),
    updatedAt: stamp(tx),
  };
  await insertAssessment(tx, row);
  const started = await startRecord(tx, caller, assessmentMachine, row, 'record', {
    householdId: row.householdId,
    assessedOn: row.assessedOn,
    levels: Object.fromEntries(items.map((i) => [i.dimension, i.level])),
  });
  return { id, districtCode: key.districtCode, ...started };
}

export async function reviseAssessment(
  tx: WorkTx,
  caller: AdviserCaller,
  key: RecordKey,
  input: AssessmentInput,
): Promise<Written> {
  await followedRecord(tx, caller, 'assessment', key);
  const items = assessmentProblems(input, shanghaiToday(tx.now));
  const fields = { assessedOn: input.assessedOn, items, summary: input.summary };
  const step = await stepRecord(tx, caller, assessmentMachine, 'assessment', key, 'revise', {
    fields,
    audit: true,
  });
  return { id: key.id, districtCode: key.districtCode, ...step };
}

// ---- support plans -----------------------------------------------------------------------------------

export interface PlanActionInput {
  title: string;
  dueOn: string;
  status?: string | undefined;
  doneOn?: string | null | undefined;
}

export interface PlanInput {
  kind: string;
  goals: string;
  reviewOn: string;
  actions: PlanActionInput[];
  caseId?: string | null | undefined;
}

function planProblems(input: PlanInput, today: string, creating: boolean): void {
  const p = new Problems();
  p.code(input.kind, PLAN_KINDS, '帮扶类型');
  p.text(input.goals, '帮扶目标', 2000, 2);
  if (creating) p.notBefore(input.reviewOn, '计划复评日期', today);
  else p.date(input.reviewOn, '计划复评日期');
  if (input.actions.length === 0) p.add('请至少列出一项帮扶措施');
  input.actions.forEach((a, i) => {
    const what = `第 ${i + 1} 项措施`;
    p.text(a.title, `${what}的内容`, 200);
    p.date(a.dueOn, `${what}的完成期限`);
    const status = a.status ?? 'open';
    p.code(status, ACTION_STATUSES, `${what}的状态`);
    if (status === 'done') {
      if (!a.doneOn) p.add(`${what}已完成，请填写完成日期`);
      else p.past(a.doneOn, `${what}的完成日期`, today);
    } else if (a.doneOn) p.add(`${what}未完成，不能填写完成日期`);
  });
  refuseInvalid(p.list);
}

function actionRows(
  districtCode: string,
  planId: string,
  actions: readonly PlanActionInput[],
): PlanActionRow[] {
  return actions.map((a, i) => {
    const status = a.status ?? 'open';
    return {
      districtCode,
      planId,
      seq: i + 1,
      title: a.title.trim(),
      dueOn: a.dueOn,
      status,
      doneOn: status === 'done' ? (a.doneOn ?? null) : null,
    };
  });
}

export async function draftPlan(
  tx: WorkTx,
  caller: AdviserCaller,
  key: HouseholdKey,
  input: PlanInput,
): Promise<Written> {
  const { household } = await followedHousehold(tx.db, caller, key);
  planProblems(input, shanghaiToday(tx.now), true);
  if (await openPlanOf(tx.db, key)) {
    throw new AdviserError('invalid', '该家庭已有草拟或执行中的帮扶计划，请调整现有计划，或先完成、终止它');
  }
  const id = randomUUID();
  const row = {
    districtCode: key.districtCode,
    id,
    householdId: household.id,
    committeeCode: household.committeeCode,
    caseId: input.caseId ?? null,
    state: 'draft',
    version: 1,
    kind: input.kind,
    goals: input.goals,
    reviewOn: input.reviewOn,
    createdBy: caller.userId,
    createdAt: stamp(tx),
    updatedAt: stamp(tx),
  };
  const actions = actionRows(key.districtCode, id, input.actions);
  await insertPlan(tx, row, actions);
  const started = await startRecord(tx, caller, planMachine, row, 'draft', {
    householdId: row.householdId,
    kind: row.kind,
    reviewOn: row.reviewOn,
    actions: actions.length,
  });
  return { id, districtCode: key.districtCode, ...started };
}

/** 修改 (draft) or 调整 (active) a plan's content and actions; a finished plan is not edited. */
export async function editPlan(
  tx: WorkTx,
  caller: AdviserCaller,
  key: RecordKey,
  input: PlanInput,
): Promise<Written> {
  const head = await followedRecord(tx, caller, 'plan', key);
  planProblems(input, shanghaiToday(tx.now), false);
  const action = PLAN_EDIT[head.state as PlanState] ?? 'revise';
  const before = await planActions(tx.db, key.districtCode, [key.id]);
  const fields = { kind: input.kind, goals: input.goals, reviewOn: input.reviewOn };
  const step = await stepRecord(tx, caller, planMachine, 'plan', key, action, {
    fields: { ...fields, actions: input.actions.length },
    audit: true,
    extraBefore: { actions: before.map(({ title, dueOn, status }) => ({ title, dueOn, status })) },
  });
  await replacePlanActions(
    tx,
    { districtCode: key.districtCode, planId: key.id },
    actionRows(key.districtCode, key.id, input.actions),
  );
  return { id: key.id, districtCode: key.districtCode, ...step };
}

/** 开始执行, 完成 or 终止: completing asks that no action is still open. */
export async function movePlan(
  tx: WorkTx,
  caller: AdviserCaller,
  key: RecordKey,
  action: 'start' | 'complete' | 'terminate',
): Promise<Written> {
  await followedRecord(tx, caller, 'plan', key);
  if (action === 'complete') {
    const open = (await planActions(tx.db, key.districtCode, [key.id])).filter((a) => a.status === 'open');
    if (open.length > 0) {
      throw new AdviserError(
        'invalid',
        `还有未完成的帮扶措施：${open.map((a) => a.title).join('、')}。请先登记完成或取消，或终止计划`,
      );
    }
  }
  const step = await stepRecord(tx, caller, planMachine, 'plan', key, action);
  return { id: key.id, districtCode: key.districtCode, ...step };
}

// ---- referrals ---------------------------------------------------------------------------------------

export interface ReferralInput {
  referredOn: string;
  targetKind: string;
  target: string;
  notes: string;
  caseId?: string | null | undefined;
}

function referralProblems(input: ReferralInput, today: string): void {
  const p = new Problems();
  p.past(input.referredOn, '转介日期', today);
  p.code(input.targetKind, REFERRAL_KINDS, '转介去向类别');
  if (input.targetKind === 'program') {
    if (!isProgramCode(input.target)) p.add(`救助项目「${input.target}」不存在`);
  } else p.text(input.target, '转介的服务或机构', 100);
  p.text(input.notes, '转介事由', 2000, 2);
  refuseInvalid(p.list);
}

export async function refer(
  tx: WorkTx,
  caller: AdviserCaller,
  key: HouseholdKey,
  input: ReferralInput,
): Promise<Written> {
  const { household } = await followedHousehold(tx.db, caller, key);
  referralProblems(input, shanghaiToday(tx.now));
  const id = randomUUID();
  const row = {
    districtCode: key.districtCode,
    id,
    householdId: household.id,
    committeeCode: household.committeeCode,
    caseId: input.caseId ?? null,
    state: 'referred',
    version: 1,
    referredOn: input.referredOn,
    targetKind: input.targetKind,
    target: input.target.trim(),
    notes: input.notes,
    outcome: null,
    outcomeOn: null,
    createdBy: caller.userId,
    createdAt: stamp(tx),
    updatedAt: stamp(tx),
  };
  await insertReferral(tx, row);
  const started = await startRecord(tx, caller, referralMachine, row, 'refer', {
    householdId: row.householdId,
    targetKind: row.targetKind,
    target: row.target,
  });
  return { id, districtCode: key.districtCode, ...started };
}

export async function reviseReferral(
  tx: WorkTx,
  caller: AdviserCaller,
  key: RecordKey,
  input: ReferralInput,
): Promise<Written> {
  await followedRecord(tx, caller, 'referral', key);
  referralProblems(input, shanghaiToday(tx.now));
  const fields = {
    referredOn: input.referredOn,
    targetKind: input.targetKind,
    target: input.target.trim(),
    notes: input.notes,
  };
  const step = await stepRecord(tx, caller, referralMachine, 'referral', key, 'revise', {
    fields,
    audit: true,
  });
  return { id: key.id, districtCode: key.districtCode, ...step };
}

/** 已受理 or 未受理, with what the program, service or agency answered and when. */
export async function closeReferral(
  tx: WorkTx,
  caller: AdviserCaller,
  key: RecordKey,
  action: 'accept' | 'decline',
  outcome: { outcome: string; outcomeOn: string },
): Promise<Written> {
  await followedRecord(tx, caller, 'referral', key);
  const p = new Problems();
  p.text(outcome.outcome, '转介结果', 1000, 2);
  p.past(outcome.outcomeOn, '答复日期', shanghaiToday(tx.now));
  refuseInvalid(p.list);
  const step = await stepRecord(tx, caller, referralMachine, 'referral', key, action, {
    fields: { outcome: outcome.outcome, outcomeOn: outcome.outcomeOn },
  });
  return { id: key.id, districtCode: key.districtCode, ...step };
}
