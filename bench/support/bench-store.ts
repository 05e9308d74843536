/**
 * What the benchmarks that build a district share: a store (PGlite in a temporary or named folder, or a schema
 * of the PostgreSQL server of BENCH_DATABASE_URL / TEST_DATABASE_URL) that is dropped afterwards unless kept,
 * one-value counts, and the load average to print beside each figure (the machine is shared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import { selectRows } from '../../src/db/sql.ts';
import { openPglite, openPostgres, type Store } from '../../src/db/store.ts';

export const loadText = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

export const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Seconds since `t` (a performance.now() reading), one decimal. */
export const seconds = (t: number): string => ((performance.now() - t) / 1000).toFixed(1);

/** One statement on the server outside any schema (creating and dropping a benchmark's schema). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The `n` of a one-row count query. */
export async function countOf(store: Store, query: SQL): Promise<number> {
  const [row] = await selectRows<{ n: number }>(store.db, query);
  return Number(row?.n ?? 0);
}

export interface BenchStoreOptions {
  kind: string;
  /** Names the temporary folder and the schema: `mz-<name>-bench-`, `bench_<name>_<pid>`. */
  name: string;
  dataDir?: string | undefined;
  schema?: string | undefined;
  keep?: boolean;
}

export async function openBenchStore(
  options: BenchStoreOptions,
): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (options.kind === 'pglite') {
    const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), `mz-${options.name}-bench-`));
    return {
      store: await openPglite(dir),
      drop: () => {
        if (!options.keep) rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('set BENCH_DATABASE_URL or TEST_DATABASE_URL (a PostgreSQL server)');
  const schema = options.schema ?? `bench_${options.name}_${process.pid}`;
  await adminQuery(url, `create schema if not exists ${schema}`);
  const store = openPostgres(url, { searchPath: schema, max: 4 });
  return {
    store,
    drop: async () => (options.keep ? undefined : adminQuery(url, `drop schema ${schema} cascade`)),
  };
}
