import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The drizzle handle every repository receives: the same type for PGlite and PostgreSQL. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type StoreKind = 'pglite' | 'postgres';

/** Chunks of CSV (text, or its UTF-8 bytes; no header), as COPY ... WITH (FORMAT csv) reads them. */
export type CsvChunk = string | Uint8Array;
export type CsvChunks = AsyncIterable<CsvChunk> | Iterable<CsvChunk>;

export interface Session {
  readonly db: Db;
  /** Bulk load with COPY; returns the number of rows the server reports. */
  copyFrom(table: string, columns: readonly string[], chunks: CsvChunks): Promise<number>;
}

export interface Store extends Session {
  readonly kind: StoreKind;
  /** One transaction: everything `work` does through its session commits together or not at all. */
  transaction<T>(work: (tx: Session) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

const copySql = (table: string, columns: readonly string[], source: string) =>
  `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source} WITH (FORMAT csv)`;

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid identifier: ${name}`);
  return `"${name}"`;
}

// PGlite reads COPY input from one Blob; batching keeps memory flat for arbitrarily long inputs.
const PGLITE_COPY_BATCH_BYTES = 32 * 1024 * 1024;

interface PgliteQueryable {
  query(sql: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ affectedRows?: number }>;
}

async function pgliteCopy(
  client: PgliteQueryable,
  table: string,
  columns: readonly string[],
  chunks: CsvChunks,
): Promise<number> {
  const sql = copySql(table, columns, `'/dev/blob'`);
  let parts: CsvChunk[] = [];
  let size = 0;
  let rows = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    const result = await client.query(sql, [], { blob: new Blob(parts) });
    rows += result.affectedRows ?? 0;
    parts = [];
    size = 0;
  };
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= PGLITE_COPY_BATCH_BYTES) await flush();
  }
  await flush();
  return rows;
}

async function pgCopy(
  client: pg.PoolClient | pg.Client,
  table: string,
  columns: readonly string[],
  chunks: CsvChunks,
): Promise<number> {
  const stream = client.query(copyFromStream(copySql(table, columns, 'STDIN')));
  await pipeline(Readable.from(chunks), stream);
  return Number(stream.rowCount ?? 0);
}

export async function openPglite(dataDir?: string): Promise<Store> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  return pgliteStore(client);
}

export function pgliteStore(client: PGlite): Store {
  const db: Db = drizzlePglite({ client, schema });
  return {
    kind: 'pglite',
    db,
    copyFrom: (table, columns, chunks) => pgliteCopy(client, table, columns, chunks),
    transaction: (work) =>
      client.transaction((tx) =>
        work({
          // drizzle's PGlite session only calls query() on its client, which a PGlite transaction has;
          // binding it here lets repositories and COPY share the one transaction.
          db: drizzlePglite({ client: tx as unknown as PGlite, schema }),
          copyFrom: (table, columns, chunks) => pgliteCopy(tx, table, columns, chunks),
        }),
      ),
    migrate: async () => {
      await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder });
    },
    close: () => client.close(),
  };
}

export interface PostgresOptions {
  /** search_path for every connection: lets each test file own a schema on the shared server. */
  searchPath?: string;
  max?: number;
}

export function openPostgres(url: string, options: PostgresOptions = {}): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  const pgDb = drizzlePg({ client: pool, schema });
  const db: Db = pgDb;
  return {
    kind: 'postgres',
    db,
    copyFrom: async (table, columns, chunks) => {
      const client = await pool.connect();
      try {
        return await pgCopy(client, table, columns, chunks);
      } finally {
        client.release();
      }
    },
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          db: drizzlePg({ client, schema }),
          copyFrom: (table, columns, chunks) => pgCopy(client, table, columns, chunks),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    migrate: async () => {
      await migratePg(pgDb, {
        migrationsFolder,
        ...(options.searchPath ? { migrationsSchema: options.searchPath } : {}),
      });
    },
    close: () => pool.end(),
  };
}

export interface StoreSettings {
  DATABASE_URL?: string | undefined;
  MINZHENG_DATA_DIR: string;
}

/** The configured store: the PostgreSQL server when DATABASE_URL is set, else PGlite in the data folder. */
export async function openStore(settings: StoreSettings): Promise<Store> {
  return settings.DATABASE_URL
    ? openPostgres(settings.DATABASE_URL)
    : openPglite(`${settings.MINZHENG_DATA_DIR}/pglite`);
}
