/**
 * The controls module's errors, with stable codes (src/http/plugins/errors.plugin.ts maps them to HTTP in one
 * table). Messages are Chinese and reach the user as they are.
 */
export type ControlErrorCode = 'not_found' | 'invalid' | 'forbidden';

export class ControlError extends Error {
  readonly code: ControlErrorCode;
  readonly problems: readonly string[];
  constructor(code: ControlErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'ControlError';
    this.code = code;
    this.problems = problems;
  }
}

export const FINDING_NOT_FOUND = '内控发现不存在或不在您的数据范围内';
