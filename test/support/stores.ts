import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openPglite, openPostgres, type Store, type StoreKind } from '../../src/db/store.ts';

/**
 * Medium tests run once per database: the embedded PGlite and, when TEST_DATABASE_URL is set, the
 * PostgreSQL server (CI sets it and requires it). Each test file gets one migrated store per database;
 * on the server it lives in a schema of its own, dropped afterwards, so files can run in parallel.
 */
export function serverUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL suite must run on CI');
  }
  return url;
}

export function storeKinds(): StoreKind[] {
  return serverUrl() ? ['pglite', 'postgres'] : ['pglite'];
}

export async function openTestStore(
  kind: StoreKind,
): Promise<{ store: Store; dispose: () => Promise<void> }> {
  if (kind === 'pglite') {
    const store = await openPglite();
    await store.migrate();
    return { store, dispose: async () => store.close() };
  }
  const url = serverUrl();
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const schemaName = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schemaName}`);
  await admin.end();
  const store = openPostgres(url, { searchPath: schemaName, max: 4 });
  await store.migrate();
  return {
    store,
    dispose: async () => {
      await store.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schemaName} CASCADE`);
      await cleanup.end();
    },
  };
}

/**
 * `describeStores('registry repository', (ctx) => { it(..., () => ctx.store ...) })` runs the block
 * once per database with a migrated store in `ctx.store`.
 */
export function describeStores(name: string, body: (ctx: { store: Store; kind: StoreKind }) => void): void {
  for (const kind of storeKinds()) {
    describe(`${name} [${kind}]`, () => {
      const ctx = { kind } as { store: Store; kind: StoreKind };
      let dispose: () => Promise<void> = async () => {};
      beforeAll(async () => {
        const { store, dispose: close } = await openTestStore(kind);
        ctx.store = store;
        dispose = close;
      });
      afterAll(() => dispose());
      body(ctx);
    });
  }
}
