import type { PolicyHousehold, PolicyMember } from '../../policy/household.ts';
import {
  PROGRAMS,
  evaluateHousehold,
  isProgramCode,
  type ParameterStore,
  type ProgramCode,
} from '../../policy/index.ts';
import { REPORT_PROGRAMS } from '../purposes.ts';
import type { Conclusion, FigureRow, ProgramConclusion } from './report.types.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/**
 * The engine's conclusion on the verified figures (pure): the household's engine input (the one shape,
 * src/registry/policy-input.service.ts, with the declared figures as they held on the request's date) with
 * every verified figure put in place of the declared one, evaluated for the request's purpose (when it is a
 * program of the engine) and for 低保, 低收入 and 支出型贫困, with explanations.
 */

/** The reason of dibao that its property test failed on the household's money (programs/dibao.ts). */
const ASSET_REASON = 'DIBAO_ASSETS_OVER_LIMIT';

/** The declared input with the verified figures in place (figures without a verified value keep theirs). */
export function verifiedInput(declared: PolicyHousehold, figures: readonly FigureRow[]): PolicyHousehold {
  const byMember = new Map<string, FigureRow[]>();
  let household = { ...declared };
  for (const f of figures) {
    if (f.verified === null) continue;
    if (f.personId === null) {
      if (f.kind === 'monetary_assets') household = { ...household, monetaryAssetsFen: f.verified };
      else if (f.kind === 'homes') household = { ...household, homes: f.verified };
      else if (f.kind === 'vehicles') household = { ...household, vehicles: f.verified };
      continue;
    }
    const list = byMember.get(f.personId) ?? [];
    list.push(f);
    byMember.set(f.personId, list);
  }
  const members = declared.members.map((m): PolicyMember => {
    const rows = byMember.get(m.id);
    if (!rows) return m;
    const out = { ...m };
    for (const f of rows) {
      const v = f.verified!;
      if (f.kind === 'wage') out.wageFen = v;
      else if (f.kind === 'pension') out.pensionFen = v;
      else if (f.kind === 'other_income') out.otherIncomeFen = v;
      else if (f.kind === 'employment') out.employed = v !== 0;
    }
    return out;
  });
  return { ...household, members };
}

/** The programs a report concludes on: the purpose first when it is a program, then 低保, 低收入, 支出型. */
export function conclusionPrograms(purpose: string): ProgramCode[] {
  const own = isProgramCode(purpose) && !REPORT_PROGRAMS.includes(purpose) ? [purpose] : [];
  return [...own, ...REPORT_PROGRAMS];
}

/** The month the engine is asked about: the month of the request's date. */
export function conclusionMonth(asOf: string): string {
  return asOf.slice(0, 7);
}

export interface ConclusionResult {
  conclusion: Conclusion;
  /** The dibao property test failed on the household's money, by the verified figures. */
  assetTestFails: boolean;
}

export function concludeOn(
  input: PolicyHousehold,
  purpose: string,
  asOf: string,
  options: { district: string; parameters?: ParameterStore | undefined },
): ConclusionResult {
  const month = conclusionMonth(asOf);
  const programs = conclusionPrograms(purpose);
  if (input.members.length === 0) {
    // No member counts in the month (a household of another region, or everyone gone): the engine would
    // answer for an empty household — nothing to conclude.
    const error = '核对的成员在该月均不计入本区登记的家庭，无法测算';
    return {
      conclusion: {
        month,
        programs: programs.map((program) => ({
          program,
          name: PROGRAMS[program].name,
          forPurpose: program === purpose,
          eligible: false,
          amountFen: 0,
          reasons: [],
          explanation: '',
          error,
        })),
        warnings: [],
      },
      assetTestFails: false,
    };
  }
  const evaluation = evaluateHousehold(input, month, {
    programs,
    explain: true,
    district: options.district,
    parameters: options.parameters ?? parametersInForce(),
  });
  const warnings = new Set<string>();
  let assetTestFails = false;
  const out: ProgramConclusion[] = evaluation.results.map((r) => {
    for (const w of r.warnings) warnings.add(w.message);
    if (r.program === 'dibao' && r.reasons.some((x) => x.code === ASSET_REASON)) assetTestFails = true;
    return {
      program: r.program,
      name: PROGRAMS[r.program].name,
      forPurpose: r.program === purpose,
      eligible: r.eligible,
      amountFen: r.amountFen,
      reasons: [...new Set(r.reasons.map((x) => x.text))],
      explanation: r.trace?.narrative ?? '',
      ...(r.error ? { error: r.error } : {}),
    };
  });
  return { conclusion: { month, programs: out, warnings: [...warnings] }, assetTestFails };
}
