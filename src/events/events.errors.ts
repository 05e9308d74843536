/**
 * The life-events module's errors, with stable codes (src/http/plugins/errors.plugin.ts maps them to HTTP in
 * one table). Messages are Chinese; `problems` lists every problem at once.
 */
export type EventErrorCode = 'not_found' | 'invalid' | 'forbidden';

export class EventError extends Error {
  readonly code: EventErrorCode;
  readonly problems: readonly string[];
  constructor(code: EventErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.name = 'EventError';
    this.code = code;
    this.problems = problems;
  }
}
