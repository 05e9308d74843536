import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { loggableError } from './errors.plugin.ts';

describe('loggableError', () => {
  it('keeps query parameters and database details out of the log', () => {
    const pgError = Object.assign(
      new Error('duplicate key value violates unique constraint "persons_id_number_uq"'),
      {
        code: '23505',
        detail: 'Key (district_code, id_number)=(310110, 310110196003150011) already exists.',
      },
    );
    const error = new DrizzleQueryError(
      'insert into persons values ($1, $2)',
      ['310110196003150011', '张建国'],
      pgError,
    );
    const logged = JSON.stringify(loggableError(error));
    expect(logged).not.toContain('310110196003150011');
    expect(logged).not.toContain('张建国');
    expect(logged).toContain('persons_id_number_uq');
    expect(logged).toContain('Failed query');
  });
});
