/**
 * The adviser module's errors, with stable codes (errors.plugin.ts maps them to HTTP in one table).
 * Messages are Chinese and reach the user as they are; `problems` lists every problem found at once.
 */
export type AdviserErrorCode = 'not_found' | 'invalid' | 'not_assigned' | 'already_assigned';

export class AdviserError extends Error {
  readonly code: AdviserErrorCode;
  readonly problems: readonly string[];
  constructor(code: AdviserErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'AdviserError';
    this.code = code;
    this.problems = problems;
  }
}

export const HOUSEHOLD_NOT_FOUND = '家庭户不存在或不在您的数据范围内';
export const RECORD_NOT_FOUND = '记录不存在或不在您的数据范围内';

/** Every problem of an input at once; nothing is written. */
export function refuseInvalid(problems: readonly string[]): void {
  if (problems.length === 0) return;
  throw new AdviserError('invalid', problems.join('；'), problems);
}
