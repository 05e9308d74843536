import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { populationFigures } from '../registry/figures.service.ts';
import { compositionFigures, type CompositionRow } from './annual-report.repository.ts';
import { annualTable, checkYear, reportScope, type ReportDivision } from './statistics.service.ts';
import { monthsOf, programName, type Named } from './statistics.tables.ts';

/**
 * 年度统计报告 (issue 12 item 4; docs/statistics.md, "年度统计报告"): the statistics section of the bureau's
 * yearbook (seed 000) for a scope and year, as data — 生活救助 with the 低保 composition, 粮油帮困, 特困供养,
 * 医疗救助 (not yet held), 临时救助, the elderly by age band and disability by category. Rendered by
 * annual-report.document.ts (PDF) and annual-report.xlsx.ts. Shares are integers in 万分之一 (basis points,
 * rounded half up) beside the exact part and whole: no floating point in a figure.
 */

/** The programs of 生活救助, in the order of the yearbook's composition chart. */
export const LIVELIHOOD_PROGRAMS = [
  'dibao',
  'severe_disability_unemployed',
  'traditional',
  'tekun',
  'rigid_expense',
] as const;

export type CompositionKey = 'unemployed' | 'employed' | 'severe_disability' | 'traditional_tekun' | 'rigid';

/** The composition's parts, with seed 000's names; how each is read from the data is in `definition`. */
export const COMPOSITION_PARTS: readonly { key: CompositionKey; name: string; definition: string }[] = [
  {
    key: 'unemployed',
    name: '失、无业低保家庭人数',
    definition: '领取低保（dibao）的家庭中，当月没有在户成员登记为就业的，其在户成员人次',
  },
  {
    key: 'employed',
    name: '有从业人员的低保家庭人数',
    definition: '领取低保的家庭中，当月至少一名在户成员登记为就业的，其在户成员人次',
  },
  {
    key: 'severe_disability',
    name: '重残无业人员',
    definition: '领取重残无业人员生活救助（severe_disability_unemployed）的人次',
  },
  {
    key: 'traditional_tekun',
    name: '传统民政对象及特困人员',
    definition: '领取传统民政对象定期定量补助（traditional）或特困人员救助供养（tekun）的人次',
  },
  {
    key: 'rigid',
    name: '因病支出型贫困家庭人数',
    definition: '领取支出型贫困家庭生活救助（rigid_expense）的家庭在户成员人次',
  },
];

export interface ProgramYear extends Named {
  /** 户次 and 人次: sums over the year's months, as the annual table. */
  households: number;
  persons: number;
  amountFen: number;
}

export interface Share {
  part: number;
  whole: number;
  /** part / whole in 万分之一 (64.56 % is 6456), rounded half up; 0 when the whole is 0. */
  basisPoints: number;
}

export interface AnnualReport {
  year: number;
  division: ReportDivision;
  livelihood: {
    programs: ProgramYear[];
    total: ProgramYear;
    composition: (Share & { key: CompositionKey; name: string; households: number })[];
  };
  grainOil: ProgramYear;
  tekun: ProgramYear;
  medical: { held: false; note: string };
  temporary: ProgramYear;
  elderly: {
    asOf: string;
    /** Whose ages: every person registered in the scope (the registry's residents), not 户籍 alone. */
    basis: 'registered';
    aged60plus: number;
    persons: number;
    bands: (Share & { band: string })[];
  };
  disability: { asOf: string; total: number; byCategory: (Share & { category: number; name: string })[] };
  notes: string[];
}

export function basisPoints(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.floor((part * 10000 * 2 + whole) / (whole * 2));
}

export const share = (part: number, whole: number): Share => ({
  part,
  whole,
  basisPoints: basisPoints(part, whole),
});

/** 6456 → "64.56%" (integer arithmetic). */
export function percent(bp: number): string {
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`;
}

/** The five parts from the rows of compositionFigures, shares of their sum. */
export function composition(rows: readonly CompositionRow[]): AnnualReport['livelihood']['composition'] {
  const sums = new Map<CompositionKey, { persons: number; households: number }>();
  const add = (key: CompositionKey, r: CompositionRow) => {
    const s = sums.get(key) ?? { persons: 0, households: 0 };
    sums.set(key, { persons: s.persons + r.persons, households: s.households + r.households });
  };
  for (const r of rows) {
    if (r.program === 'dibao') add(r.employed ? 'employed' : 'unemployed', r);
    else if (r.program === 'severe_disability_unemployed') add('severe_disability', r);
    else if (r.program === 'traditional' || r.program === 'tekun') add('traditional_tekun', r);
    else if (r.program === 'rigid_expense') add('rigid', r);
  }
  const whole = [...sums.values()].reduce((a, s) => a + s.persons, 0);
  return COMPOSITION_PARTS.map(({ key, name }) => {
    const s = sums.get(key) ?? { persons: 0, households: 0 };
    return { key, name, households: s.households, ...share(s.persons, whole) };
  });
}

export async function annualReport(
  db: Db,
  own: DataScope,
  year: number,
  division?: string,
): Promise<AnnualReport> {
  checkYear(year);
  const report = reportScope(own, division);
  const asOf = `${year}-12-31`;
  const [table, rows, population] = await Promise.all([
    annualTable(db, own, year, division),
    compositionFigures(db, report.scope, monthsOf(year), LIVELIHOOD_PROGRAMS),
    populationFigures(db, report.scope, asOf),
  ]);
  const programYear = (code: string): ProgramYear => {
    const t = table.programs.find((p) => p.program.code === code)?.total;
    return {
      code,
      name: programName(code),
      households: t?.households ?? 0,
      persons: t?.persons ?? 0,
      amountFen: t?.amountFen ?? 0,
    };
  };
  const livelihood = LIVELIHOOD_PROGRAMS.map(programYear);
  const e = population.elderly;
  return {
    year,
    division: report.division,
    livelihood: {
      programs: livelihood,
      total: livelihood.reduce<ProgramYear>(
        (t, p) => ({
          ...t,
          households: t.households + p.households,
          persons: t.persons + p.persons,
          amountFen: t.amountFen + p.amountFen,
        }),
        { code: '', name: '合计', households: 0, persons: 0, amountFen: 0 },
      ),
      composition: composition(rows),
    },
    grainOil: programYear('grain_oil'),
    tekun: programYear('tekun'),
    medical: { held: false, note: '医疗救助数据尚未接入本系统，本节暂缺。' },
    temporary: programYear('temporary'),
    elderly: {
      asOf,
      basis: 'registered',
      aged60plus: e.aged60plus,
      persons: population.persons,
      bands: e.bands.map((b) => ({ band: b.band, ...share(b.count, e.aged60plus) })),
    },
    disability: {
      asOf,
      total: population.disability.total,
      byCategory: population.disability.byCategory.map((c) => ({
        category: c.category,
        name: c.name,
        ...share(c.count, population.disability.total),
      })),
    },
    notes: [
      ...table.notes,
      '低保构成中的“就业”为人员当前登记的就业情况（登记系统不保存就业情况的历史），以往年度按现时情况划分。',
      `老年人口、残疾人口为 ${asOf} 登记在册（含非本市户籍）人员，不是户籍人口口径；户籍人口的年龄分组尚未单独统计。`,
    ],
  };
}
