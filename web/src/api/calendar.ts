import { http, request } from './request.ts';

/** 工作日历 (/api/calendar): a year's holidays and make-up working days, official or provisional. */

export type DayKind = 'holiday' | 'workday';
export type YearStatus = 'official' | 'provisional';

export interface CalendarDay {
  date: string;
  kind: DayKind;
  name: string;
}

export interface HolidayRange {
  name: string;
  from: string;
  to: string;
}

export interface MakeupDay {
  name: string;
  date: string;
}

export interface RuleCitation {
  effective: string;
  status: string;
  source: string;
}

export interface CalendarYear {
  year: number;
  status: YearStatus;
  source: string;
  /** The official year's version (sent back as expectedVersion); null for a provisional year. */
  version: number | null;
  updatedAt: string | null;
  days: CalendarDay[];
  holidays: HolidayRange[];
  workdays: MakeupDay[];
  workingDays: number;
  basis: { statutory: RuleCitation; arrangement: RuleCitation } | null;
  canManage: boolean;
}

export interface CalendarOverview {
  today: string;
  firstYear: number;
  lastYear: number;
  canManage: boolean;
  years: { year: number; source: string; version: number; updatedAt: string | null }[];
}

export interface Deadline {
  due: string;
  workingDays: number;
  from: string;
  rule: string;
  provisional: boolean;
}

export interface CalendarYearInput {
  source: string;
  holidays: { name: string; from: string; to?: string }[];
  workdays: MakeupDay[];
  expectedVersion: number | null;
  reason: string;
}

export const calendarApi = {
  overview: () => http.get<CalendarOverview>('/api/calendar'),
  year: (year: number) => http.get<CalendarYear>(`/api/calendar/${year}`),
  /** Errors are shown on the form (silent): the server lists every problem. */
  save: (year: number, input: CalendarYearInput) =>
    request<CalendarYear & { warnings: string[]; previousVersion: number | null }>(
      'PUT',
      `/api/calendar/${year}`,
      {
        body: input,
        silent: true,
      },
    ),
  deadline: (from: string, workingDays: number) =>
    http.get<Deadline>('/api/calendar/deadline', { from, workingDays }),
};
