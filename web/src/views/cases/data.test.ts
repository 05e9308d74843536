import { describe, expect, it } from 'vitest';
import type { Determination } from './api.ts';
import {
  ACTION_LABELS,
  actionLabel,
  CASE_PROGRAMS,
  CASE_STATE_NAMES,
  daysOverdue,
  dueText,
  noticeKinds,
  payeeRows,
  programNames,
  programOptions,
  stepMarks,
  waitingForMe,
} from './data.ts';

/**
 * The server's modules, loaded by a path the console's type-check does not follow (they are checked
 * under the server's own compiler settings, which the console's do not share).
 */
interface ServerCases {
  CASE_STATE_NAMES: Record<string, string>;
  caseMachine: (steps: string[], by: string) => { transitions: { action: string }[] };
}
const server = (path: string) => import(/* @vite-ignore */ `../../../../src/cases/${path}`);
const machineModule = (): Promise<ServerCases> => server('cases.machine.ts') as Promise<ServerCases>;

describe('copies of the server’s names', () => {
  it('the state names and the case programs are the server’s', async () => {
    const { CASE_STATE_NAMES: SERVER_STATES } = await machineModule();
    const { CASE_PROGRAMS: SERVER_PROGRAMS } = (await server('cases.handles.ts')) as {
      CASE_PROGRAMS: readonly string[];
    };
    expect(CASE_STATE_NAMES).toEqual(SERVER_STATES);
    expect([...CASE_PROGRAMS]).toEqual([...SERVER_PROGRAMS]);
  });

  it('every action of a full case machine has a Chinese label', async () => {
    const { caseMachine } = await machineModule();
    const machine = caseMachine(
      ['verify', 'visit', 'tekun_assessment', 'evaluation', 'review', 'publicity', 'decide'],
      'district',
    );
    const actions = machine.transitions.map((t) => t.action).filter((a) => a !== 'intake' && a !== 'submit');
    for (const action of [
      ...actions,
      'start_publicity',
      'record_objection',
      'declare_relatives',
      'pay_first',
    ]) {
      expect(ACTION_LABELS[action], action).toMatch(/[\u4e00-\u9fa5]/);
    }
  });

  it('a street decides with 确认, a district approves with 审批通过', () => {
    expect(actionLabel('approve', 'street')).toBe('确认');
    expect(actionLabel('approve', 'district')).toBe('审批通过');
    expect(actionLabel('deny', 'street')).toBe('不予确认');
  });

  it('programs by the engine’s names, the code only when the engine has none', () => {
    const options = programOptions([{ code: 'dibao', name: '最低生活保障' } as never]);
    expect(options[0]).toEqual({ value: 'dibao', label: '最低生活保障' });
    expect(options.find((o) => o.value === 'tekun')?.label).toBe('tekun');
    expect(programNames(['dibao'], [{ code: 'dibao', name: '最低生活保障' } as never])).toBe('最低生活保障');
    // Before the names have come, a dash rather than the code.
    expect(programNames(['dibao'], [])).toBe('—');
  });
});

describe('due days', () => {
  it('counts calendar days past the due day, none on or before it', () => {
    expect(daysOverdue('2026-11-28', '2026-12-02')).toBe(4);
    expect(daysOverdue('2026-12-02', '2026-12-02')).toBe(0);
    expect(daysOverdue(null, '2026-12-02')).toBe(0);
  });

  it('says 逾期 N 天 for an overdue case, 暂定 for a provisional day', () => {
    expect(dueText({ dueOn: '2026-11-30', dueProvisional: false, overdue: true }, '2026-12-02')).toBe(
      '逾期 2 天',
    );
    expect(dueText({ dueOn: '2026-12-10', dueProvisional: true, overdue: false }, '2026-12-02')).toBe(
      '2026-12-10（暂定）',
    );
    expect(dueText({ dueOn: null, dueProvisional: false, overdue: false }, '2026-12-02')).toBe('—');
  });
});

describe('the steps bar', () => {
  const steps = {
    requiredSteps: ['verify', 'visit', 'review', 'decide'] as const,
    stepNames: ['家庭经济状况核对', '入户调查', '审核', '审批'],
  };
  const marks = (state: Parameters<typeof stepMarks>[0]['state']) =>
    stepMarks({ ...steps, requiredSteps: [...steps.requiredSteps], state }).map((m) => m.status);

  it('marks the steps done up to the current one', () => {
    expect(marks('draft')).toEqual(['process', 'wait', 'wait', 'wait', 'wait']);
    expect(marks('accepted')).toEqual(['finish', 'process', 'wait', 'wait', 'wait']);
    expect(marks('review')).toEqual(['finish', 'finish', 'finish', 'process', 'wait']);
  });

  it('all done when approved; an error where a case stopped against the applicant', () => {
    expect(marks('approved')).toEqual(['finish', 'finish', 'finish', 'finish', 'finish']);
    expect(marks('not_accepted')).toEqual(['error', 'wait', 'wait', 'wait', 'wait']);
    expect(marks('denied')).toEqual(['finish', 'finish', 'finish', 'finish', 'error']);
  });
});

describe('notices and the queue', () => {
  it('lists only the notices whose event has happened', () => {
    expect(noticeKinds({ state: 'draft', acceptedOn: null })).toEqual([]);
    expect(noticeKinds({ state: 'approved', acceptedOn: '2026-11-01' }).map((n) => n.value)).toEqual([
      'acceptance',
      'approval',
    ]);
    expect(noticeKinds({ state: 'denied', acceptedOn: '2026-11-01' }).map((n) => n.value)).toContain(
      'denial',
    );
  });

  it('the queue holds the cases the user may decide now', () => {
    const row = { state: 'deciding', allowedActions: ['approve', 'deny'] } as never;
    expect(waitingForMe(row)).toBe(true);
    expect(waitingForMe({ state: 'deciding', allowedActions: [] } as never)).toBe(false);
    expect(waitingForMe({ state: 'review', allowedActions: ['record_review'] } as never)).toBe(false);
  });
});

describe('payees', () => {
  const determination: Pick<Determination, 'programs'> = {
    programs: [
      {
        program: 'dibao',
        name: '最低生活保障',
        level: 'household',
        eligible: true,
        applied: true,
        amountFen: 150000,
        members: null,
      } as never,
      {
        program: 'tekun',
        name: '特困人员救助供养',
        level: 'person',
        eligible: true,
        applied: true,
        amountFen: 0,
        members: [
          { personId: 'p-adult', name: '张三', amountFen: 100000 },
          { personId: 'p-child', name: '张小', amountFen: 50000 },
          { personId: 'p-none', name: '李四', amountFen: 0 },
        ],
      } as never,
      {
        program: 'temporary',
        name: '临时救助',
        level: 'household',
        eligible: true,
        applied: false,
        amountFen: 1,
      } as never,
      {
        program: 'dibao_edge',
        name: '低保边缘',
        level: 'household',
        eligible: false,
        applied: true,
        amountFen: 0,
      } as never,
    ],
  };
  const members = [
    { personId: 'p-adult', name: '张三', age: 40 },
    { personId: 'p-child', name: '张小', age: 8 },
    { personId: 'p-none', name: '李四', age: 70 },
  ];

  it('the household for a household program, each member with an amount for a person program', () => {
    const rows = payeeRows(determination, 'h-1', members, 'p-adult');
    expect(rows.map((r) => [r.program, r.beneficiaryId, r.payeePersonId])).toEqual([
      ['dibao', 'h-1', 'p-adult'],
      ['tekun', 'p-adult', 'p-adult'],
      ['tekun', 'p-child', 'p-adult'],
    ]);
    expect(rows[0]?.beneficiaryName).toBe('全户');
  });
});
