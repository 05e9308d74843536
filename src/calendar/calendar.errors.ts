/**
 * The calendar's own errors, with stable codes mapped to HTTP in one table (errors.plugin.ts). Messages are
 * Chinese: they reach the user as they are. A file or request with several problems reports them all.
 */
export type CalendarErrorCode = 'validation' | 'out_of_range';

export interface CalendarProblem {
  /** Where: a field path (`holidays[2].to`), a file line (`第 3 行`) or empty for the whole input. */
  field: string;
  message: string;
}

export class CalendarError extends Error {
  readonly code: CalendarErrorCode;
  readonly problems: readonly CalendarProblem[];
  constructor(code: CalendarErrorCode, message: string, problems: readonly CalendarProblem[] = []) {
    super(message);
    this.name = 'CalendarError';
    this.code = code;
    this.problems = problems;
  }
}

/** Several problems at once: the message lists them all (the CLI prints it as it is). */
export function calendarProblems(title: string, problems: readonly CalendarProblem[]): CalendarError {
  const lines = problems.map((p) => (p.field ? `${p.field}：${p.message}` : p.message));
  return new CalendarError('validation', `${title}：${lines.join('；')}`, problems);
}
