import { sql, type SQL } from 'drizzle-orm';
import { PROGRAM_CODES, PROGRAMS } from '../../policy/index.ts';
import type { ParameterStore } from '../../policy/index.ts';

/**
 * 内控规则: each rule is a small module (`<code>.rule.ts`) with a code, a severity, a Chinese name and
 * description, and one set-based SELECT over the run's payroll lines joined with what it needs. The
 * SELECT yields one row per finding with the columns of `FindingColumns`; controls.repository.ts wraps it
 * in the one INSERT … SELECT … ON CONFLICT that files findings (idempotent by rule and subject).
 *
 * Rules read other modules' tables in SQL (registry, entitlements, cases, relatives, verification,
 * payroll): the internal-control platform sees everything, by design (docs/controls.md). They never import
 * another module's schema.ts and never write another module's rows.
 */

export type Severity = 'blocking' | 'warning';

export const SEVERITY_NAMES: Record<Severity, string> = { blocking: '阻断', warning: '提示' };

/** What a rule's SELECT is run for: one district's run of one month. */
export interface RunCheck {
  districtCode: string;
  runId: string;
  /** `YYYY-MM`. */
  month: string;
  /** First and last day of the month (ISO dates). */
  monthStart: string;
  monthEnd: string;
  /** The district's parameters in force. */
  parameters: ParameterStore;
}

/**
 * The columns a rule's SELECT yields, in this order: subject_kind, subject_key, line_no, payable_id,
 * person_id, household_id, case_id, description. `subject_key` must not depend on the run id (a recomputed
 * run meets the same findings) and must be unique per row of one rule.
 */
export const FINDING_COLUMNS = [
  'subject_kind',
  'subject_key',
  'line_no',
  'payable_id',
  'person_id',
  'household_id',
  'case_id',
  'description',
] as const;

export interface ControlRule {
  readonly code: string;
  readonly severity: Severity;
  /** Short Chinese name (lists, filters). */
  readonly name: string;
  /** What the rule checks, in Chinese. */
  readonly description: string;
  select(check: RunCheck): SQL;
}

export function defineRule<R extends ControlRule>(rule: R): R {
  if (!/^[a-z_]+$/.test(rule.code)) throw new Error(`rule code ${rule.code}`);
  return rule;
}

/** `amount` (integer fen) as 元 with two decimals, in SQL, with integer arithmetic only. */
export function yuan(amount: SQL): SQL {
  return sql`(case when (${amount}) < 0 then '-' else '' end || (abs(${amount}) / 100)::text || '.' || lpad((abs(${amount}) % 100)::text, 2, '0'))`;
}

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const WHENS = PROGRAM_CODES.map((p) => `when ${literal(p)} then ${literal(PROGRAMS[p].name)}`).join(' ');

/** A program code as its Chinese name, in SQL (the names are constants of the engine). */
export function programName(code: SQL): SQL {
  return sql`(case ${code} ${sql.raw(WHENS)} else ${code} end)`;
}

/** A constant text → text mapping as a SQL CASE over `code` (constants only: written as literals). */
export function caseOf(code: SQL, names: Readonly<Record<string, string>>): SQL {
  const whens = Object.entries(names)
    .map(([k, v]) => `when ${literal(k)} then ${literal(v)}`)
    .join(' ');
  return sql`(case ${code} ${sql.raw(whens)} else ${code} end)`;
}

/** The last four characters of an ID or account number, the only part a finding shows. */
export function tail4(value: SQL): SQL {
  return sql`right(${value}, 4)`;
}

/** Household members whose membership overlaps the month (alias `m`; joined on `household`). */
export function membersInMonth(check: RunCheck, m: string): SQL {
  const a = sql.raw(m);
  return sql`${a}.valid_from <= ${check.monthEnd}::date and (${a}.valid_to is null or ${a}.valid_to >= ${check.monthStart}::date)`;
}

/** The subject key of a line: what it pays (payable, period, kind) in the run's month. */
export function lineKey(check: RunCheck, alias: string): SQL {
  const a = sql.raw(alias);
  return sql`(${check.month}::text || '|' || ${a}.payable_id::text || '|' || ${a}.period || '|' || ${a}.kind)`;
}

/** The run's lines that pay (held lines included: a finding is what the reviewer needs to see). */
export function runLines(check: RunCheck, alias: string): SQL {
  const a = sql.raw(alias);
  return sql`${a}.district_code = ${check.districtCode} and ${a}.run_id = ${check.runId}::uuid
    and ${a}.state <> 'excluded'`;
}
