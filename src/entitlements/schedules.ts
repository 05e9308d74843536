import type { ProgramCode } from '../policy/index.ts';

/**
 * How often each program is paid, with where SPEC.md says so. A code table, not a parameter: a schedule is a
 * kind, not a number, and changes only with the program. `null`: the program is a status (amount 0 by
 * definition), recorded on the decision line but never paid, so it creates no entitlement.
 */
export type Schedule = 'monthly' | 'quarterly' | 'once';

export const SCHEDULE_NAMES: Readonly<Record<Schedule, string>> = {
  monthly: '按月',
  quarterly: '按季',
  once: '一次性',
};

interface ScheduleEntry {
  readonly schedule: Schedule | null;
  readonly source: string;
}

const MONTHLY = 'SPEC.md「Programs」：按月计算的生活救助或补贴（金额为每月）';

export const PROGRAM_SCHEDULES: Readonly<Record<ProgramCode, ScheduleEntry>> = {
  dibao: { schedule: 'monthly', source: MONTHLY },
  dibao_edge: { schedule: null, source: 'SPEC.md dibao_edge：“a status, amount 0”' },
  rigid_expense: { schedule: 'monthly', source: MONTHLY },
  temporary: {
    schedule: 'once',
    source: 'SPEC.md temporary：“the cap for one grant”；issue 10：临时救助一次性',
  },
  tekun: { schedule: 'monthly', source: MONTHLY },
  severe_disability_unemployed: { schedule: 'monthly', source: MONTHLY },
  renovation: { schedule: 'once', source: 'SPEC.md renovation：“one-off”' },
  traditional: { schedule: 'monthly', source: 'SPEC.md traditional：定期定量生活补助' },
  rural_youth: { schedule: 'monthly', source: MONTHLY },
  anhui_resettled: { schedule: 'monthly', source: 'SPEC.md anhui_resettled：定期生活困难补助' },
  kunjing_child: { schedule: 'monthly', source: MONTHLY },
  orphan: { schedule: 'monthly', source: MONTHLY },
  elderly_allowance: {
    schedule: 'quarterly',
    source:
      'SPEC.md elderly_allowance：“Paid quarterly in practice; the engine gives the monthly entitlement”',
  },
  grain_oil: { schedule: 'monthly', source: MONTHLY },
  price_subsidy: {
    schedule: 'monthly',
    source: 'SPEC.md price_subsidy：按月启动（该月有取值才发放）',
  },
};

export function scheduleOf(program: ProgramCode): Schedule | null {
  return PROGRAM_SCHEDULES[program].schedule;
}
