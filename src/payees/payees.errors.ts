/**
 * The payee accounts module's errors, with stable codes (src/http/plugins/errors.plugin.ts maps them to HTTP
 * in one table). Messages are Chinese; `problems` lists every problem at once.
 */
export type PayeeErrorCode = 'not_found' | 'invalid' | 'forbidden' | 'conflict';

export class PayeeError extends Error {
  readonly code: PayeeErrorCode;
  readonly problems: readonly string[];
  constructor(code: PayeeErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'PayeeError';
    this.code = code;
    this.problems = problems;
  }
}

export const PERSON_NOT_FOUND = '人员不存在或不在您的数据范围内';
export const ACCOUNT_NOT_FOUND = '收款账户不存在或不在您的数据范围内';
