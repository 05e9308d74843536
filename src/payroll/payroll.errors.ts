/**
 * The payroll module's errors (runs, held-line review, recovery items), with stable codes
 * (src/http/plugins/errors.plugin.ts maps them to HTTP in one table). Messages are Chinese and reach the
 * user as they are; `problems` lists every problem at once.
 */
export type PayrollErrorCode =
  'not_found' | 'invalid' | 'month_taken' | 'same_person' | 'held_lines' | 'blocking_findings' | 'conflict';

export class PayrollError extends Error {
  readonly code: PayrollErrorCode;
  readonly problems: readonly string[];
  constructor(code: PayrollErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'PayrollError';
    this.code = code;
    this.problems = problems;
  }
}

export const RUN_NOT_FOUND = '发放批次不存在或不在您的数据范围内';
export const LINE_NOT_FOUND = '发放明细不存在或不在您的数据范围内';
export const RECOVERY_NOT_FOUND = '追缴记录不存在或不在您的数据范围内';
