/**
 * The case module's errors, with stable codes (src/http/plugins/errors.plugin.ts maps them to HTTP in one
 * table). Messages are Chinese and reach the user as they are; `problems` lists every problem found at once.
 */
export type CasesErrorCode = 'not_found' | 'invalid' | 'forbidden' | 'relative_conflict';

export class CasesError extends Error {
  readonly code: CasesErrorCode;
  readonly problems: readonly string[];
  constructor(code: CasesErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'CasesError';
    this.code = code;
    this.problems = problems;
  }
}

export const CASE_NOT_FOUND = '救助申请不存在或不在您的数据范围内';
