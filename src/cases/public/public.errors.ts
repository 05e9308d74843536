/**
 * Errors of the public side (src/http/plugins/errors.plugin.ts maps them). Messages are Chinese and reach
 * the resident as they are. `not_found` is one message for an unknown code and a wrong pair alike.
 */
export type PublicErrorCode = 'invalid' | 'outside_district' | 'not_found' | 'rate_limited' | 'forbidden';

export interface PublicProblem {
  field: string;
  reason: string;
}

export class PublicError extends Error {
  readonly code: PublicErrorCode;
  readonly problems: readonly PublicProblem[];
  /** Seconds until the caller may try again (rate_limited). */
  readonly retryAfter: number | undefined;
  constructor(
    code: PublicErrorCode,
    message: string,
    options: { problems?: readonly PublicProblem[]; retryAfter?: number } = {},
  ) {
    super(message);
    this.name = 'PublicError';
    this.code = code;
    this.problems = options.problems ?? [];
    this.retryAfter = options.retryAfter;
  }
}

export const STATUS_NOT_FOUND = '未查到办理记录，请核对受理回执编号（或申请编号）和身份证号';
