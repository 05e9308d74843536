import type { ProgramCode } from '../../policy/index.ts';

/**
 * 资金来源: the fund a program's payments are drawn from, named in the ledger's fund account
 * (`fund:<program>:<source>`, accounts.ts). A code table, not a parameter: the parameter store holds dated
 * numbers (src/policy/engine/parameter-store.ts), not codes, and a source changes only with how a program is
 * financed. Seed 001 (区级统发, 2019): the district bureau pays every social-assistance fund centrally
 * through its internal-control platform, so every program is drawn from the district's 统发 account; a split
 * by level of government (市/区 shares) is not in the seeds and would be a new source code here.
 */
export interface FundingSource {
  readonly code: string;
  readonly name: string;
  readonly from: string;
  readonly source: string;
}

const DISTRICT: FundingSource = {
  code: 'district',
  name: '区级统发资金',
  from: '2019-01',
  source: 'seed 001：2019 年起区级统发，民政资金内控监管平台统一发放（000 号种子第 164–174 行）',
};

export const FUNDING_SOURCES: Readonly<Record<ProgramCode, readonly FundingSource[]>> = {
  dibao: [DISTRICT],
  dibao_edge: [DISTRICT],
  rigid_expense: [DISTRICT],
  temporary: [DISTRICT],
  tekun: [DISTRICT],
  severe_disability_unemployed: [DISTRICT],
  renovation: [DISTRICT],
  traditional: [DISTRICT],
  rural_youth: [DISTRICT],
  anhui_resettled: [DISTRICT],
  kunjing_child: [DISTRICT],
  orphan: [DISTRICT],
  elderly_allowance: [DISTRICT],
  grain_oil: [DISTRICT],
  price_subsidy: [DISTRICT],
};

/** The program's funding source for a month (the latest entry from on or before it; the first otherwise). */
export function fundingSourceOf(program: string, month: string): FundingSource {
  const entries = FUNDING_SOURCES[program as ProgramCode] ?? [DISTRICT];
  let found = entries[0] ?? DISTRICT;
  for (const e of entries) if (e.from <= month) found = e;
  return found;
}

/** A source's Chinese name (the code itself if unknown). */
export function fundingSourceName(code: string): string {
  for (const entries of Object.values(FUNDING_SOURCES)) {
    const found = entries.find((e) => e.code === code);
    if (found) return found.name;
  }
  return code;
}
