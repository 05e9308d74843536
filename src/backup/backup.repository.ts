import { sql } from 'drizzle-orm';
import type { Db } from '../db/store.ts';

/**
 * Writes every dirty page and the WAL to the data files, so that a copy of the directory taken before the
 * next write needs no recovery to open. Allowed inside a transaction block; the one SQL of the backup module.
 */
export async function checkpoint(db: Db): Promise<void> {
  await db.execute(sql`checkpoint`);
}
