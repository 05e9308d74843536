import { sql } from 'drizzle-orm';
import type { Db } from '../db/store.ts';

/**
 * Upkeep of the registry tables after bulk loads. PGlite has no autovacuum: without these the
 * planner keeps believing the tables are empty, and index-only scans (the search indexes carry the
 * scope columns for them) read every row because no page is marked all-visible.
 */

/** Refreshes the planner's statistics (sampled: cheap whatever the tables' size). */
export async function analyzeRegistryTables(db: Db): Promise<void> {
  await db.execute(sql`analyze households, persons, household_members, economic_facts`);
}

/** Also marks pages all-visible; reads the whole tables, so for loads of a large share of them. */
export async function vacuumRegistryTables(db: Db): Promise<void> {
  await db.execute(sql`vacuum (analyze) households, persons, household_members, economic_facts`);
}
