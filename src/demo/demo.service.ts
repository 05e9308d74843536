import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session, Store } from '../db/store.ts';
import { analyzeRegistryTables, vacuumRegistryTables } from '../registry/maintenance.repository.ts';
import { ChunkBuffer, householdRow, memberRows, personRows } from './csv.ts';
import {
  copyPopulationRows,
  createIndexes,
  dropIndexes,
  hasDemoHouseholds,
  lockDemoDistrict,
  populationIndexes,
} from './demo.repository.ts';
import { POPULATION_TABLES } from './csv.ts';
import { DEFAULT_DISTRICT, generatePopulation, resolveOptions, type GenerateOptions } from './generator.ts';
import { CsvFileWriter, rowAlignedChunks, type PopulationSummary } from './population-sink.ts';

export type LoadStage = 'persons' | 'households' | 'household_members';

/** Progress of a load: the persons are generated and copied first, then the spooled tables. */
export type LoadProgressListener = (stage: LoadStage, done: number, total: number) => void;

/** The district already holds generated data: a second run is refused (or skipped at start-up). */
export class DemoDataExistsError extends Error {
  constructor(readonly district: string) {
    super(`区划 ${district} 已有演示人口数据（户编号以 ${district}D 开头），未重复生成`);
  }
}

const PROGRESS_EVERY = 5000;

/**
 * From this many persons on, every index of the three tables (primary keys and unique ones
 * included) is dropped for the load and built again at the end, in the same transaction: one sorted
 * build is several times cheaper than a random insert per row (1M persons into PostgreSQL: the ID
 * number index alone cost 3.5 s of COPY, its build 1.3 s). The unique builds still reject duplicates,
 * rolling the whole load back. The rebuild holds the tables' locks until commit, which is acceptable
 * for a bulk demo load, not for smaller ones.
 */
export const REBUILD_INDEXES_FROM_PERSONS = 100_000;

/**
 * Sink (b): generates the population and loads it with COPY in ONE transaction — all three tables or
 * nothing. The persons stream straight into COPY while households and memberships are spooled to a
 * temporary folder (one COPY at a time per connection) and copied after, so the generator runs once
 * and memory stays flat. Refuses a district that already has generated data.
 */
export interface LoadHooks {
  onProgress?: LoadProgressListener;
  /** Runs inside the load's transaction after the rows are in (the caller's audit record). */
  beforeCommit?: (tx: Session, summary: PopulationSummary) => Promise<void>;
  /** Drop and rebuild the secondary indexes (default: from REBUILD_INDEXES_FROM_PERSONS persons). */
  rebuildIndexes?: boolean;
}

export async function loadDemoPopulation(
  store: Store,
  options: GenerateOptions,
  hooks: LoadHooks = {},
): Promise<PopulationSummary> {
  const { onProgress, beforeCommit } = hooks;
  const opts = resolveOptions(options);
  if (await hasDemoHouseholds(store.db, opts.district)) throw new DemoDataExistsError(opts.district);
  const bulk = hooks.rebuildIndexes ?? opts.persons >= REBUILD_INDEXES_FROM_PERSONS;
  const spool = await mkdtemp(join(tmpdir(), 'minzheng-demo-'));
  try {
    const loaded = await store.transaction(async (tx) => {
      await lockDemoDistrict(tx.db, opts.district);
      if (await hasDemoHouseholds(tx.db, opts.district)) throw new DemoDataExistsError(opts.district);
      const rebuild = bulk ? await populationIndexes(tx.db, POPULATION_TABLES) : [];
      await dropIndexes(tx.db, rebuild);
      const householdFile = new CsvFileWriter(join(spool, 'households.csv'));
      const memberFile = new CsvFileWriter(join(spool, 'household_members.csv'));
      const summary: PopulationSummary = {
        district: opts.district,
        households: 0,
        persons: 0,
        memberships: 0,
      };
      async function* personChunks(): AsyncGenerator<string> {
        const buffer = new ChunkBuffer();
        let nextReport = 0;
        for (const household of generatePopulation(opts)) {
          if (householdFile.add(householdRow(household))) await householdFile.drain();
          if (memberFile.add(memberRows(household))) await memberFile.drain();
          summary.households++;
          summary.persons += household.members.length;
          summary.memberships += household.members.length;
          if (onProgress && summary.persons >= nextReport) {
            onProgress('persons', summary.persons, opts.persons);
            nextReport = summary.persons + PROGRESS_EVERY;
          }
          const chunk = buffer.add(personRows(household));
          if (chunk !== undefined) yield chunk.toString('utf8');
        }
        const rest = buffer.take();
        if (rest !== undefined) yield rest.toString('utf8');
        await householdFile.close();
        await memberFile.close();
      }
      try {
        await copyPopulationRows(tx, 'persons', personChunks());
      } catch (error) {
        householdFile.destroy();
        memberFile.destroy();
        throw error;
      }
      onProgress?.('persons', summary.persons, opts.persons);
      onProgress?.('households', 0, summary.households);
      await copyPopulationRows(tx, 'households', rowAlignedChunks(householdFile.path));
      onProgress?.('household_members', 0, summary.memberships);
      await copyPopulationRows(tx, 'household_members', rowAlignedChunks(memberFile.path));
      await createIndexes(tx.db, rebuild);
      onProgress?.('household_members', summary.memberships, summary.memberships);
      await beforeCommit?.(tx, summary);
      return summary;
    });
    // A PostgreSQL server's autovacuum marks the new pages all-visible soon after; PGlite has none.
    await (bulk && store.kind === 'pglite' ? vacuumRegistryTables(store.db) : analyzeRegistryTables(store.db));
    return loaded;
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

export interface SeedOptions {
  district?: string;
  persons: number;
  seed: string;
}

export type SeedResult = ({ status: 'loaded' } & PopulationSummary) | { status: 'skipped'; district: string };

/**
 * For the server's first start: loads the demo population unless the district already has one
 * (idempotent — a restart does nothing).
 */
export async function seedDemoPopulation(store: Store, options: SeedOptions): Promise<SeedResult> {
  const district = options.district ?? DEFAULT_DISTRICT;
  try {
    const summary = await loadDemoPopulation(store, { ...options, district });
    return { status: 'loaded', ...summary };
  } catch (error) {
    if (error instanceof DemoDataExistsError) return { status: 'skipped', district };
    throw error;
  }
}
