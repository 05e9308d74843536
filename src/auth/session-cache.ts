import type { Store } from '../db/store.ts';
import type { ActiveSession } from './session.repository.ts';

/** The channel the sessions_changed and users_changed triggers notify (migration 0023). */
export const SESSIONS_CHANNEL = 'minzheng_sessions';

interface Entry {
  session: ActiveSession;
  /** performance.now() after which the entry is not trusted (a bound on a notice that never came). */
  freshUntil: number;
}

/**
 * Live sessions by token hash, kept for a few seconds so that an API request costs one query instead of
 * two (the session lookup was half of the round trips and a third of the server's CPU on reads).
 *
 * Kept only while it can be told of every change: it is emptied when this process commits a transaction
 * (a logout, a password change or a disabled user take effect on the next request) and when any process
 * changes a session or a user (the database's triggers notify; a change from another server process takes
 * effect as soon as its notice arrives). While the listening connection is lost nothing is kept. Misses
 * are never kept, and a lookup that started before an invalidation is not stored after it.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private live = false;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async lookup(
    tokenHash: string,
    now: Date,
    load: () => Promise<ActiveSession | undefined>,
  ): Promise<ActiveSession | undefined> {
    const hit = this.live ? this.entries.get(tokenHash) : undefined;
    if (hit && hit.freshUntil > performance.now() && hit.session.expiresAt > now) return hit.session;
    if (hit) this.entries.delete(tokenHash);
    const generation = this.generation;
    const session = await load();
    if (session && this.live && generation === this.generation) this.keep(tokenHash, session);
    return session;
  }

  /** Forget everything, including lookups still under way. */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  setLive(live: boolean): void {
    this.clear();
    this.live = live;
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(tokenHash: string, session: ActiveSession): void {
    if (this.entries.size >= this.maxEntries) {
      // Map keeps insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(tokenHash, { session, freshUntil: performance.now() + this.ttlMs });
  }
}

/**
 * A cache wired to `store`: emptied after each commit of this process and on each notice of a change to
 * sessions or users from any process. The returned function unwires it.
 */
export async function attachSessionCache(store: Store, cache: SessionCache): Promise<() => Promise<void>> {
  const stopClearing = store.afterCommit(() => cache.clear());
  try {
    const stopListening = await store.listen(SESSIONS_CHANNEL, {
      onNotify: () => cache.clear(),
      onLive: (live) => cache.setLive(live),
    });
    return async () => {
      stopClearing();
      await stopListening();
    };
  } catch (error) {
    stopClearing();
    throw error;
  }
}
