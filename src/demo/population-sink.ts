import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { ChunkBuffer, headerLine, POPULATION_TABLES, ROW_WRITERS, type PopulationTable } from './csv.ts';
import { generatePopulation, type GenerateOptions } from './generator.ts';

/** Called every few thousand persons with how many of `total` are done. */
export type ProgressListener = (done: number, total: number) => void;

export interface PopulationSummary {
  district: string;
  households: number;
  persons: number;
  /** Memberships of every kind: current, ended by a death, ended by a move. */
  memberships: number;
  /** Persons who died within the history window (besides `persons`, who are alive and members now). */
  deceased: number;
  facts: number;
}

const PROGRESS_EVERY = 5000;

/** A CSV file being written chunk by chunk, waiting when the disk is behind (flat memory). */
export class CsvFileWriter {
  private readonly stream: WriteStream;
  private readonly buffer = new ChunkBuffer();

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }

  /** Adds rows; true when the caller should `await drain()` before adding more. */
  add(rows: string): boolean {
    const chunk = this.buffer.add(rows);
    return chunk !== undefined && !this.stream.write(chunk);
  }

  async drain(): Promise<void> {
    await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    const rest = this.buffer.take();
    if (rest !== undefined) this.stream.write(rest);
    this.stream.end();
    await finished(this.stream);
  }

  /** Stops writing after an error; the file is left incomplete (the caller removes it). */
  destroy(): void {
    this.stream.destroy();
  }
}

/**
 * Sink (a): persons.csv, households.csv and household_members.csv, with headers, in `dir` — one pass
 * over the generator.
 */
export async function writePopulationCsv(
  dir: string,
  options: GenerateOptions,
  onProgress?: ProgressListener,
): Promise<PopulationSummary> {
  await mkdir(dir, { recursive: true });
  const files = new Map<PopulationTable, CsvFileWriter>(
    POPULATION_TABLES.map((t) => [
      t,
      new CsvFileWriter(join(dir, `${t === 'household_members' ? 'household_members' : t}.csv`)),
    ]),
  );
  const summary = {
    district: options.district ?? '',
    households: 0,
    persons: 0,
    memberships: 0,
    deceased: 0,
    facts: 0,
  };
  try {
    for (const [table, file] of files) file.add(headerLine(table));
    let nextReport = 0;
    for (const household of generatePopulation(options)) {
      summary.district = household.districtCode;
      for (const [table, file] of files) if (file.add(ROW_WRITERS[table](household))) await file.drain();
      summary.households++;
      summary.persons += household.members.length;
      summary.memberships +=
        household.members.length + household.former.length + household.pastMemberships.length;
      summary.deceased += household.former.length;
      summary.facts += household.facts.length;
      if (onProgress && summary.persons >= nextReport) {
        onProgress(summary.persons, options.persons);
        nextReport = summary.persons + PROGRESS_EVERY;
      }
    }
    for (const file of files.values()) await file.close();
  } catch (error) {
    for (const file of files.values()) file.destroy();
    throw error;
  }
  onProgress?.(summary.persons, options.persons);
  return summary;
}
