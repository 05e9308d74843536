import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { addUser, loginAs, testServer } from '../http/test-helpers.ts';
import { tokenDigest } from './auth.service.ts';
import { sessions, users } from './schema.ts';
import { attachSessionCache, SessionCache } from './session-cache.ts';
import { findActiveSession, type ActiveSession } from './session.repository.ts';

const NOW = new Date('2026-12-02T02:00:00Z');

function session(tokenHash: string, expiresAt = new Date('2026-12-02T10:00:00Z')): ActiveSession {
  return {
    tokenHash,
    csrfToken: 'c',
    expiresAt,
    user: {
      id: 'u',
      username: 'u',
      displayName: 'u',
      role: 'auditor',
      divisionCode: '310110',
      mustChangePassword: false,
    },
  };
}

/** A loader that counts its calls. */
function counting(answer: ActiveSession | undefined) {
  const calls = { n: 0 };
  const load = () => {
    calls.n += 1;
    return Promise.resolve(answer);
  };
  return { calls, load };
}

describe('SessionCache', () => {
  it('keeps a live session while live, and nothing else', async () => {
    const cache = new SessionCache(60_000);
    const found = counting(session('a'));
    await cache.lookup('a', NOW, found.load);
    expect(found.calls.n).toBe(1);
    expect(cache.size).toBe(0); // not live yet: nothing is kept
    cache.setLive(true);
    await cache.lookup('a', NOW, found.load);
    await cache.lookup('a', NOW, found.load);
    expect(found.calls.n).toBe(2);
    const missing = counting(undefined);
    await cache.lookup('b', NOW, missing.load);
    await cache.lookup('b', NOW, missing.load);
    expect(missing.calls.n).toBe(2);
    cache.setLive(false);
    expect(cache.size).toBe(0);
  });

  it('asks again once the session has expired or the entry is older than its time to live', async () => {
    const cache = new SessionCache(60_000);
    cache.setLive(true);
    const expiring = counting(session('a', new Date('2026-12-02T02:00:01Z')));
    await cache.lookup('a', NOW, expiring.load);
    await cache.lookup('a', new Date('2026-12-02T02:00:01Z'), expiring.load);
    expect(expiring.calls.n).toBe(2);
    const stale = new SessionCache(-1);
    stale.setLive(true);
    const found = counting(session('b'));
    await stale.lookup('b', NOW, found.load);
    await stale.lookup('b', NOW, found.load);
    expect(found.calls.n).toBe(2);
  });

  it('does not keep a lookup that was under way when it was cleared', async () => {
    const cache = new SessionCache(60_000);
    cache.setLive(true);
    const pending = cache.lookup('a', NOW, () => {
      cache.clear();
      return Promise.resolve(session('a'));
    });
    expect(await pending).toMatchObject({ tokenHash: 'a' });
    expect(cache.size).toBe(0);
  });

  it('holds at most its limit, dropping the oldest', async () => {
    const cache = new SessionCache(60_000, 2);
    cache.setLive(true);
    for (const hash of ['a', 'b', 'c']) await cache.lookup(hash, NOW, counting(session(hash)).load);
    expect(cache.size).toBe(2);
    const first = counting(session('a'));
    await cache.lookup('a', NOW, first.load);
    expect(first.calls.n).toBe(1);
  });
});

describeStores('session cache on the store', (ctx) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'cached_a', 'auditor', '310110');
    await addUser(ctx.store, 'cached_b', 'auditor', '310110');
  });
  afterAll(() => app.close());

  const tokenOf = (cookie: string) => tokenDigest(cookie.replace(/^mz_session=/, ''));

  it('is emptied by this process’s commits and by any change to sessions or users, and forgets nothing live', async () => {
    const agent = await loginAs(app, 'cached_a');
    const tokenHash = tokenOf(agent.cookie);
    const cache = new SessionCache(60_000);
    const detach = await attachSessionCache(ctx.store, cache);
    let loads = 0;
    const lookup = () =>
      cache.lookup(tokenHash, new Date(), () => {
        loads += 1;
        return findActiveSession(ctx.store.db, tokenHash, new Date());
      });
    try {
      await lookup();
      await lookup();
      expect(loads).toBe(1);

      // A change written outside this store's transactions, as another server process would: only the
      // database's notice can tell the cache.
      await ctx.store.db.update(users).set({ displayName: '改名' }).where(eq(users.username, 'cached_b'));
      await expect.poll(() => cache.size).toBe(0);
      await lookup();
      expect(loads).toBe(2);

      await ctx.store.transaction(() => Promise.resolve());
      expect(cache.size).toBe(0);
      await lookup();

      await ctx.store.db
        .update(sessions)
        .set({ revokedAt: new Date() })
        .where(eq(sessions.tokenHash, tokenHash));
      await expect.poll(async () => (await lookup()) === undefined).toBe(true);
    } finally {
      await detach();
    }
    expect(cache.size).toBe(0);
  });

  it('the server refuses a disabled user’s session once another process’s change is notified', async () => {
    const agent = await loginAs(app, 'cached_b');
    expect((await agent.get('/api/auth/me')).statusCode).toBe(200);
    expect((await agent.get('/api/auth/me')).statusCode).toBe(200);
    await ctx.store.db.update(users).set({ disabled: true }).where(eq(users.username, 'cached_b'));
    await expect.poll(async () => (await agent.get('/api/auth/me')).statusCode).toBe(401);
    expect((await agent.post('/api/auth/logout')).statusCode).toBe(401);
  });
});
