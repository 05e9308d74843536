import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { verifyAuditChain } from '../../audit/verify.service.ts';
import { loadConfig } from '../../config.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { rosterCsv, sampleRoster, YANGPU_COMMITTEE } from '../../registry/import/roster.fixtures.ts';
import { enqueueJob } from '../jobs.service.ts';
import { JobRunner } from '../runner.ts';
import { builtinJobKinds } from './index.ts';
import { keepForJob, REGISTRY_IMPORT_KIND } from './registry-import.job.ts';

const dir = mkdtempSync(join(tmpdir(), 'mz-import-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface AuditRow {
  id: number;
  action: string;
  entity_type: string;
  entity_id: string | null;
  district_code: string;
  actor_id: string | null;
  actor_division: string | null;
  reason: string | null;
  request_id: string | null;
  after: Record<string, unknown> | null;
}

async function auditSince(store: Store, id: number): Promise<AuditRow[]> {
  return selectRows<AuditRow>(
    store.db,
    sql`select id, action, entity_type, entity_id, district_code, actor_id, actor_division, reason, request_id,
               "after" from audit_log where id > ${id} order by id`,
  );
}

async function lastAuditId(store: Store): Promise<number> {
  const [row] = await selectRows<{ id: number }>(
    store.db,
    sql`select coalesce(max(id), 0)::int as id from audit_log`,
  );
  return row!.id;
}

async function registryRows(store: Store): Promise<Record<string, number>> {
  const [row] = await selectRows<Record<string, number>>(
    store.db,
    sql`select (select count(*)::int from households) as households, (select count(*)::int from persons) as persons,
               (select count(*)::int from household_members) as memberships,
               (select count(*)::int from economic_facts) as facts`,
  );
  return row!;
}

describeStores('registry import job', (ctx) => {
  const config = () => loadConfig({ LOG_LEVEL: 'silent', MINZHENG_DATA_DIR: join(dir, ctx.kind) });
  const kinds = builtinJobKinds();
  const actor = {
    userId: 'u-importer',
    divisionCode: '310110001',
    reason: '年度台账导入',
    requestId: 'req-42',
  };

  async function queueImport(name: string, content: string) {
    const upload = join(dir, `${ctx.kind}-${name}`);
    writeFileSync(upload, content);
    const kept = await keepForJob(config().MINZHENG_DATA_DIR, upload, name);
    const { job } = await enqueueJob(ctx.store, kinds, {
      kind: REGISTRY_IMPORT_KIND,
      payload: { file: kept, dryRun: false },
      actor,
      divisionCode: '310110001',
    });
    return { job, kept };
  }

  const run = () =>
    new JobRunner({ store: ctx.store, config: config(), kinds, schedules: false }).runUntilIdle();

  it('writes one audit record for its batch: the import, with the rows digest, counts, district, actor and reason', async () => {
    const { job, kept } = await queueImport(
      'roster.csv',
      rosterCsv(sampleRoster(3, YANGPU_COMMITTEE, 'JOBA')),
    );
    const before = await registryRows(ctx.store);
    const from = await lastAuditId(ctx.store);
    expect((await run()).succeeded).toBe(1);

    const after = await registryRows(ctx.store);
    const written = {
      households: after.households! - before.households!,
      persons: after.persons! - before.persons!,
      memberships: after.memberships! - before.memberships!,
      facts: after.facts! - before.facts!,
    };
    expect(written).toMatchObject({ households: 3, persons: 8, memberships: 8 });
    expect(written.facts).toBeGreaterThan(0);

    const rows = await auditSince(ctx.store, from);
    // The import's record is the batch's: no job.batch beside it.
    expect(rows.map((r) => r.action)).toEqual(['registry.import']);
    const [record] = rows;
    expect(record).toMatchObject({
      entity_type: 'household_roster',
      entity_id: kept.sha256,
      district_code: '310110',
      actor_id: 'u-importer',
      actor_division: '310110001',
      reason: '年度台账导入',
      request_id: 'req-42',
    });
    expect(record!.after).toMatchObject({
      rows: written.households + written.persons + written.memberships + written.facts,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      counts: written,
      districts: ['310110'],
      job: job.id,
      file: { name: 'roster.csv', sha256: kept.sha256, bytes: kept.bytes, kind: 'csv' },
    });
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });

  it('a roster the registry refuses fails the job and writes nothing: no rows, no audit record', async () => {
    // The same roster again as other bytes (a BOM): read cleanly, refused by the duplicate checks in the unit.
    await queueImport('again.csv', `\uFEFF${rosterCsv(sampleRoster(3, YANGPU_COMMITTEE, 'JOBA'))}`);
    const before = await registryRows(ctx.store);
    const from = await lastAuditId(ctx.store);
    expect((await run()).failed).toBe(1);
    expect(await registryRows(ctx.store)).toEqual(before);
    expect(await auditSince(ctx.store, from)).toEqual([]);
  });
});
