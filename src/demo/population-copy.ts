import type { Session } from '../db/store.ts';
import { POPULATION_TABLES, type PopulationTable } from './csv.ts';
import { copyPopulationRows } from './demo.repository.ts';
import type { GenerateOptions } from './generator.ts';
import { GeneratorThread, type RowChunk } from './generator-thread.ts';
import type { PopulationSummary } from './population-sink.ts';

/**
 * COPYs a generated population into the three tables as it is made. A connection runs one COPY at a
 * time, so the tables take turns: whenever BATCH_BYTES of rows are waiting, the table holding the
 * most is copied (one COPY statement per batch, all in the caller's transaction). All three tables
 * thus fill while the generator runs — nothing is spooled to disk and copied after it — and the
 * memory held is bounded by the batch plus the worker's window.
 */
export const BATCH_BYTES = 16 * 1024 * 1024;

export type PersonsProgress = (persons: number, total: number) => void;

class TableBatches {
  private readonly waiting = new Map<PopulationTable, Buffer[]>(POPULATION_TABLES.map((t) => [t, []]));
  bytes = 0;

  constructor(
    private readonly tx: Session,
    private readonly thread: GeneratorThread,
  ) {}

  add(chunk: RowChunk): void {
    this.waiting.get(chunk.table)!.push(chunk.bytes);
    this.bytes += chunk.bytes.length;
  }

  async copyFullest(): Promise<void> {
    let fullest: PopulationTable = 'persons';
    let most = -1;
    for (const [table, chunks] of this.waiting) {
      const size = chunks.reduce((sum, c) => sum + c.length, 0);
      if (size > most) [fullest, most] = [table, size];
    }
    await this.copy(fullest);
  }

  async copyAll(): Promise<void> {
    for (const table of POPULATION_TABLES) await this.copy(table);
  }

  private async copy(table: PopulationTable): Promise<void> {
    const chunks = this.waiting.get(table)!;
    if (chunks.length === 0) return;
    this.waiting.set(table, []);
    await copyPopulationRows(this.tx, table, chunks);
    this.bytes -= chunks.reduce((sum, c) => sum + c.length, 0);
    this.thread.release(chunks.length);
  }
}

export async function copyGeneratedPopulation(
  tx: Session,
  options: Required<GenerateOptions>,
  onProgress?: PersonsProgress,
): Promise<PopulationSummary> {
  const thread = new GeneratorThread(options);
  try {
    const batches = new TableBatches(tx, thread);
    for (;;) {
      const next = await thread.next();
      if (next.kind === 'done') {
        await batches.copyAll();
        const { households, persons, memberships, deceased, facts } = next;
        return { district: options.district, households, persons, memberships, deceased, facts };
      }
      onProgress?.(next.persons, options.persons);
      batches.add(next);
      if (batches.bytes >= BATCH_BYTES) await batches.copyFullest();
    }
  } finally {
    await thread.close();
  }
}
