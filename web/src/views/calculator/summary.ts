import type { CalcResponse, CalcWarning, Program, ProgramResult, Reason } from '../../api/types.ts';

/**
 * The calculator's answer as a caseworker reads it: the programs the household qualifies for first, each
 * with its monthly amount and one sentence why; then those it does not, each with the one reason that
 * decided it; programs that could not be computed apart. Members are named by `label` (name, or relation
 * and age), never by the id the engine keys them with.
 */
export type MemberLabeler = (memberId: string) => string;

export interface EligibleProgram {
  program: string;
  name: string;
  amountFen: number;
  why: string;
  /** Per-member amounts of a person-level program (only members who receive something). */
  members: { label: string; amountFen: number }[];
  warnings: CalcWarning[];
  result: ProgramResult;
}

export interface OtherProgram {
  program: string;
  name: string;
  reason: string;
}

export interface CalcSummary {
  eligible: EligibleProgram[];
  ineligible: OtherProgram[];
  failed: OtherProgram[];
  totalFen: bigint;
}

export function warningText(warning: CalcWarning): string {
  if (typeof warning === 'string') return warning;
  return warning.message ?? warning.text ?? [warning.parameter, warning.status].filter(Boolean).join('：');
}

/** "3 项参数来源待核实" with the list for the tooltip. */
export function warningSummary(warnings: CalcWarning[]): { label: string; lines: string[] } | null {
  if (warnings.length === 0) return null;
  return { label: `${warnings.length} 项参数非正式来源`, lines: warnings.map(warningText) };
}

function errorText(result: ProgramResult): string {
  if (!result.error) return '';
  return typeof result.error === 'string' ? result.error : result.error.message;
}

/**
 * "张三、李四：text" per distinct text, in first-seen order; household-level reasons stand alone, and a
 * reason every member of a household of several shares is said once for all (`members`: the count).
 */
function grouped(reasons: readonly Reason[], label: MemberLabeler, members: number): string {
  const byText = new Map<string, string[]>();
  for (const reason of reasons) {
    const who = byText.get(reason.text) ?? [];
    if (reason.memberId !== undefined) who.push(label(reason.memberId));
    byText.set(reason.text, who);
  }
  return [...byText]
    .map(([text, who]) => {
      const names = [...new Set(who)];
      if (names.length === 0) return text;
      if (members > 1 && names.length === members) return `${text}（全部${members}名成员）`;
      return names.length > 3 ? `${names.length}名成员：${text}` : `${names.join('、')}：${text}`;
    })
    .join('；');
}

const memberCount = (result: ProgramResult) => Object.keys(result.byMember ?? {}).length;

/** The first reason of each member (a person-level program), or of the household. */
function firstReasons(reasons: readonly Reason[]): Reason[] {
  const seen = new Set<string | undefined>();
  return reasons.filter((reason) => {
    if (seen.has(reason.memberId)) return false;
    seen.add(reason.memberId);
    return true;
  });
}

function whyEligible(result: ProgramResult, label: MemberLabeler): string {
  const paid = new Set(
    Object.entries(result.byMember ?? {})
      .filter(([, fen]) => fen > 0)
      .map(([id]) => id),
  );
  const own = result.reasons.filter((reason) => reason.memberId === undefined || paid.has(reason.memberId));
  // Who receives it is named even when everyone does: the amounts are theirs.
  return grouped(firstReasons(own.length > 0 ? own : result.reasons), label, 0) || '符合条件';
}

function decidingReason(result: ProgramResult, label: MemberLabeler): string {
  return grouped(firstReasons(result.reasons), label, memberCount(result)) || '不符合条件';
}

export function summarise(response: CalcResponse, programs: Program[], label: MemberLabeler): CalcSummary {
  const names = new Map(programs.map((program) => [program.code, program.name]));
  const nameOf = (code: string) => names.get(code) ?? code;
  const summary: CalcSummary = { eligible: [], ineligible: [], failed: [], totalFen: 0n };
  for (const result of response.results) {
    const name = nameOf(result.program);
    if (result.error) {
      summary.failed.push({ program: result.program, name, reason: errorText(result) });
    } else if (result.eligible) {
      summary.totalFen += BigInt(result.amountFen);
      summary.eligible.push({
        program: result.program,
        name,
        amountFen: result.amountFen,
        why: whyEligible(result, label),
        members: Object.entries(result.byMember ?? {})
          .filter(([, fen]) => fen > 0)
          .map(([id, fen]) => ({ label: label(id), amountFen: fen })),
        warnings: result.warnings,
        result,
      });
    } else {
      summary.ineligible.push({ program: result.program, name, reason: decidingReason(result, label) });
    }
  }
  return summary;
}
