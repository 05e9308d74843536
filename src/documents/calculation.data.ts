import { parseMonth } from '../policy/engine/month.ts';
import { memberLabels } from '../policy/engine/narrative.ts';
import type { ParameterRead, ParameterWarning } from '../policy/engine/resolved-params.ts';
import type { PolicyHousehold } from '../policy/household.ts';
import {
  evaluateHousehold,
  listParameters,
  PROGRAMS,
  type ProgramCode,
  type ProgramResult,
} from '../policy/index.ts';
import { parametersInForce } from '../parameter-changes/parameters-in-force.ts';

/**
 * 测算单: the calculator's answer for one household and month, gathered for the template
 * (calculation.document.ts): the input as the engine read it (defaults filled in), every program's
 * result with its reasons and explanation, and the parameters the results used with their dates,
 * statuses and sources. Pure: the caller validated the input and read any registered household.
 */
export interface CalculationMember {
  id: string;
  /** How the document names the member: 张三（户主）, or 第2名成员（10岁） for a household typed in. */
  label: string;
  member: PolicyHousehold['members'][number];
}

export interface ProgramLine {
  program: ProgramCode;
  name: string;
  outcome: 'eligible' | 'ineligible' | 'error';
  amountFen: number;
  /** Per-member amounts of a person-level program (members who receive something). */
  members: { label: string; amountFen: number }[];
  /** Why (eligible: what qualified it; ineligible: what decided it; error: what was missing). */
  reason: string;
  /** The engine's explanation, when it gave one. */
  narrative: string | null;
  warnings: readonly ParameterWarning[];
}

export interface ParameterLine extends ParameterRead {
  description: string;
}

export interface CalculationData {
  month: string;
  /** The day the document was produced (today in Shanghai). */
  asOf: string;
  /** Where the household came from: typed into the calculator, or read from the registry. */
  source: { kind: 'manual' } | { kind: 'registered'; householdNo: string; address: string };
  household: PolicyHousehold;
  members: CalculationMember[];
  programs: ProgramLine[];
  totalFen: number;
  /** Parameters read by the programs the household qualifies for, once each. */
  parameters: ParameterLine[];
  /** Warnings of those programs, once per parameter. */
  warnings: ParameterWarning[];
}

/** "张三、李四：text" per distinct text (first-seen order); a reason all members share is said once. */
function grouped(result: ProgramResult, label: (id: string) => string, onlyFirstPerMember: boolean): string {
  const seen = new Set<string | undefined>();
  const reasons = onlyFirstPerMember
    ? result.reasons.filter((r) => !seen.has(r.memberId) && seen.add(r.memberId) !== undefined)
    : result.reasons;
  const byText = new Map<string, string[]>();
  for (const reason of reasons) {
    const who = byText.get(reason.text) ?? [];
    if (reason.memberId !== undefined) who.push(label(reason.memberId));
    byText.set(reason.text, who);
  }
  const members = Object.keys(result.byMember ?? {}).length;
  return [...byText]
    .map(([text, who]) => {
      const names = [...new Set(who)];
      if (names.length === 0) return text;
      if (members > 1 && names.length === members) return `${text}（全部${members}名成员）`;
      return `${names.join('、')}：${text}`;
    })
    .join('；');
}

function lineOf(result: ProgramResult, label: (id: string) => string): ProgramLine {
  const name = PROGRAMS[result.program].name;
  const narrative = result.trace?.narrative ?? null;
  if (result.error) {
    return {
      program: result.program,
      name,
      outcome: 'error',
      amountFen: 0,
      members: [],
      reason: result.error,
      narrative,
      warnings: result.warnings,
    };
  }
  const paid = Object.entries(result.byMember ?? {}).filter(([, fen]) => fen > 0);
  if (result.eligible) {
    const paidIds = new Set(paid.map(([id]) => id));
    const own = result.reasons.filter((r) => r.memberId === undefined || paidIds.has(r.memberId));
    const why = own.length > 0 ? { ...result, reasons: own, byMember: {} } : result;
    return {
      program: result.program,
      name,
      outcome: 'eligible',
      amountFen: result.amountFen,
      members: paid.map(([id, fen]) => ({ label: label(id), amountFen: fen })),
      reason: grouped(why, label, true) || '符合条件',
      narrative,
      warnings: result.warnings,
    };
  }
  return {
    program: result.program,
    name,
    outcome: 'ineligible',
    amountFen: 0,
    members: [],
    reason: grouped(result, label, true) || '不符合条件',
    narrative,
    warnings: result.warnings,
  };
}

/**
 * Evaluates a validated household (explanations on) and shapes what the 测算单 shows. `names` overrides
 * how members are called (a registered household: name and relation); by default the engine's own labels.
 */
export function gatherCalculation(input: {
  month: string;
  asOf: string;
  household: PolicyHousehold;
  source: CalculationData['source'];
  names?: Readonly<Record<string, string>>;
  /** Only these programs (the calculator's `programs`); default all. */
  programs?: readonly ProgramCode[];
  /** A registered household's district (its own 区级参数 replace the city's). */
  district?: string;
}): CalculationData {
  const { month, household } = input;
  const engineLabel = memberLabels(household.members, parseMonth(month));
  const label = (id: string) => input.names?.[id] ?? engineLabel(id);
  const evaluation = evaluateHousehold(household, month, {
    explain: true,
    parameters: parametersInForce(),
    ...(input.programs ? { programs: input.programs } : {}),
    ...(input.district ? { district: input.district } : {}),
  });
  const programs = evaluation.results.map((r) => lineOf(r, label));
  const eligible = evaluation.results.filter((r) => r.eligible && !r.error);

  const descriptions = new Map(
    listParameters(month, parametersInForce()).map((p) => [p.path, p.description]),
  );
  const parameters = new Map<string, ParameterLine>();
  const warnings = new Map<string, ParameterWarning>();
  for (const result of eligible) {
    for (const read of result.trace?.parameters ?? []) {
      if (!parameters.has(read.parameter))
        parameters.set(read.parameter, { ...read, description: descriptions.get(read.parameter) ?? '' });
    }
    for (const warning of result.warnings)
      if (!warnings.has(warning.parameter)) warnings.set(warning.parameter, warning);
  }
  return {
    month,
    asOf: input.asOf,
    source: input.source,
    household,
    members: household.members.map((member) => ({ id: member.id, label: label(member.id), member })),
    programs: [
      ...programs.filter((p) => p.outcome === 'eligible'),
      ...programs.filter((p) => p.outcome === 'ineligible'),
      ...programs.filter((p) => p.outcome === 'error'),
    ],
    totalFen: eligible.reduce((sum, r) => sum + r.amountFen, 0),
    parameters: [...parameters.values()],
    warnings: [...warnings.values()],
  };
}
