/**
 * The workflow core's own errors, with stable codes (the HTTP layer maps them to 409 / 400 / 500 in one
 * table). Messages are Chinese: they reach the user as they are.
 */
export type WorkflowErrorCode =
  | 'stale_version'
  | 'wrong_state'
  | 'check_failed'
  | 'forbidden'
  | 'not_found'
  | 'unaudited_write'
  | 'invalid_actor';

export class WorkflowError extends Error {
  readonly code: WorkflowErrorCode;
  constructor(code: WorkflowErrorCode, message: string) {
    super(message);
    this.name = 'WorkflowError';
    this.code = code;
  }
}

/**
 * A write lost a race or came from a stale page: the record is no longer in the state or version the
 * caller saw. Answered 409 with what is true now, so the console can say what to do next.
 */
export class ConflictError extends WorkflowError {
  readonly currentState: string | undefined;
  readonly currentVersion: number | undefined;
  readonly allowedActions: readonly string[] | undefined;
  constructor(
    code: 'stale_version' | 'wrong_state',
    message: string,
    current: { state?: string; version?: number; allowedActions?: readonly string[] } = {},
  ) {
    super(code, message);
    this.name = 'ConflictError';
    this.currentState = current.state;
    this.currentVersion = current.version;
    this.allowedActions = current.allowedActions;
  }
}

/** The message for a stale version, the same wherever a versioned record is edited. */
export function staleVersion(what: string, currentVersion?: number): ConflictError {
  return new ConflictError(
    'stale_version',
    `${what}已被他人修改（当前版本 ${currentVersion ?? '未知'}），请刷新后重新操作`,
    currentVersion === undefined ? {} : { version: currentVersion },
  );
}
