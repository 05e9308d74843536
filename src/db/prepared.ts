import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from './store.ts';

/**
 * A hot read built once per database handle and run many times. Building a query with drizzle costs
 * about a quarter of a millisecond of CPU and PostgreSQL parses and plans an unnamed statement on every
 * call; a prepared query skips both (named statements on node-postgres, prepared once per connection).
 * `build` receives the handle and returns `query.prepare(name)` with `sql.placeholder`s for the values.
 * Transaction handles are short-lived: the WeakMap lets theirs go with them.
 */
export function preparedPerDb<Prepared>(build: (db: Db) => Prepared): (db: Db) => Prepared {
  const byDb = new WeakMap<Db, Prepared>();
  return (db) => {
    let prepared = byDb.get(db);
    if (prepared === undefined) {
      prepared = build(db);
      byDb.set(db, prepared);
    }
    return prepared;
  };
}

const dialect = new PgDialect();

/**
 * A raw SQL statement (drizzle's `sql` with `sql.placeholder`s) turned into text once and run under
 * `name` — a named statement on node-postgres, parsed once per connection and planned as PostgreSQL's
 * plan cache decides; an empty name runs it unnamed, planned for its values every time. The name must
 * stand for this one text (node-postgres refuses a name reused with another).
 */
export function preparedSql<Row>(
  name: string,
  query: SQL,
): (db: Db, values: Record<string, unknown>) => Promise<Row[]> {
  const built = dialect.sqlToQuery(query);
  return async (db, values) => {
    const result: unknown = await db._.session.prepareQuery(built, undefined, name, false).execute(values);
    return (result as { rows: Row[] }).rows;
  };
}
