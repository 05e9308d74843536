import { createHash, type Hash } from 'node:crypto';
import type { CsvChunks, Session } from '../db/store.ts';
import { RowDigest } from './unit-of-work.ts';

interface TableData {
  columns: readonly string[];
  rows: number;
  hash: Hash;
}

/**
 * The batch digest of COPY loads (a roster import, the demo population): `count` is the rows the database
 * reports each COPY loaded, and the digest covers the COPY data itself, hashed as it streams to the server.
 * A load of millions of rows cannot afford RowDigest's canonical JSON per row (its text escaping alone
 * costs more than the COPY); the bytes sent are exactly what was written, and SHA-256 over them is cheap.
 *
 * The digest: one line per table, in table-name order (so it does not depend on how the COPY statements
 * were interleaved), `<table>(<columns>) <rows> <SHA-256 of the table's COPY data>`, and SHA-256 over those
 * lines. Rows are only counted through `digestingCopies`; `add` is refused.
 */
export class CopyDigest extends RowDigest {
  private readonly tables = new Map<string, TableData>();
  private sealed: string | undefined;

  /** Unused: the rows of a COPY digest are counted from the loads (`digestingCopies`). */
  override add(_row: unknown): this {
    throw new Error('CopyDigest counts COPY loads: write through digestingCopies(session, digest)');
  }

  /** Rows written by every COPY so far. */
  override get count(): number {
    let rows = 0;
    for (const table of this.tables.values()) rows += table.rows;
    return rows;
  }

  /** Rows written per table, for the batch's summary. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.tables].map(([name, table]) => [name, table.rows]));
  }

  /** The hex digest; after it, no more COPY data can be added (the same value on every call). */
  override hex(): string {
    if (this.sealed !== undefined) return this.sealed;
    const lines = [...this.tables]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, t]) => `${name}(${t.columns.join(',')}) ${t.rows} ${t.hash.digest('hex')}\n`);
    this.sealed = createHash('sha256').update(lines.join('')).digest('hex');
    return this.sealed;
  }

  /** The table's data so far; a table keeps one column list across its COPY statements. */
  private table(name: string, columns: readonly string[]): TableData {
    if (this.sealed !== undefined) throw new Error('CopyDigest: the digest was already taken');
    let table = this.tables.get(name);
    if (table === undefined) {
      table = { columns: [...columns], rows: 0, hash: createHash('sha256') };
      this.tables.set(name, table);
    } else if (table.columns.join(',') !== columns.join(',')) {
      throw new Error(`CopyDigest: ${name} was loaded with two column lists`);
    }
    return table;
  }

  /** The chunks as they go to the database, each hashed on its way. */
  async *stream(
    name: string,
    columns: readonly string[],
    chunks: CsvChunks,
  ): AsyncGenerator<string | Uint8Array> {
    const { hash } = this.table(name, columns);
    for await (const chunk of chunks) {
      hash.update(chunk);
      yield chunk;
    }
  }

  /** Adds what the database reported a COPY of `name` loaded. */
  loaded(name: string, columns: readonly string[], rows: number): void {
    this.table(name, columns).rows += rows;
  }
}

/**
 * The session as a load sees it, with every COPY through it digested. Queries go to the same transaction;
 * only `copyFrom` is watched, so a load that also writes by INSERT must record those rows itself.
 */
export function digestingCopies(session: Session, digest: CopyDigest): Session {
  return {
    db: session.db,
    copyFrom: async (table, columns, chunks) => {
      const rows = await session.copyFrom(table, columns, digest.stream(table, columns, chunks));
      digest.loaded(table, columns, rows);
      return rows;
    },
  };
}
