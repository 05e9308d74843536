/**
 * The close-relative module's errors, with stable codes (errors.plugin.ts maps them to HTTP). Messages are
 * Chinese and reach the user as they are; `problems` lists every problem of the input at once.
 */
export type RelativesErrorCode =
  'not_found' | 'invalid' | 'not_linked' | 'already_linked' | 'duplicate' | 'forbidden';

export class RelativesError extends Error {
  readonly code: RelativesErrorCode;
  readonly problems: readonly string[];
  constructor(code: RelativesErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'RelativesError';
    this.code = code;
    this.problems = problems;
  }
}

export const STAFF_NOT_FOUND = '工作人员不存在或不在您的数据范围内';
export const DECLARATION_NOT_FOUND = '近亲属备案不存在或不在您的数据范围内';
export const NOT_LINKED = '您尚未关联本人的人员信息，请先填写本人身份证号';
