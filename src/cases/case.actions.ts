import { randomUUID } from 'node:crypto';
import { mayAct } from '../auth/roles.ts';
import { addDays } from '../calendar/days.ts';
import { shanghaiToday } from '../core/clock.ts';
import { visibleLength } from '../core/text.ts';
import { requireAttachments } from '../files/files.service.ts';
import { householdMemberRows } from '../registry/household.repository.ts';
import { applyTransition, type MachineStore } from '../workflow/state-machine.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import type { CaseCaller, CaseDeps, RelativeMatch } from './case.deps.ts';
import { machineOf } from './case.present.ts';
import {
  bumpCaseVersion,
  findCase,
  insertEvaluation,
  insertObjection,
  insertPublicity,
  insertReview,
  insertVisit,
  saveCaseState,
  stepRecords,
  updateCase,
  type CaseRow,
} from './case.repository.ts';
import { decider, publicityDays, requiredSteps, stepWorkingDays } from './cases.parameters.ts';
import type { CaseProgram } from './cases.handles.ts';
import { CASE_NOT_FOUND, CasesError } from './cases.errors.ts';
import { CASE_STATE_NAMES, caseMachine, CLOSED_STATES, type CaseState } from './cases.machine.ts';
import { STATE_TIME_LIMIT } from './cases.steps.ts';
import { followDecision, followWithdrawal } from './pay-first/decide.ts';
import { payFirst } from './pay-first/pay-first.service.ts';
import { prepareTekunAssessment } from './tekun/tekun.service.ts';

/**
 * 办理: every action on a case, by name (`POST /api/cases/:district/:id/actions/:action`). State changes go
 * through the case's machine (`applyTransition`: permission, wrong state, stale version, audit, timeline);
 * records that change no state (the publicity's start, an objection, the relatives' declaration) are a
 * compare-and-set on the version with their own audit record. What a step records travels in `record`.
 */

export interface ActionInput {
  districtCode: string;
  id: string;
  action: string;
  version: number;
  /** The user's reason: required for refusals, returns, withdrawals and denials (the unit's reason too). */
  reason?: string | undefined;
  record?: Record<string, unknown> | undefined;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

function text(
  record: Record<string, unknown> | undefined,
  key: string,
  label: string,
  problems: string[],
): string {
  const v = record?.[key];
  if (typeof v !== 'string' || visibleLength(v.trim()) === 0) {
    problems.push(`请填写${label}`);
    return '';
  }
  return v.trim();
}

function day(
  record: Record<string, unknown> | undefined,
  key: string,
  label: string,
  today: string,
  problems: string[],
): string {
  const v = record?.[key];
  if (typeof v !== 'string' || !ISO.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
    problems.push(`${label}应为 YYYY-MM-DD 日期`);
    return today;
  }
  if (v > today) problems.push(`${label}不能晚于今天`);
  return v;
}

function names(record: Record<string, unknown> | undefined, key: string, label: string, problems: string[]) {
  const v = record?.[key];
  const list = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
  if (list.length === 0) problems.push(`请填写${label}`);
  return list.map((x) => x.trim());
}

function count(record: Record<string, unknown> | undefined, key: string, label: string, problems: string[]) {
  const v = record?.[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    problems.push(`${label}应为非负整数`);
    return 0;
  }
  return v;
}

function refuseIfAny(problems: string[]): void {
  if (problems.length > 0) throw new CasesError('invalid', problems.join('；'), problems);
}

function caseStore(districtCode: string): MachineStore<CaseState> {
  return {
    load: async (tx, id) => {
      const row = await findCase(tx.db, { kind: 'all' }, districtCode, id);
      return row
        ? { id: row.id, divisionCode: row.committeeCode, state: row.state as CaseState, version: row.version }
        : null;
    },
    save: (tx, id, expected, next) => saveCaseState(tx, { districtCode, id }, expected, next),
  };
}

function matchesOf(row: CaseRow): RelativeMatch[] {
  return row.relativesMatches as RelativeMatch[];
}

/** Staff who may not act on the case: whose relative (or own household) it is. */
function relativeOf(row: CaseRow, userId: string | null): RelativeMatch | undefined {
  if (userId === null) return undefined;
  return matchesOf(row).find((m) => m.staff.userId === userId);
}

/** Why the caller may not decide this case: their own (registered, visited) or a relative's. */
function ownCaseProblems(row: CaseRow, visitedBy: string | undefined, userId: string | null): string[] {
  if (userId === null) return [];
  const problems: string[] = [];
  if (row.createdBy === userId) problems.push('不能审批本人登记的申请');
  if (visitedBy === userId) problems.push('不能审批本人入户调查的申请');
  return problems;
}

/** The due date on entering `state` (working days from today; none in 公示 until it starts, nor when closed). */
function dueOnEntering(deps: CaseDeps, state: CaseState, today: string): Partial<CaseRow> {
  const limit = STATE_TIME_LIMIT[state];
  if (!limit || CLOSED_STATES.includes(state)) {
    return { dueOn: null, dueFrom: null, dueWorkingDays: null, dueProvisional: false };
  }
  const due = deps.calendar.deadline(today, stepWorkingDays(limit, today));
  return {
    dueOn: due.due,
    dueFrom: due.from,
    dueWorkingDays: due.workingDays,
    dueProvisional: due.provisional,
  };
}

const REASON_NEEDED = new Set(['not_accept', 'return', 'withdraw', 'deny']);

/** Carries out one action on a case; returns the case's key for the caller to read it back. */
export async function actOnCase(
  tx: WorkTx,
  caller: CaseCaller,
  deps: CaseDeps,
  input: ActionInput,
): Promise<{ districtCode: string; id: string; state: CaseState; version: number }> {
  const row = await findCase(tx.db, caller.scope, input.districtCode, input.id);
  if (!row) throw new CasesError('not_found', CASE_NOT_FOUND);
  const relative = relativeOf(row, caller.userId);
  if (relative) {
    throw new CasesError(
      'relative_conflict',
      `申请人${relative.member.name}是您的近亲属（${relative.relation.name}），您不能办理该申请`,
    );
  }
  const today = shanghaiToday(tx.now);
  const reason = input.reason?.trim() ?? '';
  if (REASON_NEEDED.has(input.action) && visibleLength(reason) === 0) {
    throw new CasesError('invalid', '请写明理由');
  }
  const key = { districtCode: row.districtCode, id: row.id };
  switch (input.action) {
    case 'start_publicity':
    case 'record_objection':
    case 'declare_relatives':
      return recordWithoutMove(tx, caller, row, input, today);
    case 'accept':
      return accept(tx, caller, deps, row, input, today);
    case 'pay_first':
      return payFirst(tx, caller, row, { version: input.version, reason, record: input.record }, today);
    default:
      break;
  }
  const problems: string[] = [];
  const extra: Partial<CaseRow> = {};
  let follow: (() => Promise<unknown>) | undefined;
  const rec = input.record;
  switch (input.action) {
    case 'not_accept':
    case 'return':
    case 'withdraw':
      if (input.action === 'return' && row.channel !== 'online')
        problems.push('只有网上申请可以退回，窗口申请请作不予受理');
      Object.assign(extra, { reason, decidedAt: tx.now.toISOString(), decidedBy: caller.userId });
      if (input.action === 'withdraw') follow = () => followWithdrawal(tx, caller, row, reason);
      break;
    case 'start_verification': {
      if (row.state === 'accepted') {
        const purpose = row.programs[0] ?? '';
        const request = await deps.verification.request(tx, caller, {
          districtCode: row.districtCode,
          householdId: row.householdId,
          purpose,
        });
        extra.verificationRequestId = request.id;
      }
      break;
    }
    case 'verified':
      if (row.verificationRequestId === null) problems.push('尚未发起家庭经济状况核对');
      else if (!(await deps.verification.reported(tx.db, row.districtCode, row.verificationRequestId))) {
        problems.push('核对报告尚未出具');
      }
      break;
    case 'record_visit': {
      const p: string[] = [];
      const visitedOn = day(rec, 'visitedOn', '入户调查日期', today, p);
      const visitors = names(rec, 'visitors', '调查人员', p);
      const notes = text(rec, 'notes', '调查情况', p);
      const checklist = rec?.checklist;
      const list =
        checklist && typeof checklist === 'object' && !Array.isArray(checklist)
          ? Object.fromEntries(Object.entries(checklist).map(([k, v]) => [k, v === true]))
          : {};
      const photos = Array.isArray(rec?.photoIds)
        ? (rec.photoIds as unknown[]).filter((x): x is string => typeof x === 'string')
        : [];
      refuseIfAny(p);
      const photoIds =
        photos.length > 0
          ? await requireAttachments(
              tx.db,
              { entityType: 'case', districtCode: row.districtCode, entityId: row.id },
              photos,
            )
          : [];
      if (row.state === 'visit') {
        follow = () =>
          insertVisit(tx, {
            ...key,
            caseId: row.id,
            visitedOn,
            visitors,
            checklist: list,
            notes,
            photoIds,
            recordedBy: caller.userId ?? 'system',
            recordedAt: tx.now.toISOString(),
          });
      }
      break;
    }
    case 'record_evaluation': {
      const p: string[] = [];
      const heldOn = day(rec, 'heldOn', '评议日期', today, p);
      const participants = names(rec, 'participants', '参加人员', p);
      const votesFor = count(rec, 'votesFor', '同意票数', p);
      const votesAgainst = count(rec, 'votesAgainst', '反对票数', p);
      const votesAbstain = count(rec, 'votesAbstain', '弃权票数', p);
      const opinion = text(rec, 'opinion', '评议意见', p);
      if (participants.length > 0 && votesFor + votesAgainst + votesAbstain > participants.length) {
        p.push('票数合计不能多于参加人数');
      }
      refuseIfAny(p);
      if (row.state === 'evaluation') {
        follow = () =>
          insertEvaluation(tx, {
            districtCode: row.districtCode,
            caseId: row.id,
            heldOn,
            participants,
            votesFor,
            votesAgainst,
            votesAbstain,
            opinion,
            recordedBy: caller.userId ?? 'system',
            recordedAt: tx.now.toISOString(),
          });
      }
      break;
    }
    case 'record_tekun_assessment':
      follow = await prepareTekunAssessment(tx, caller, row, rec);
      break;
    case 'record_review': {
      const p: string[] = [];
      const opinion = text(rec, 'opinion', '审核意见', p);
      refuseIfAny(p);
      if (row.state === 'review') {
        follow = () =>
          insertReview(tx, {
            districtCode: row.districtCode,
            caseId: row.id,
            opinion,
            recordedBy: caller.userId ?? 'system',
            recordedAt: tx.now.toISOString(),
          });
      }
      break;
    }
    case 'end_publicity': {
      const { publicity, objections } = await stepRecords(tx.db, key);
      if (!publicity) problems.push('尚未开始公示');
      else if (today <= publicity.endsOn)
        problems.push(`公示期至 ${publicity.endsOn} 结束，期满后方可结束公示`);
      if (objections.some((o) => visibleLength(o.handling.trim()) === 0)) problems.push('有异议尚未处理');
      break;
    }
    case 'approve_first':
    case 'approve':
    case 'deny': {
      const { visit } = await stepRecords(tx.db, key);
      if (input.action !== 'deny') problems.push(...ownCaseProblems(row, visit?.recordedBy, caller.userId));
      if (row.relativesFlagged && row.relativesDeclaredAt === null && input.action !== 'deny') {
        problems.push('申请人与工作人员有近亲属关系，须先在申请中确认近亲属备案');
      }
      if (input.action === 'approve_first') {
        if (!row.secondApproverRequired) problems.push('该申请不需要两名审批人');
        else if (row.firstApprovedBy !== null) problems.push('第一审批人已同意，请由第二审批人审批');
        Object.assign(extra, { firstApprovedBy: caller.userId, firstApprovedAt: tx.now.toISOString() });
      }
      if (input.action === 'approve' && row.secondApproverRequired) {
        if (row.firstApprovedBy === null) problems.push('该申请须两名审批人：请先由第一审批人同意');
        else if (row.firstApprovedBy === caller.userId) problems.push('第二审批人须与第一审批人不同');
      }
      if (input.action !== 'approve_first') {
        Object.assign(extra, {
          decidedAt: tx.now.toISOString(),
          decidedBy: caller.userId,
          ...(input.action === 'deny' ? { reason } : {}),
        });
        const decision = input.action;
        follow = () => followDecision(tx, caller, deps, row, decision, reason);
      }
      break;
    }
    default:
      break;
  }
  const result = await applyTransition(tx, machineOf(row), caseStore(row.districtCode), {
    id: row.id,
    action: input.action,
    expectedVersion: input.version,
    role: caller.role,
    context: { problems },
  });
  await updateCase(tx, key, {
    ...extra,
    ...(result.to !== result.from ? dueOnEntering(deps, result.to, today) : {}),
  });
  if (follow) await follow();
  return { ...key, state: result.to, version: result.version };
}

/** 受理: the steps and who decides are fixed as of the application date; the relatives are checked. */
async function accept(
  tx: WorkTx,
  caller: CaseCaller,
  deps: CaseDeps,
  row: CaseRow,
  input: ActionInput,
  today: string,
) {
  const programs = row.programs as CaseProgram[];
  const steps = requiredSteps(programs, row.appliedOn);
  const by = decider(programs, row.appliedOn);
  const members = await householdMemberRows(tx.db, row.districtCode, row.householdId, true);
  const matches = await deps.relativeConflicts(tx, caller.scope, {
    districtCode: row.districtCode,
    personIds: members.map((m) => m.person.id),
  });
  const relative = relativeOf({ ...row, relativesMatches: matches }, caller.userId);
  if (relative) {
    throw new CasesError(
      'relative_conflict',
      `申请人${relative.member.name}是您的近亲属（${relative.relation.name}），您不能受理该申请`,
    );
  }
  // The machine before acceptance knows only 受理; the case's own machine (its steps) applies from here.
  const result = await applyTransition(tx, caseMachine(steps, by), caseStore(row.districtCode), {
    id: row.id,
    action: 'accept',
    expectedVersion: input.version,
    role: caller.role,
    context: { problems: [] },
  });
  const flagged = matches.length > 0;
  await updateCase(
    tx,
    { districtCode: row.districtCode, id: row.id },
    {
      requiredSteps: steps,
      decider: by,
      acceptedOn: today,
      relativesFlagged: flagged,
      relativesMatches: matches.map((m) => ({
        staff: {
          staffId: m.staff.staffId,
          userId: m.staff.userId,
          name: m.staff.name,
          roleName: m.staff.roleName,
        },
        member: { personId: m.member.personId, name: m.member.name },
        relation: { name: m.relation.name },
        foundByName: m.foundByName,
      })),
      secondApproverRequired: flagged,
      ...dueOnEntering(deps, 'accepted', today),
    },
  );
  return { districtCode: row.districtCode, id: row.id, state: result.to, version: result.version };
}

/** The records that move no state: 开始公示, 登记异议, 确认近亲属备案. */
async function recordWithoutMove(
  tx: WorkTx,
  caller: CaseCaller,
  row: CaseRow,
  input: ActionInput,
  today: string,
) {
  const state = row.state as CaseState;
  const label = {
    start_publicity: '开始公示',
    record_objection: '登记异议',
    declare_relatives: '确认近亲属备案',
  }[input.action as 'start_publicity'];
  if (!mayAct(caller.role, 'cases.process')) throw new CasesError('forbidden', `您没有权限${label}`);
  if (input.version !== row.version) {
    throw new ConflictError(
      'stale_version',
      `记录已被他人修改（当前状态「${CASE_STATE_NAMES[state]}」，版本 ${row.version}），请刷新后重新操作`,
      {
        state,
        version: row.version,
        allowedActions: [],
      },
    );
  }
  const key = { districtCode: row.districtCode, id: row.id };
  const { publicity } = await stepRecords(tx.db, key);
  const rec = input.record;
  const p: string[] = [];
  let values: Partial<CaseRow> = {};
  let write: (() => Promise<void>) | undefined;
  let after: Record<string, unknown> = {};
  if (input.action === 'declare_relatives') {
    if (!row.relativesFlagged) p.push('该申请没有近亲属关系提示，无需备案');
    else if (row.relativesDeclaredAt !== null) p.push('近亲属备案已确认');
    else if (CLOSED_STATES.includes(state) || state === 'draft')
      p.push(`当前状态为「${CASE_STATE_NAMES[state]}」，不能${label}`);
    values = { relativesDeclaredBy: caller.userId, relativesDeclaredAt: tx.now.toISOString() };
    after = { relativesDeclared: true };
  } else if (state !== 'publicity') {
    throw new ConflictError('wrong_state', `当前状态为「${CASE_STATE_NAMES[state]}」，不能${label}`, {
      state,
      version: row.version,
      allowedActions: [],
    });
  } else if (input.action === 'start_publicity') {
    if (publicity) p.push(`公示已于 ${publicity.startsOn} 开始`);
    const startsOn = rec?.startsOn === undefined ? today : day(rec, 'startsOn', '公示开始日期', today, p);
    const days = publicityDays(startsOn);
    const endsOn = addDays(startsOn, days - 1);
    values = { dueOn: endsOn, dueFrom: startsOn, dueWorkingDays: null, dueProvisional: false };
    write = () =>
      insertPublicity(tx, {
        ...{ districtCode: row.districtCode, caseId: row.id },
        startsOn,
        endsOn,
        days,
        recordedBy: caller.userId ?? 'system',
        recordedAt: tx.now.toISOString(),
      });
    after = { startsOn, endsOn, days };
  } else {
    if (!publicity) p.push('尚未开始公示');
    const receivedOn = day(rec, 'receivedOn', '异议收到日期', today, p);
    if (publicity && (receivedOn < publicity.startsOn || receivedOn > publicity.endsOn)) {
      p.push(`异议须在公示期内（${publicity.startsOn} 至 ${publicity.endsOn}）收到`);
    }
    const content = text(rec, 'content', '异议内容', p);
    const handling = typeof rec?.handling === 'string' ? rec.handling.trim() : '';
    const id = randomUUID();
    write = () =>
      insertObjection(tx, {
        districtCode: row.districtCode,
        id,
        caseId: row.id,
        receivedOn,
        content,
        handling,
        recordedBy: caller.userId ?? 'system',
        recordedAt: tx.now.toISOString(),
      });
    after = { objectionId: id, receivedOn, handled: handling !== '' };
  }
  refuseIfAny(p);
  if (!(await bumpCaseVersion(tx, key, { state, version: row.version }, values))) {
    throw new ConflictError('stale_version', '记录已被他人修改，请刷新后重新操作', {
      state,
      version: row.version,
      allowedActions: [],
    });
  }
  if (write) await write();
  tx.record({
    action: 'cases.recorded',
    entityType: 'case',
    entityId: row.id,
    district: row.committeeCode,
    before: { state, version: row.version },
    after: { state, version: row.version + 1, action: input.action, ...after },
  });
  return { ...key, state, version: row.version + 1 };
}

export { caseStore };
