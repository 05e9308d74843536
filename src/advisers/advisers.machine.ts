import { defineMachine } from '../workflow/state-machine.ts';

/**
 * The adviser's records and their lives. Every write is a step of one of these machines, so it lands in the
 * record's timeline and the audit chain and is a compare-and-set on the record's version (a stale page is
 * refused with 409). Records without a lifecycle (a visit, an assessment) have one state and a 修改 step;
 * plans and referrals have the lifecycles of the brief.
 */
export type AssignmentState = 'active' | 'ended';
export type RecordedState = 'recorded';
export type PlanState = 'draft' | 'active' | 'completed' | 'terminated';
export type ReferralState = 'referred' | 'accepted' | 'declined';

export const assignmentMachine = defineMachine<AssignmentState, unknown>({
  name: 'adviser.assignment',
  entityType: 'adviser_assignment',
  auditAction: 'adviser.assignment',
  states: { active: '跟进中', ended: '已结束' },
  transitions: [
    { action: 'assign', label: '分派救助顾问', from: [], to: 'active', permission: 'adviser.assign' },
    { action: 'end', label: '结束跟进', from: ['active'], to: 'ended', permission: 'adviser.assign' },
  ],
});

export const visitMachine = defineMachine<RecordedState, unknown>({
  name: 'adviser.visit',
  entityType: 'adviser_visit',
  auditAction: 'adviser.visit',
  states: { recorded: '已记录' },
  transitions: [
    { action: 'record', label: '记录走访', from: [], to: 'recorded', permission: 'adviser.record' },
    {
      action: 'revise',
      label: '修改走访记录',
      from: ['recorded'],
      to: 'recorded',
      permission: 'adviser.record',
    },
  ],
});

export const assessmentMachine = defineMachine<RecordedState, unknown>({
  name: 'adviser.assessment',
  entityType: 'adviser_assessment',
  auditAction: 'adviser.assessment',
  states: { recorded: '已记录' },
  transitions: [
    { action: 'record', label: '需求评估', from: [], to: 'recorded', permission: 'adviser.record' },
    {
      action: 'revise',
      label: '修改需求评估',
      from: ['recorded'],
      to: 'recorded',
      permission: 'adviser.record',
    },
  ],
});

export const planMachine = defineMachine<PlanState, unknown>({
  name: 'adviser.plan',
  entityType: 'adviser_plan',
  auditAction: 'adviser.plan',
  states: { draft: '草拟', active: '执行中', completed: '已完成', terminated: '已终止' },
  transitions: [
    { action: 'draft', label: '草拟帮扶计划', from: [], to: 'draft', permission: 'adviser.record' },
    { action: 'revise', label: '修改帮扶计划', from: ['draft'], to: 'draft', permission: 'adviser.record' },
    { action: 'start', label: '开始执行', from: ['draft'], to: 'active', permission: 'adviser.record' },
    { action: 'adjust', label: '调整帮扶计划', from: ['active'], to: 'active', permission: 'adviser.record' },
    {
      action: 'complete',
      label: '完成帮扶计划',
      from: ['active'],
      to: 'completed',
      permission: 'adviser.record',
    },
    {
      action: 'terminate',
      label: '终止帮扶计划',
      from: ['draft', 'active'],
      to: 'terminated',
      permission: 'adviser.record',
    },
  ],
});

/** The two edits of a plan's content: one in each state where its content may change. */
export const PLAN_EDIT: Partial<Record<PlanState, 'revise' | 'adjust'>> = {
  draft: 'revise',
  active: 'adjust',
};

export const referralMachine = defineMachine<ReferralState, unknown>({
  name: 'adviser.referral',
  entityType: 'adviser_referral',
  auditAction: 'adviser.referral',
  states: { referred: '已转介', accepted: '已受理', declined: '未受理' },
  transitions: [
    { action: 'refer', label: '转介', from: [], to: 'referred', permission: 'adviser.record' },
    { action: 'revise', label: '修改转介', from: ['referred'], to: 'referred', permission: 'adviser.record' },
    {
      action: 'accept',
      label: '登记已受理',
      from: ['referred'],
      to: 'accepted',
      permission: 'adviser.record',
    },
    {
      action: 'decline',
      label: '登记未受理',
      from: ['referred'],
      to: 'declined',
      permission: 'adviser.record',
    },
  ],
});
