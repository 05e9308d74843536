import { download, http } from './request.ts';

/** 统计报表: the console's calls (src/http/routes/statistics-tables.routes.ts); the shapes are its response schemas. */

export type AreaLevel = 'district' | 'street' | 'committee';

export interface Named {
  code: string;
  name: string;
}

export interface Figures {
  households: number;
  persons: number;
  amountFen: number;
  arrearsFen: number;
  carriedFen: number;
  offsetFen: number;
  unconfirmedFen: number;
}

export interface EntitledFigures {
  households: number;
  persons: number;
  entitlements: number;
  amountFen: number;
}

export interface ProgramTable<F> {
  program: Named;
  rows: (Named & F)[];
  total: F;
}

export interface ReportDivision extends Named {
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
  programs: ProgramTable<Figures>[];
  byArea: (Named & Figures)[];
  total: Figures;
  paid: boolean;
  entitled: {
    programs: ProgramTable<EntitledFigures>[];
    byArea: (Named & EntitledFigures)[];
    total: EntitledFigures;
  };
  runs: RunNote[];
  notes: string[];
}

export interface MonthPoint extends Figures {
  month: string;
  programs: { code: string; households: number; persons: number; amountFen: number }[];
}

export interface AnnualTable {
  year: number;
  division: ReportDivision;
  programs: ProgramTable<Figures>[];
  byArea: (Named & Figures)[];
  total: Figures;
  months: MonthPoint[];
  monthsWithoutPayroll: string[];
  runs: RunNote[];
  notes: string[];
}

export const statisticsApi = {
  monthly: (month: string, division?: string) =>
    http.get<MonthlyTable>('/api/statistics/monthly', { month, division }),
  annual: (year: number, division?: string) =>
    http.get<AnnualTable>('/api/statistics/annual', { year: String(year), division }),
  monthlyXlsx: (month: string, division?: string) =>
    download('/api/statistics/monthly.xlsx', { month, division }, `统计月报-${month}.xlsx`),
  annualXlsx: (year: number, division?: string) =>
    download('/api/statistics/annual.xlsx', { year: String(year), division }, `统计年报-${year}.xlsx`),
  /** 年度统计报告 (seed 000's statistics section) as a PDF or a workbook. */
  reportFile: (year: number, format: 'pdf' | 'xlsx', division?: string) =>
    download(
      `/api/statistics/report.${format}`,
      { year: String(year), division },
      `年度统计报告-${year}.${format}`,
    ),
};
