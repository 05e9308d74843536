/**
 * The job runner's errors, with stable codes (mapped to HTTP in src/http/plugins/errors.plugin.ts).
 * Messages are Chinese: they reach the user as they are. A wrong state (cancelling a finished job) is a
 * ConflictError from the workflow core.
 */
export type JobErrorCode = 'invalid_payload' | 'unknown_kind' | 'not_found' | 'forbidden';

export class JobError extends Error {
  readonly code: JobErrorCode;
  constructor(code: JobErrorCode, message: string) {
    super(message);
    this.name = 'JobError';
    this.code = code;
  }
}

/**
 * Thrown by a handler when the job cannot succeed whatever the retries (a file with errors, a record that
 * is gone): the job ends failed with this Chinese message and, optionally, a result to show (the import's
 * error table). Any other error is retried from the last committed cursor, up to the kind's attempts.
 */
export class JobFailure extends Error {
  readonly result: Record<string, unknown> | undefined;
  constructor(message: string, result?: Record<string, unknown>) {
    super(message);
    this.name = 'JobFailure';
    this.result = result;
  }
}

/**
 * A batch found the job no longer its own when it came to commit (cancelled meanwhile, or its lease taken
 * by another runner after it expired): the batch is rolled back and the runner looks at the job again.
 */
export class JobInterrupted extends Error {
  constructor() {
    super('任务已被取消或已由其他进程接手，本批次已撤销');
    this.name = 'JobInterrupted';
  }
}
