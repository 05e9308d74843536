import { divisionScope, inScope, type DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { formatYuan } from '../policy/engine/exact.ts';
import { RUN_STATE_NAMES, type RunState } from '../payroll/runs/run.machine.ts';
import { divisionIndex } from '../registry/divisions.ts';
import {
  COUNTED_RUN_STATES,
  entitledFigures,
  paidFigures,
  runStates,
  type AreaLength,
} from './statistics.repository.ts';
import { DIVISION_NOT_FOUND, StatisticsError } from './statistics.errors.ts';
import {
  divisionName,
  entitledTables,
  monthSeries,
  monthsOf,
  paidTables,
  type EntitledFigures,
  type Figures,
  type MonthPoint,
  type Named,
  type ProgramTable,
} from './statistics.tables.ts';

/**
 * 统计报表 (docs/statistics.md): the monthly and annual tables of a division — per program and per area one
 * level down (the city by district, a district by street, a street or committee by committee) — from the
 * payroll lines actually paid and the entitlements in force. Reads only, in the caller's scope.
 */

export type AreaLevel = 'district' | 'street' | 'committee';

export interface ReportDivision extends Named {
  /** The level of the table's rows. */
  areaLevel: AreaLevel;
}

export interface RunNote {
  district: Named;
  month: string;
  state: string;
  stateName: string;
  counted: boolean;
}

export interface MonthlyTable {
  month: string;
  division: ReportDivision;
  /** Paid: programs × areas, totals per area (all programs) and for the scope. */
  programs: ProgramTable<Figures>[];
  byArea: (Named & Figures)[];
  total: Figures;
  /** Whether any counted payroll line exists for the month in the scope. */
  paid: boolean;
  /** 在册: entitlements in force in the month. */
  entitled: {
    programs: ProgramTable<EntitledFigures>[];
    byArea: (Named & EntitledFigures)[];
    total: EntitledFigures;
  };
  runs: RunNote[];
  notes: string[];
}

export interface AnnualTable {
  year: number;
  division: ReportDivision;
  programs: ProgramTable<Figures>[];
  byArea: (Named & Figures)[];
  total: Figures;
  months: MonthPoint[];
  /** Months with no counted run in some district of the scope. */
  monthsWithoutPayroll: string[];
  runs: RunNote[];
  notes: string[];
}

const AREA_LEVEL: Record<AreaLength, AreaLevel> = { 6: 'district', 9: 'street', 12: 'committee' };

/**
 * The scope a table covers: the caller's own, or a division inside it (a drill-down). A division outside
 * the caller's scope, or not in the division table, is not found — never an empty table, which would tell
 * that it exists.
 */
export function reportScope(
  own: DataScope,
  division: string | undefined,
): { scope: DataScope; division: ReportDivision } {
  const code = division ?? (own.kind === 'all' ? '310000' : own.code);
  const known = code === '310000' || divisionIndex().get(code) !== undefined;
  if (
    !/^(310000|\d{6}|\d{9}|\d{12})$/.test(code) ||
    !known ||
    (division !== undefined && !inScope(own, code))
  )
    throw new StatisticsError('not_found', DIVISION_NOT_FOUND);
  const scope = divisionScope(code);
  const length: AreaLength = scope.kind === 'all' ? 6 : code.length === 6 ? 9 : 12;
  return { scope, division: { code, name: divisionName(code), areaLevel: AREA_LEVEL[length] } };
}

function areaLengthOf(division: ReportDivision): AreaLength {
  return division.areaLevel === 'district' ? 6 : division.areaLevel === 'street' ? 9 : 12;
}

export function checkMonth(month: string): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
    throw new StatisticsError('invalid', `月份「${month}」无效，应为 YYYY-MM`);
}

export function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2100)
    throw new StatisticsError('invalid', `年份「${year}」无效，应为 2000–2100 之间的四位年份`);
}

function isCounted(state: string): boolean {
  return (COUNTED_RUN_STATES as readonly string[]).includes(state);
}

async function runNotes(db: Db, scope: DataScope, months: readonly string[]): Promise<RunNote[]> {
  return (await runStates(db, scope, months)).map((r) => ({
    district: { code: r.districtCode, name: divisionName(r.districtCode) },
    month: r.month,
    state: r.state,
    stateName: RUN_STATE_NAMES[r.state as RunState] ?? r.state,
    counted: isCounted(r.state),
  }));
}

/** What a reader must know to read a month's figures: runs not yet approved, none at all, money at the bank. */
function monthNotes(month: string, runs: readonly RunNote[], total: Figures, paid: boolean): string[] {
  const notes: string[] = [];
  const pendingRuns = runs.filter((r) => !r.counted);
  for (const r of pendingRuns)
    notes.push(`${r.district.name}${month} 发放批次尚未审批（${r.stateName}），其明细不计入发放数`);
  if (runs.length === 0) notes.push(`${month} 没有发放批次，下表“在册待遇”为该月有效的待遇`);
  else if (!paid && pendingRuns.length === runs.length)
    notes.push(`${month} 尚无已审批的发放，下表“在册待遇”为该月有效的待遇`);
  if (total.unconfirmedFen !== 0)
    notes.push(
      `已审批的明细中有 ${formatYuan(total.unconfirmedFen)} 元尚待银行回盘，已计入发放数（“其中待银行回盘”）`,
    );
  return notes;
}

export async function monthlyTable(
  db: Db,
  own: DataScope,
  month: string,
  division?: string,
): Promise<MonthlyTable> {
  checkMonth(month);
  const report = reportScope(own, division);
  const length = areaLengthOf(report.division);
  const [paidRows, entitledRows, runs] = await Promise.all([
    paidFigures(db, report.scope, [month], length),
    entitledFigures(db, report.scope, month, length),
    runNotes(db, report.scope, [month]),
  ]);
  const paid = paidTables(paidRows);
  const hasPaid = paidRows.length > 0;
  return {
    month,
    division: report.division,
    ...paid,
    paid: hasPaid,
    entitled: entitledTables(entitledRows),
    runs,
    notes: monthNotes(month, runs, paid.total, hasPaid),
  };
}

export async function annualTable(
  db: Db,
  own: DataScope,
  year: number,
  division?: string,
): Promise<AnnualTable> {
  checkYear(year);
  const report = reportScope(own, division);
  const months = monthsOf(year);
  const [paidRows, runs] = await Promise.all([
    paidFigures(db, report.scope, months, areaLengthOf(report.division)),
    runNotes(db, report.scope, months),
  ]);
  const counted = new Set(runs.filter((r) => r.counted).map((r) => r.month));
  const monthsWithoutPayroll = months.filter((m) => !counted.has(m));
  const notes: string[] = [];
  if (monthsWithoutPayroll.length === 12) notes.push(`${year} 年没有已审批的发放批次`);
  else if (monthsWithoutPayroll.length > 0)
    notes.push(`以下月份没有已审批的发放批次，未计入：${monthsWithoutPayroll.join('、')}`);
  notes.push('户次、人次为各月户数、人数之和；金额按发放月份计（补发、重发计入实际发放的月份）');
  return {
    year,
    division: report.division,
    ...paidTables(paidRows),
    months: monthSeries(year, paidRows),
    monthsWithoutPayroll,
    runs,
    notes,
  };
}
