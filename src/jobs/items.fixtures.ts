/**
 * A job over a table of numbered items, for the runner's tests and benchmark (not a test file itself):
 * each batch adds one to `done` of the next `limit` items by id range, in one statement, and records a
 * digest of the ids it touched. After any number of crashes and resumptions every item must have
 * `done = 1`: the measure of exactly once.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { RowDigest } from '../workflow/unit-of-work.ts';
import { defineJobKind, type BatchInput, type JobKind } from './job-kind.ts';

export const ITEMS_KIND = 'test.items';

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad table name ${name}`);
  return sql.raw(`"${name}"`);
};

/** Creates the items table with `count` rows (ids 1..count, done 0). */
export async function createItems(db: Db, table: string, count: number): Promise<void> {
  await db.execute(sql`create table if not exists ${ident(table)} (id int primary key, done int not null)`);
  await db.execute(sql`truncate ${ident(table)}`);
  await db.execute(sql`insert into ${ident(table)} select g, 0 from generate_series(1, ${count}) g`);
}

/** How many items have each done-count: exactly once is `{ 1: count }`. */
export async function doneCounts(db: Db, table: string): Promise<Record<number, number>> {
  const rows = await selectRows<{ done: number; n: number }>(
    db,
    sql`select done, count(*)::int as n from ${ident(table)} group by done order by done`,
  );
  return Object.fromEntries(rows.map((r) => [r.done, r.n]));
}

export interface ItemsKindOptions {
  table: string;
  /** Called inside each batch's transaction after its update (a test throws here to cut a batch off). */
  afterUpdate?: (input: BatchInput<{ count: number }>) => Promise<void> | void;
  maxAttempts?: number;
  initialLimit?: number;
}

export function itemsKind(options: ItemsKindOptions): JobKind<{ count: number }> {
  const table = ident(options.table);
  return defineJobKind({
    kind: ITEMS_KIND,
    label: '测试条目',
    payload: z.object({ count: z.number().int().min(1, '条目数至少为 1') }).strict(),
    viewPermission: 'audit.view',
    startPermission: 'users.manage',
    maxAttempts: options.maxAttempts,
    initialLimit: options.initialLimit,
    step: async (tx, input) => {
      const from = typeof input.cursor === 'number' ? input.cursor : 0;
      const to = Math.min(from + input.limit, input.payload.count);
      const rows = await selectRows<{ id: number }>(
        tx.db,
        sql`update ${table} set done = done + 1 where id > ${from} and id <= ${to} returning id`,
      );
      await options.afterUpdate?.(input);
      const digest = new RowDigest();
      for (const row of rows.sort((a, b) => a.id - b.id)) digest.add(row);
      tx.recordBatch({
        action: 'job.batch',
        entityType: 'job',
        entityId: `${input.job.id}#${input.batch}`,
        district: input.job.divisionCode,
        digest,
        summary: { from, to },
      });
      return {
        cursor: to,
        progress: rows.length,
        total: input.payload.count,
        finished: to >= input.payload.count,
      };
    },
  });
}
