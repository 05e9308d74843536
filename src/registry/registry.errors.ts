/**
 * Registry errors carry a stable code (for the HTTP error catalogue), a Chinese message naming the
 * field, and the field path when one input field is at fault.
 */
export type RegistryErrorCode =
  'validation' | 'not_found' | 'out_of_scope' | 'already_in_household' | 'duplicate' | 'conflict';

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Several field problems found at once (validation reports them all, not only the first). */
export class RegistryValidationError extends RegistryError {
  constructor(readonly problems: readonly { field: string; message: string }[]) {
    super('validation', problems.map((p) => `${p.field}：${p.message}`).join('；'), problems[0]?.field);
    this.name = 'RegistryValidationError';
  }
}

/** The constraint a database unique violation (SQLSTATE 23505) names, looking through drizzle's wrapping. */
export function uniqueViolation(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e === 'object' && 'code' in e && e.code === '23505') {
      const constraint = 'constraint' in e && typeof e.constraint === 'string' ? e.constraint : undefined;
      const detail = 'message' in e && typeof e.message === 'string' ? e.message : '';
      return constraint ?? /"([a-z_0-9]+)"/.exec(detail)?.[1] ?? 'unknown';
    }
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}
