import type { SQL } from 'drizzle-orm';
import type { Db } from './store.ts';

/**
 * Rows of a raw SQL query. Both drivers (PGlite and node-postgres) return `{ rows }`; drizzle types the
 * result as unknown because it cannot know the driver, so the one cast lives here.
 */
export async function selectRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}
