import { amountMismatch } from './amount_mismatch.rule.ts';
import { payeeDead } from './payee_dead.rule.ts';
import type { ControlRule } from './rule.ts';

/** Every rule a run is checked by, in the order they run (docs/controls.md lists them). */
export const RULES: readonly ControlRule[] = [payeeDead, amountMismatch];

export const RULE_CODES = RULES.map((r) => r.code);

export function ruleOf(code: string): ControlRule | undefined {
  return RULES.find((r) => r.code === code);
}
