import type { Store } from '../db/store.ts';
import { analyzeRegistryTables, vacuumRegistryTables } from '../registry/maintenance.repository.ts';
import { CopyDigest, digestingCopies } from '../workflow/copy-digest.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../workflow/unit-of-work.ts';
import { insertBlob, insertFile } from '../files/files.repository.ts';
import { BULK_TABLES } from './csv.ts';
import { demoAuthorisationFile } from './demo-authorisation.ts';
import {
  createIndexes,
  addForeignKeys,
  dropForeignKeys,
  dropIndexes,
  foreignKeysInto,
  hasDemoHouseholds,
  lockDemoDistrict,
  populationIndexes,
} from './demo.repository.ts';
import { DEFAULT_DISTRICT, resolveOptions, type GenerateOptions } from './generator.ts';
import { copyGeneratedPopulation } from './population-copy.ts';
import type { PopulationSummary } from './population-sink.ts';

export type LoadStage = 'persons' | 'households' | 'household_members';

/**
 * Progress of a load: 'persons' while the three tables stream in (done = persons generated), then
 * 'household_members' complete once the indexes are built.
 */
export type LoadProgressListener = (stage: LoadStage, done: number, total: number) => void;

/** The district already holds generated data: a second run is refused (or skipped at start-up). */
export class DemoDataExistsError extends Error {
  constructor(readonly district: string) {
    super(`区划 ${district} 已有演示人口数据（户编号以 ${district}D 开头），未重复生成`);
  }
}

/**
 * From this many persons on, every index of the three tables (primary keys and unique ones
 * included) is dropped for the load and built again at the end, in the same transaction: one sorted
 * build is several times cheaper than a random insert per row (1M persons into PostgreSQL: the ID
 * number index alone cost 3.5 s of COPY, its build 1.3 s). The unique builds still reject duplicates,
 * rolling the whole load back. The rebuild holds the tables' locks until commit, which is acceptable
 * for a bulk demo load, not for smaller ones. Keeping even the indexes whose keys arrive in ascending
 * order (the ids) costs more than building them: 1M persons, primary key kept 1.1 s of COPY vs built
 * 0.9 s on PostgreSQL, 2.8 vs 2.0 s on PGlite.
 */
export const REBUILD_INDEXES_FROM_PERSONS = 100_000;

export interface LoadHooks {
  onProgress?: LoadProgressListener;
  /**
   * Who loads it and why: the acting context of the load's unit of work (the CLI's user, the first
   * start). Default: nobody signed in, for the district, `生成演示数据` (tests and benchmarks).
   */
  actor?: ActingContext;
  /** Drop and rebuild every index (default: from REBUILD_INDEXES_FROM_PERSONS persons). */
  rebuildIndexes?: boolean;
}

/** The acting context of a load whose caller names none. */
export function demoLoadActor(district: string): ActingContext {
  return { userId: null, divisionCode: district, reason: '生成演示数据' };
}

/**
 * Sink (b): generates the population (in a worker thread) and loads it with COPY in ONE unit of
 * work — all four tables or nothing, with the load's one audit record (`demo.seeded`, a batch record
 * with the digest of the COPY data); the rows stream in while they are generated, memory stays flat
 * (population-copy.ts). Refuses a district that already has generated data.
 */
export async function loadDemoPopulation(
  store: Store,
  options: GenerateOptions,
  hooks: LoadHooks = {},
): Promise<PopulationSummary> {
  const { onProgress } = hooks;
  const opts = resolveOptions(options);
  if (await hasDemoHouseholds(store.db, opts.district)) throw new DemoDataExistsError(opts.district);
  const bulk = hooks.rebuildIndexes ?? opts.persons >= REBUILD_INDEXES_FROM_PERSONS;
  const generate = { district: opts.district, persons: opts.persons, seed: opts.seed, asOf: opts.asOf };
  const loaded = await inUnitOfWork(store, hooks.actor ?? demoLoadActor(opts.district), (tx) =>
    copyDemoPopulation(tx, generate, { bulk, onProgress }),
  );
  // A PostgreSQL server's autovacuum marks the new pages all-visible soon after; PGlite has none.
  await (bulk && store.kind === 'pglite' ? vacuumRegistryTables(store.db) : analyzeRegistryTables(store.db));
  return loaded;
}

/**
 * The load's work in the caller's unit: the district locked and checked, the rows COPYed (indexes
 * dropped and rebuilt for a bulk load), and one batch record whose digest covers every COPY.
 */
async function copyDemoPopulation(
  tx: WorkTx,
  generate: Required<GenerateOptions>,
  { bulk, onProgress }: { bulk: boolean; onProgress?: LoadProgressListener | undefined },
): Promise<PopulationSummary> {
  await lockDemoDistrict(tx.db, generate.district);
  if (await hasDemoHouseholds(tx.db, generate.district)) throw new DemoDataExistsError(generate.district);
  await storeDemoAuthorisationFile(tx);
  const rebuild = bulk ? await populationIndexes(tx.db, BULK_TABLES) : [];
  const foreignKeys = bulk ? await foreignKeysInto(tx.db, BULK_TABLES) : [];
  await dropForeignKeys(tx.db, foreignKeys);
  await dropIndexes(tx.db, rebuild);
  const digest = new CopyDigest();
  const summary = await copyGeneratedPopulation(digestingCopies(tx, digest), generate, (done, total) =>
    onProgress?.('persons', done, total),
  );
  onProgress?.('persons', summary.persons, generate.persons);
  await createIndexes(tx.db, rebuild);
  await addForeignKeys(tx.db, foreignKeys);
  onProgress?.('household_members', summary.memberships, summary.memberships);
  tx.recordBatch({
    action: 'demo.seeded',
    entityType: 'district',
    entityId: generate.district,
    district: generate.district,
    digest,
    summary: {
      counts: digest.counts(),
      deceased: summary.deceased,
      seed: generate.seed,
      asOf: generate.asOf,
    },
  });
  return summary;
}

/** The sample 授权书 the 低保 households' attachments name, in the database (stored once, whatever the store). */
async function storeDemoAuthorisationFile(tx: WorkTx): Promise<void> {
  const file = demoAuthorisationFile();
  const added = await insertFile(tx.db, {
    sha256: file.sha256,
    size: file.content.length,
    contentType: 'application/pdf',
    storage: 'database',
    createdAt: tx.now.toISOString(),
  });
  if (added) await insertBlob(tx.db, file.sha256, file.content);
}

export interface SeedOptions {
  district?: string;
  persons: number;
  seed: string;
  /** Who seeds it and why (see LoadHooks.actor). */
  actor?: ActingContext;
}

export type SeedResult = ({ status: 'loaded' } & PopulationSummary) | { status: 'skipped'; district: string };

/**
 * For the server's first start: loads the demo population unless the district already has one
 * (idempotent — a restart does nothing).
 */
export async function seedDemoPopulation(store: Store, options: SeedOptions): Promise<SeedResult> {
  const { actor, ...generate } = options;
  const district = generate.district ?? DEFAULT_DISTRICT;
  try {
    const summary = await loadDemoPopulation(
      store,
      { ...generate, district },
      actor === undefined ? {} : { actor },
    );
    return { status: 'loaded', ...summary };
  } catch (error) {
    if (error instanceof DemoDataExistsError) return { status: 'skipped', district };
    throw error;
  }
}
