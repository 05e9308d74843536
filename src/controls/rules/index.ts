import { amountMismatch } from './amount_mismatch.rule.ts';
import { assetsOverLimit } from './assets_over_limit.rule.ts';
import { duplicateId } from './duplicate_id.rule.ts';
import { noBasis } from './no_basis.rule.ts';
import { overCeiling } from './over_ceiling.rule.ts';
import { payeeDead } from './payee_dead.rule.ts';
import { recheckIneligible } from './recheck_ineligible.rule.ts';
import type { ControlRule } from './rule.ts';
import { selfApproved } from './self_approved.rule.ts';
import { sharedAccount } from './shared_account.rule.ts';
import { staffRelative } from './staff_relative.rule.ts';

/** Every rule a run is checked by, in the order they run (docs/controls.md lists them). */
export const RULES: readonly ControlRule[] = [
  payeeDead,
  duplicateId,
  selfApproved,
  staffRelative,
  amountMismatch,
  noBasis,
  sharedAccount,
  assetsOverLimit,
  overCeiling,
  recheckIneligible,
];

export const RULE_CODES = RULES.map((r) => r.code);

export function ruleOf(code: string): ControlRule | undefined {
  return RULES.find((r) => r.code === code);
}
