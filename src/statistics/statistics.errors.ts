/**
 * The statistics module's errors, with stable codes (src/http/plugins/errors.plugin.ts maps them to HTTP in
 * one table). Messages are Chinese and reach the user as they are.
 */
export type StatisticsErrorCode = 'not_found' | 'invalid';

export class StatisticsError extends Error {
  readonly code: StatisticsErrorCode;
  constructor(code: StatisticsErrorCode, message: string) {
    super(message);
    this.name = 'StatisticsError';
    this.code = code;
  }
}

export const DIVISION_NOT_FOUND = '区划不存在或不在您的数据范围内';
