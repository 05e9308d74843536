/** The follow-up tasks module's errors (mapped to HTTP in src/http/plugins/errors.plugin.ts). */
export type TaskErrorCode = 'not_found' | 'invalid' | 'forbidden' | 'conflict';

export class TaskError extends Error {
  readonly code: TaskErrorCode;
  constructor(code: TaskErrorCode, message: string) {
    super(message);
    this.name = 'TaskError';
    this.code = code;
  }
}

export const TASK_NOT_FOUND = '待办不存在或不在您的数据范围内';
