import { describe, expect, it } from 'vitest';
import { allowedTransitions } from '../workflow/state-machine.ts';
import { decider, publicityDays, requiredSteps } from './cases.parameters.ts';
import { caseMachine, CASE_STATES, type CaseState } from './cases.machine.ts';
import { STEP_STATE } from './cases.steps.ts';

describe('required steps as of the application date', () => {
  it('drops 入户调查 and 民主评议 for new 低保 and 特困 cases during the 2020 epidemic, not before or after', () => {
    expect(requiredSteps(['dibao'], '2020-06-15')).toEqual(['verify', 'review', 'publicity', 'decide']);
    // The epidemic dropped the visit, not the 特困 assessment.
    expect(requiredSteps(['tekun'], '2020-06-15')).toEqual([
      'verify',
      'tekun_assessment',
      'review',
      'publicity',
      'decide',
    ]);
    expect(requiredSteps(['dibao'], '2019-12-20')).toEqual([
      'verify',
      'visit',
      'evaluation',
      'review',
      'publicity',
      'decide',
    ]);
    expect(requiredSteps(['dibao'], '2026-12-01')).toEqual([
      'verify',
      'visit',
      'evaluation',
      'review',
      'publicity',
      'decide',
    ]);
  });

  it('requires 特困人员认定 only of a case that includes 特困, after 入户调查 and before 民主评议 and 审核', () => {
    expect(requiredSteps(['tekun'], '2026-12-01')).toEqual([
      'verify',
      'visit',
      'tekun_assessment',
      'evaluation',
      'review',
      'publicity',
      'decide',
    ]);
    expect(requiredSteps(['dibao', 'tekun'], '2026-12-01')).toContain('tekun_assessment');
    for (const p of ['dibao', 'dibao_edge', 'rigid_expense', 'temporary'] as const) {
      expect(requiredSteps([p], '2026-12-01')).not.toContain('tekun_assessment');
    }
  });

  it('takes the union over the programs applied for', () => {
    expect(requiredSteps(['temporary'], '2026-12-01')).toEqual(['verify', 'visit', 'review', 'decide']);
    // 2020: 低保 without a visit, 临时救助 with one: the case has it.
    expect(requiredSteps(['dibao', 'temporary'], '2020-06-15')).toEqual([
      'verify',
      'visit',
      'review',
      'publicity',
      'decide',
    ]);
  });

  it('lets the street confirm only when no program needs the district, and publicises 7 calendar days', () => {
    expect(decider(['temporary'], '2026-12-01')).toBe('street');
    expect(decider(['temporary', 'dibao'], '2026-12-01')).toBe('district');
    expect(publicityDays('2026-12-01')).toBe(7);
  });
});

describe('the case machine built from the steps', () => {
  const full = caseMachine(
    ['verify', 'visit', 'tekun_assessment', 'evaluation', 'review', 'publicity', 'decide'],
    'district',
  );
  const short = caseMachine(['verify', 'review', 'publicity', 'decide'], 'district');

  const to = (machine: typeof full, action: string) =>
    machine.transitions.find((t) => t.action === action)?.to;

  it('leads each step to the next required one', () => {
    expect(to(full, 'verified')).toBe('visit');
    expect(to(full, 'record_visit')).toBe('tekun_assessment');
    expect(to(full, 'record_tekun_assessment')).toBe('evaluation');
    expect(full.transitions.find((t) => t.action === 'record_tekun_assessment')?.permission).toBe(
      'cases.process',
    );
    expect(to(full, 'record_evaluation')).toBe('review');
    expect(to(full, 'record_review')).toBe('publicity');
    expect(to(full, 'end_publicity')).toBe('deciding');
    expect(to(short, 'verified')).toBe('review');
    expect(short.transitions.some((t) => t.action === 'record_visit')).toBe(false);
    expect(short.transitions.some((t) => t.action === 'record_tekun_assessment')).toBe(false);
  });

  it('offers no action that skips a required step: from each step state only its own completion moves on', () => {
    for (const [step, state] of Object.entries(STEP_STATE)) {
      if (step === 'decide') continue;
      const moves = allowedTransitions(full, state as CaseState).filter((t) => t.action !== 'withdraw');
      expect(moves.length).toBe(1);
      const order = Object.values(STEP_STATE) as string[];
      expect(order.indexOf(moves[0]!.to)).toBe(order.indexOf(state) + 1);
    }
  });

  it('refuses every action outside its states (each action is open in its from-states only)', () => {
    for (const t of full.transitions) {
      for (const state of CASE_STATES) {
        const open = allowedTransitions(full, state).some((x) => x.action === t.action);
        expect(open).toBe(t.from.includes(state));
      }
    }
    for (const closed of ['approved', 'denied', 'withdrawn', 'not_accepted', 'returned'] as const) {
      expect(allowedTransitions(full, closed)).toEqual([]);
    }
  });

  it('gives the decision to the district approver or the street by who decides', () => {
    const street = caseMachine(['verify', 'visit', 'review', 'decide'], 'street');
    expect(street.transitions.find((t) => t.action === 'approve')?.permission).toBe('cases.confirm');
    expect(full.transitions.find((t) => t.action === 'approve')?.permission).toBe('cases.approve');
    expect(allowedTransitions(full, 'deciding', 'street_caseworker').map((t) => t.action)).toEqual([
      'withdraw',
    ]);
    expect(allowedTransitions(full, 'deciding', 'district_approver').map((t) => t.action)).toEqual([
      'approve_first',
      'approve',
      'deny',
    ]);
  });

  it('refuses a step list that does not end with the decision', () => {
    expect(() => caseMachine(['verify', 'review'], 'district')).toThrow();
  });
});
