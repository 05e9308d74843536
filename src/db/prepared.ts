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
