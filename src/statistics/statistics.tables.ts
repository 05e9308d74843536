import { PROGRAMS, isProgramCode } from '../policy/index.ts';
import { divisionIndex } from '../registry/divisions.ts';
import type { EntitledRow, PaidRow } from './statistics.repository.ts';

/**
 * Pure shaping of the aggregates into tables (statistics.service.ts): names from the program and division
 * tables, rows in code order, totals per program, per area and for the scope. 户次 and 人次 add up across
 * programs and months (a household in two programs is two 户次); amounts add in integer fen.
 */

export interface Figures {
  /** 户数/户次. */
  households: number;
  /** 人数/人次. */
  persons: number;
  amountFen: number;
  /** 其中补发: arrears for earlier periods, counted in the month paid. */
  arrearsFen: number;
  /** 其中重发: lines the bank failed earlier, paid again (counted in the month paid again). */
  carriedFen: number;
  /** 其中抵扣: recovery items deducted (negative). */
  offsetFen: number;
  /** Of the amount, not yet confirmed by the bank's return. */
  unconfirmedFen: number;
}

export interface EntitledFigures {
  households: number;
  persons: number;
  entitlements: number;
  amountFen: number;
}

export interface Named {
  code: string;
  name: string;
}

export interface ProgramTable<F> {
  program: Named;
  rows: (Named & F)[];
  total: F;
}

export const ZERO: Figures = {
  households: 0,
  persons: 0,
  amountFen: 0,
  arrearsFen: 0,
  carriedFen: 0,
  offsetFen: 0,
  unconfirmedFen: 0,
};
export const ZERO_ENTITLED: EntitledFigures = { households: 0, persons: 0, entitlements: 0, amountFen: 0 };

export function addFigures<F extends object>(a: F, b: F): F {
  const sum = { ...a } as Record<string, number>;
  for (const [k, v] of Object.entries(b)) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
  return sum as F;
}

export function programName(code: string): string {
  return isProgramCode(code) ? PROGRAMS[code].name : `未知项目（${code}）`;
}

/** A division's Chinese name (the city for 310000); the code in words when the table does not know it. */
export function divisionName(code: string): string {
  if (code === '310000' || code === '31') return '上海市';
  return divisionIndex().get(code)?.name ?? `未登记区划（${code}）`;
}

function figuresOf(r: PaidRow): Figures {
  return {
    households: r.households,
    persons: r.persons,
    amountFen: r.amountFen,
    arrearsFen: r.arrearsFen,
    carriedFen: r.carriedFen,
    offsetFen: r.offsetFen,
    unconfirmedFen: r.unconfirmedFen,
  };
}

function entitledOf(r: EntitledRow): EntitledFigures {
  return {
    households: r.households,
    persons: r.persons,
    entitlements: r.entitlements,
    amountFen: r.amountFen,
  };
}

/** Rows keyed by program and area, summed (a year's months), into program tables in code order. */
function tables<R extends { program: string; area: string }, F extends object>(
  rows: readonly R[],
  figures: (r: R) => F,
  zero: F,
): { programs: ProgramTable<F>[]; byArea: (Named & F)[]; total: F } {
  const byProgram = new Map<string, Map<string, F>>();
  const byArea = new Map<string, F>();
  for (const r of rows) {
    const areas = byProgram.get(r.program) ?? new Map<string, F>();
    byProgram.set(r.program, areas);
    areas.set(r.area, addFigures(areas.get(r.area) ?? zero, figures(r)));
    byArea.set(r.area, addFigures(byArea.get(r.area) ?? zero, figures(r)));
  }
  const programs = [...byProgram.keys()].sort().map((code) => {
    const areas = byProgram.get(code)!;
    const rowsOf = [...areas.keys()]
      .sort()
      .map((area) => ({ code: area, name: divisionName(area), ...areas.get(area)! }));
    return {
      program: { code, name: programName(code) },
      rows: rowsOf,
      total: rowsOf.reduce<F>((t, r) => addFigures(t, r), zero),
    };
  });
  const areaRows = [...byArea.keys()]
    .sort()
    .map((area) => ({ code: area, name: divisionName(area), ...byArea.get(area)! }));
  return {
    programs,
    byArea: areaRows,
    total: programs.reduce<F>((t, p) => addFigures(t, p.total), zero),
  };
}

export function paidTables(rows: readonly PaidRow[]) {
  return tables(rows, figuresOf, ZERO);
}

export function entitledTables(rows: readonly EntitledRow[]) {
  return tables(rows, entitledOf, ZERO_ENTITLED);
}

/** The twelve months of a year, 'YYYY-01' … 'YYYY-12'. */
export function monthsOf(year: number): string[] {
  return Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
}

/** Per month: the scope's totals and each program's amount, for the line chart. */
export interface MonthPoint extends Figures {
  month: string;
  programs: { code: string; households: number; persons: number; amountFen: number }[];
}

export function monthSeries(year: number, rows: readonly PaidRow[]): MonthPoint[] {
  return monthsOf(year).map((month) => {
    const ofMonth = rows.filter((r) => r.month === month);
    const { programs, total } = paidTables(ofMonth);
    return {
      month,
      ...total,
      programs: programs.map((p) => ({
        code: p.program.code,
        households: p.total.households,
        persons: p.total.persons,
        amountFen: p.total.amountFen,
      })),
    };
  });
}
