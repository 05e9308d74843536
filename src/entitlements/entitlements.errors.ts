/**
 * The entitlements module's errors, with stable codes (src/http/plugins/errors.plugin.ts maps them to HTTP in
 * one table). Messages are Chinese and reach the user as they are; `problems` lists every problem at once.
 */
export type EntitlementErrorCode =
  | 'not_found'
  | 'invalid'
  | 'report_missing'
  | 'report_stale'
  | 'engine_denies'
  | 'decided'
  | 'not_prepared'
  | 'conflict';

export class EntitlementError extends Error {
  readonly code: EntitlementErrorCode;
  readonly problems: readonly string[];
  constructor(code: EntitlementErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'EntitlementError';
    this.code = code;
    this.problems = problems;
  }
}

export const CASE_NOT_FOUND = '救助申请不存在或不在您的数据范围内';
export const ENTITLEMENT_NOT_FOUND = '待遇记录不存在或不在您的数据范围内';
