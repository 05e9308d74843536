import { lastAuditIdOf } from '../audit/audit.repository.ts';
import { ALL, divisionScope, type DataScope } from '../auth/scope.ts';
import { now, shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { divisionIndex } from './divisions.ts';
import { populationFigures } from './figures.service.ts';
import type { PopulationFigures } from './registry.types.ts';

/**
 * The audit entity types of every write that can move a dashboard figure: persons, households and memberships
 * (registry edits), imports (`household_roster`), transfers, dated facts (disability and special categories
 * are projected from them) and the demo load (`district`).
 */
export const FIGURE_SOURCES = [
  'person',
  'household',
  'household_member',
  'household_roster',
  'person_transfer',
  'economic_fact',
  'district',
] as const;

function allDistricts(): string[] {
  return divisionIndex()
    .all()
    .filter((d) => d.level === 'district')
    .map((d) => d.code);
}

/** The districts whose audit rows a scope's figures depend on: its own, or every district for the city. */
function districtsOf(scope: DataScope): string[] {
  return scope.kind === 'division' ? [scope.code.slice(0, 6)] : allDistricts();
}

/** The newest audit row that could have changed the scope's figures: equal marks, equal figures. */
export function figuresMark(db: Db, scope: DataScope): Promise<number> {
  return lastAuditIdOf(db, districtsOf(scope), FIGURE_SOURCES);
}

export interface CachedFigures {
  figures: PopulationFigures;
  /** When the figures were computed (ISO instant). */
  computedAt: string;
  /** False: a registry write came after them; newer figures are being computed and a re-read gets them. */
  fresh: boolean;
}

interface Entry {
  figures: PopulationFigures;
  mark: number;
  computedAt: string;
}

export interface FiguresCacheDeps {
  compute(db: Db, scope: DataScope, asOf: string): Promise<PopulationFigures>;
  mark(db: Db, scope: DataScope): Promise<number>;
  now(): Date;
}

const DEFAULT_DEPS: FiguresCacheDeps = {
  compute: populationFigures,
  mark: figuresMark,
  now,
};

/** Scopes and days kept per store: a district's streets and committees read on a few days fit many times over. */
const MAX_ENTRIES = 500;

/**
 * 人口概况 without a scan per page view. Counting a district of a million persons takes a scan of the scope
 * (0.9 s on PostgreSQL, 2.2 s on the embedded store, which meanwhile answers no other request), while the
 * figures change only when the registry does. So each scope and day is computed once and kept with the
 * audit mark it was computed at: a read whose mark is unchanged is answered from memory; one after a registry
 * write gets the last figures at once, marked not fresh with their time, while the new ones are computed in
 * the background (one computation per scope and day at a time); a first read computes and waits; today's
 * figures of the city and of each district are computed at start and after midnight (keepFiguresWarm). Per
 * process and per store: several servers on one PostgreSQL each keep their own.
 */
export class FiguresCache {
  private readonly entries = new Map<string, Entry>();
  private readonly computing = new Map<string, Promise<Entry>>();

  constructor(
    private readonly db: Db,
    private readonly deps: FiguresCacheDeps = DEFAULT_DEPS,
  ) {}

  async read(scope: DataScope, asOf: string): Promise<CachedFigures> {
    const key = `${scope.kind === 'all' ? 'all' : scope.code}@${asOf}`;
    const mark = await this.deps.mark(this.db, scope);
    const entry = this.entries.get(key);
    if (entry && entry.mark >= mark) return { ...present(entry), fresh: true };
    let next = this.computing.get(key);
    if (!next) {
      // After a write, only once this answer has gone out: the embedded store computes on the main thread.
      const start = entry ? new Promise<void>((resolve) => setImmediate(resolve)) : Promise.resolve();
      next = start.then(() => this.compute(key, scope, asOf, mark)).finally(() => this.computing.delete(key));
      this.computing.set(key, next);
    }
    if (!entry) return { ...present(await next), fresh: true };
    // A failed background computation leaves the last figures; the next read tries again.
    next.catch(() => undefined);
    return { ...present(entry), fresh: false };
  }

  private async compute(key: string, scope: DataScope, asOf: string, mark: number): Promise<Entry> {
    const computedAt = this.deps.now().toISOString();
    const figures = await this.deps.compute(this.db, scope, asOf);
    return this.keep(key, { figures, mark, computedAt });
  }

  private keep(key: string, entry: Entry): Entry {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}

function present(entry: Entry): Omit<CachedFigures, 'fresh'> {
  return { figures: entry.figures, computedAt: entry.computedAt };
}

const caches = new WeakMap<Db, FiguresCache>();

/** The dashboard figures of a scope and day through the store's cache (see FiguresCache). */
export function cachedPopulationFigures(db: Db, scope: DataScope, asOf: string): Promise<CachedFigures> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new FiguresCache(db);
    caches.set(db, cache);
  }
  return cache.read(scope, asOf);
}

/** Milliseconds from `at` to the next midnight in Shanghai (UTC+8, no daylight saving). */
export function untilShanghaiMidnight(at: Date): number {
  const day = 24 * 3600_000;
  const shanghai = at.getTime() + 8 * 3600_000;
  return day - (((shanghai % day) + day) % day);
}

/**
 * Computes today's figures of the city and of every district with a registry, at start and again just after
 * each midnight in Shanghai, so that the first dashboard of the day is read from memory (one after the other,
 * in the background; a failure only leaves that scope to its first read). `warmed` settles after the first
 * round; `stop` ends it.
 */
export function keepFiguresWarm(
  db: Db,
  onError: (error: unknown) => void = () => undefined,
): { warmed: Promise<void>; stop: () => void } {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const warm = async () => {
    const today = shanghaiToday();
    const districts: DataScope[] = [];
    for (const code of allDistricts()) {
      if (!stopped && (await figuresMark(db, divisionScope(code))) > 0) districts.push(divisionScope(code));
    }
    for (const scope of [...districts, ALL]) {
      if (stopped) return;
      await cachedPopulationFigures(db, scope, today).catch(onError);
    }
  };
  const round = () => warm().catch(onError);
  const schedule = () => {
    if (stopped) return;
    // A second past midnight, so that "today" is already the new day on every clock.
    timer = setTimeout(() => void round().finally(schedule), untilShanghaiMidnight(now()) + 1000);
    timer.unref();
  };
  const warmed = round().finally(schedule);
  return {
    warmed,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
