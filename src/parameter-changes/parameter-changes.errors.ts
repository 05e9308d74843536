/**
 * The parameter-changes module's errors, with stable codes (src/http/plugins/errors.plugin.ts maps them to
 * HTTP in one table). Messages are Chinese and reach the user as they are.
 */
export type ParameterChangeErrorCode =
  'not_found' | 'unknown_parameter' | 'invalid' | 'before_first_value' | 'forbidden' | 'same_officer';

export class ParameterChangeError extends Error {
  readonly code: ParameterChangeErrorCode;
  readonly problems: readonly string[];
  constructor(code: ParameterChangeErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'ParameterChangeError';
    this.code = code;
    this.problems = problems;
  }
}

/** Refusals the audit log keeps (who tried what): the platform audits refused attempts. */
export const AUDITED_REFUSALS: readonly ParameterChangeErrorCode[] = [
  'unknown_parameter',
  'invalid',
  'before_first_value',
  'forbidden',
  'same_officer',
];

export const CHANGE_NOT_FOUND = '参数调整记录不存在或不在您的数据范围内';
