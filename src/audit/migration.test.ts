import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { serverUrl } from '../../test/support/stores.ts';
import { migrationsFolder, openPostgres, pgliteStore, type Store } from '../db/store.ts';
import { auditRowsAfter } from './audit.repository.ts';
import { recordAudit } from './audit.service.ts';
import { auditRowHash, GENESIS_HASH } from './hash.ts';
import { verifyAuditChain } from './verify.service.ts';

/** The migrations up to and including `tag`, as a folder of their own (to build a database of that age). */
function migrationsUpTo(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mz-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const end = journal.entries.findIndex((entry) => entry.tag === tag);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, end + 1) }));
  return dir;
}

const oldFolder = migrationsUpTo('0005_registry_search');
afterAll(() => rmSync(oldFolder, { recursive: true, force: true }));

const USER_ID = '6f1c2d3e-0000-4000-8000-000000000001';

/** Old rows as the previous version wrote them: no district, hashed with serialisation v1. */
const OLD_ROWS = [
  {
    actorDivision: '310110012',
    action: 'person.unmask',
    entityType: 'person',
    after: { districtCode: '310101' },
  },
  { actorDivision: '310110', action: 'user.created', entityType: 'user', entityId: USER_ID, after: null },
  { actorDivision: null, action: 'auth.login_failed', entityType: 'user', after: { username: 'nobody' } },
  {
    actorDivision: '310110',
    action: 'registry.import',
    entityType: 'household_roster',
    after: { districts: ['310104'] },
  },
  {
    actorDivision: '310110',
    action: 'registry.export',
    entityType: 'household_roster',
    after: { scope: { kind: 'division', code: '310105001' } },
  },
  { actorDivision: '310106', action: 'demo.seeded', entityType: 'district', entityId: '310107', after: null },
  { actorDivision: '310109003', action: 'auth.logout', entityType: 'user', entityId: 'gone', after: null },
];

async function writeOldRows(store: Store): Promise<void> {
  await store.db.execute(
    sql`insert into users (id, username, display_name, password_hash, role, division_code)
        values (${USER_ID}, 'u1', '用户一', 'x', 'street_caseworker', '310120005')`,
  );
  let prevHash = GENESIS_HASH;
  let id = 0;
  for (const old of OLD_ROWS) {
    id += 2; // old ids had gaps (a rolled-back append took a sequence value)
    const fields = {
      id,
      at: `2025-01-0${id % 9}T00:00:00.000Z`,
      actorId: 'a',
      actorDivision: old.actorDivision,
      district: '',
      action: old.action,
      entityType: old.entityType,
      entityId: old.entityId ?? null,
      before: null,
      after: old.after,
      reason: null,
      requestId: null,
      prevHash,
      hashVersion: 1,
    };
    const hash = auditRowHash(fields) ?? '';
    await store.db.execute(
      sql`insert into audit_log (id, at, actor_id, actor_division, action, entity_type, entity_id, after, prev_hash, hash)
          values (${id}, ${fields.at}::timestamptz, 'a', ${old.actorDivision}, ${old.action}, ${old.entityType},
            ${fields.entityId}, ${old.after === null ? null : JSON.stringify(old.after)}::jsonb, ${prevHash}, ${hash})`,
    );
    prevHash = hash;
  }
  await store.db.execute(
    sql`insert into audit_head (singleton, last_id, last_hash, count) values (1, ${id}, ${prevHash}, ${OLD_ROWS.length})`,
  );
}

async function checkMigration(store: Store, migrateAll: () => Promise<void>): Promise<void> {
  await writeOldRows(store);
  await migrateAll();
  const rows = await auditRowsAfter(store.db, 0, 100);
  expect(rows.map((r) => [r.action, r.district, r.hashVersion])).toEqual([
    ['person.unmask', '310101', 1],
    ['user.created', '310120', 1],
    ['auth.login_failed', '310000', 1],
    ['registry.import', '310104', 1],
    ['registry.export', '310105', 1],
    ['demo.seeded', '310107', 1],
    ['auth.logout', '310109', 1],
  ]);
  expect(await verifyAuditChain(store)).toMatchObject({ ok: true, count: OLD_ROWS.length });
  const next = await store.transaction((tx) =>
    recordAudit(tx, {
      actor: { userId: 'b', divisionCode: '310110' },
      action: 'auth.login',
      entityType: 'user',
    }),
  );
  expect(next).toMatchObject({ id: 15, hashVersion: 2, district: '310110' });
  expect(await verifyAuditChain(store)).toMatchObject({ ok: true, count: OLD_ROWS.length + 1 });
}

describe('migration 0006: districts backfilled outside the v1 hashes', () => {
  it('on PGlite', async () => {
    const client = await PGlite.create();
    const db = drizzlePglite({ client });
    try {
      await migratePglite(db, { migrationsFolder: oldFolder });
      await checkMigration(pgliteStore(client), () => migratePglite(db, { migrationsFolder }));
    } finally {
      await client.close();
    }
  });

  it.runIf(serverUrl())('on the PostgreSQL server', async () => {
    const url = serverUrl() ?? '';
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const store = openPostgres(url, { searchPath: schema, max: 2 });
    const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const db = drizzle({ client: pool });
    try {
      await migratePg(db, { migrationsFolder: oldFolder, migrationsSchema: schema });
      await checkMigration(store, () => migratePg(db, { migrationsFolder, migrationsSchema: schema }));
    } finally {
      await pool.end();
      await store.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});
