import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
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
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import * as schema from './schema.ts';
import { selectRows } from './sql.ts';

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
  /** Calls `listener` after each transaction of this process commits; returns the unsubscribe. */
  afterCommit(listener: () => void): () => void;
  /**
   * LISTEN on `channel`: `onNotify` for each notice committed by any process, `onLive(false)` while the
   * listening connection is lost (notices may then be missed) and `onLive(true)` once it listens again.
   * Resolves once listening; the returned function stops.
   */
  listen(channel: string, handlers: ChannelHandlers): Promise<() => Promise<void>>;
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
}

export interface ChannelHandlers {
  onNotify(): void;
  onLive(live: boolean): void;
}

/** The listeners of afterCommit, called in turn; one that throws does not stop the others. */
function commitListeners(): { add: (listener: () => void) => () => void; notify: () => void } {
  const listeners = new Set<() => void>();
  return {
    add: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify: () => {
      for (const listener of listeners) {
        try {
          listener();
        } catch {
          // a listener's failure is its own; the commit has happened
        }
      }
    },
  };
}

/** What `migrate()` did: how many migrations it applied now, of how many the database has in all. */
export interface MigrationReport {
  applied: number;
  total: number;
}

/** What a migration run did, in one line for the operator: created, updated, or already current. */
export function migrationSummary(report: MigrationReport, kind: StoreKind): string {
  const where = kind === 'pglite' ? '内置 PGlite' : 'PostgreSQL';
  if (report.applied === 0) return `数据库结构已是最新（${report.total} 个迁移；${where}）`;
  if (report.applied === report.total) {
    return `已创建数据库结构：执行 ${report.applied} 个迁移（${where}）`;
  }
  return `已更新数据库结构：执行 ${report.applied} 个新迁移，共 ${report.total} 个（${where}）`;
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
    // Chunks are plain-buffer views (never SharedArrayBuffer), which Blob accepts whatever the DOM typings
    // that some @types packages pull in say.
    const result = await client.query(sql, [], { blob: new Blob(parts as BlobPart[]) });
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

/** The drizzle migrator's bookkeeping table; counting its rows before and after tells what a run did. */
async function appliedMigrations(db: Db, schemaName: string): Promise<number> {
  const table = `"${schemaName}"."__drizzle_migrations"`;
  const [found] = await selectRows<{ present: boolean }>(
    db,
    sql`select to_regclass(${table}) is not null as present`,
  );
  if (!found?.present) return 0;
  const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.raw(table)}`);
  return row?.n ?? 0;
}

async function countingMigrations(
  db: Db,
  schemaName: string,
  run: () => Promise<void>,
): Promise<MigrationReport> {
  const before = await appliedMigrations(db, schemaName);
  await run();
  const total = await appliedMigrations(db, schemaName);
  return { applied: total - before, total };
}

export interface PgliteOptions {
  /** The data directory as the operator named it (MINZHENG_DATA_DIR), for the lock's messages. */
  shownDir?: string;
  /** What this process runs, recorded in the lock file (default: from the command line). */
  command?: string;
}

/**
 * PGlite in `dataDir`, or in memory without one. A data directory is locked for this process before
 * PGlite touches it (data-dir-lock.ts): a second process is refused, and closing the store releases it.
 */
export async function openPglite(dataDir?: string, options: PgliteOptions = {}): Promise<Store> {
  if (!dataDir) return pgliteStore(await PGlite.create());
  const lock = lockDataDir(dataDir, options);
  try {
    mkdirSync(dataDir, { recursive: true });
    return pgliteStore(await PGlite.create(dataDir), lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

export function pgliteStore(client: PGlite, lock?: DataDirLock): Store {
  const db: Db = drizzlePglite({ client, schema });
  const committed = commitListeners();
  return {
    kind: 'pglite',
    db,
    copyFrom: (table, columns, chunks) => pgliteCopy(client, table, columns, chunks),
    transaction: async (work) => {
      const result = await client.transaction((tx) =>
        work({
          // drizzle's PGlite session only calls query() on its client, which a PGlite transaction has;
          // binding it here lets repositories and COPY share the one transaction.
          db: drizzlePglite({ client: tx as unknown as PGlite, schema }),
          copyFrom: (table, columns, chunks) => pgliteCopy(tx, table, columns, chunks),
        }),
      );
      committed.notify();
      return result;
    },
    afterCommit: committed.add,
    // The embedded store has one process (its directory is locked), so its connection is never lost.
    listen: async (channel, handlers) => {
      const unlisten = await client.listen(channel, () => handlers.onNotify());
      handlers.onLive(true);
      return unlisten;
    },
    migrate: () =>
      countingMigrations(db, 'drizzle', () =>
        migratePglite(drizzlePglite({ client, schema }), { migrationsFolder }),
      ),
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
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
  const committed = commitListeners();
  const clientConfig = {
    connectionString: url,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  };
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
        committed.notify();
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    afterCommit: committed.add,
    listen: (channel, handlers) => listenOnServer(clientConfig, channel, handlers),
    migrate: () =>
      countingMigrations(db, options.searchPath ?? 'drizzle', () =>
        migratePg(pgDb, {
          migrationsFolder,
          ...(options.searchPath ? { migrationsSchema: options.searchPath } : {}),
        }),
      ),
    close: () => pool.end(),
  };
}

const RELISTEN_MS = 1000;

/**
 * LISTEN on its own connection (a pooled one would be handed to other work between notices). A lost
 * connection is reported and replaced after a pause, until stopped.
 */
async function listenOnServer(
  config: pg.ClientConfig,
  channel: string,
  handlers: ChannelHandlers,
): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel: ${channel}`);
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ ...config, keepAlive: true });
    next.on('notification', (notice) => {
      if (notice.channel === channel) handlers.onNotify();
    });
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      next.end().catch(() => undefined);
      throw error;
    }
    // Listening alone must not keep a process alive (a CLI command or a test that never closes its server).
    (next as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
    client = next;
    handlers.onLive(true);
  };
  const lost = (which: pg.Client): void => {
    if (stopped || client !== which) return;
    client = undefined;
    handlers.onLive(false);
    which.end().catch(() => undefined);
    const again = (): void => {
      retry = setTimeout(() => {
        if (!stopped) connect().catch(again);
      }, RELISTEN_MS);
      retry.unref();
    };
    again();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const last = client;
    client = undefined;
    handlers.onLive(false);
    await last?.end();
  };
}

export interface StoreSettings {
  DATABASE_URL?: string | undefined;
  MINZHENG_DATA_DIR: string;
}

/**
 * The configured store: the PostgreSQL server when DATABASE_URL is set (any number of processes side by
 * side), else PGlite in the data folder, which this process then holds alone until it closes the store.
 */
export async function openStore(settings: StoreSettings): Promise<Store> {
  return settings.DATABASE_URL
    ? openPostgres(settings.DATABASE_URL)
    : openPglite(`${settings.MINZHENG_DATA_DIR}/pglite`, { shownDir: settings.MINZHENG_DATA_DIR });
}
