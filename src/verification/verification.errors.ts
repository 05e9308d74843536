/**
 * The verification module's errors, with stable codes (src/http/errors.ts maps them to HTTP in one table).
 * Messages are Chinese and reach the user as they are; `problems` lists every problem found at once.
 */
export type VerificationErrorCode =
  | 'not_found'
  | 'invalid'
  | 'authorisation_missing'
  | 'authorisation_expired'
  | 'objection_late'
  | 'same_officer'
  | 'unknown_request'
  | 'malformed_answer'
  | 'package_refused'
  | 'source_failed';

export class VerificationError extends Error {
  readonly code: VerificationErrorCode;
  readonly problems: readonly string[];
  constructor(code: VerificationErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'VerificationError';
    this.code = code;
    this.problems = problems;
  }
}

export const REQUEST_NOT_FOUND = '核对委托不存在或不在您的数据范围内';
