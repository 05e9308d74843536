/**
 * The bank module's errors (bank files, returns, reconciliation), with stable codes
 * (src/http/plugins/errors.plugin.ts maps them to HTTP in one table). Messages are Chinese; a refused return
 * file lists every problem with its row (`rows`).
 */
export type BankErrorCode = 'not_found' | 'wrong_state' | 'invalid' | 'return_refused' | 'forbidden';

export interface ReturnRowProblem {
  /** The row in the file (1 = the header); 0 for the file as a whole. */
  row: number;
  message: string;
}

export class BankError extends Error {
  readonly code: BankErrorCode;
  readonly rows: readonly ReturnRowProblem[];
  constructor(code: BankErrorCode, message: string, rows: readonly ReturnRowProblem[] = []) {
    super(message);
    this.name = 'BankError';
    this.code = code;
    this.rows = rows;
  }
}

export const RUN_NOT_FOUND = '发放批次不存在或不在您的数据范围内';
