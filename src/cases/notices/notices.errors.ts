/**
 * Errors of the case notices (stable codes, Chinese messages; src/http/plugins/errors.plugin.ts maps them).
 * `not_issued`: the case has not reached the point where that notice exists (an approval notice of a case
 * still under review).
 */
export type NoticeErrorCode = 'not_found' | 'forbidden' | 'not_issued' | 'invalid';

export class NoticeError extends Error {
  readonly code: NoticeErrorCode;
  constructor(code: NoticeErrorCode, message: string) {
    super(message);
    this.name = 'NoticeError';
    this.code = code;
  }
}
