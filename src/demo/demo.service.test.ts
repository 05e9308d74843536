import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { divisionScope } from '../auth/scope.ts';
import { selectRows } from '../db/sql.ts';
import type { Store } from '../db/store.ts';
import { populationFigures } from '../registry/figures.service.ts';
import { BULK_TABLES, POPULATION_TABLES, TABLE_COLUMNS } from './csv.ts';
import { foreignKeysInto, populationIndexes } from './demo.repository.ts';
import { DemoDataExistsError, loadDemoPopulation, seedDemoPopulation } from './demo.service.ts';
import { generatePopulation } from './generator.ts';
import { writePopulationCsv } from './population-sink.ts';

const AS_OF = '2026-06-30';

interface SeededRecord {
  district_code: string;
  actor_id: string | null;
  actor_division: string | null;
  reason: string;
  request_id: string | null;
  after: { rows: number; digest: string; counts: Record<string, number>; seed: string; asOf: string };
}

const seededRecords = (store: Store, district: string) =>
  selectRows<SeededRecord>(
    store.db,
    sql`select district_code, actor_id, actor_division, reason, request_id, "after" from audit_log
        where action = 'demo.seeded' and entity_id = ${district} order by id`,
  );

/** The digest a load of these options records, computed from the CSV sink's files (the same rows). */
async function digestOfCsv(options: Parameters<typeof writePopulationCsv>[1]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mz-demo-digest-'));
  try {
    await writePopulationCsv(dir, options);
    const lines = [...POPULATION_TABLES].sort().map((table) => {
      const data = readFileSync(join(dir, `${table}.csv`), 'utf8');
      const rows = data.slice(data.indexOf('\n') + 1); // without the header line
      const count = rows.split('\n').length - 1;
      const sha = createHash('sha256').update(rows).digest('hex');
      return `${table}(${TABLE_COLUMNS[table].join(',')}) ${count} ${sha}\n`;
    });
    return createHash('sha256').update(lines.join('')).digest('hex');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeStores('demo population load', (ctx) => {
  it('loads the four tables with COPY in one run, history included', async () => {
    const summary = await loadDemoPopulation(ctx.store, { persons: 2000, seed: 'db', asOf: AS_OF });
    expect(summary.persons).toBe(2000);
    const [counts] = await selectRows<{
      p: number;
      dead: number;
      h: number;
      m: number;
      current: number;
      f: number;
    }>(
      ctx.store.db,
      sql`select (select count(*)::int from persons where district_code = '310110') as p,
                 (select count(*)::int from persons where district_code = '310110' and death_date is not null) as dead,
                 (select count(*)::int from households where district_code = '310110') as h,
                 (select count(*)::int from household_members where district_code = '310110') as m,
                 (select count(*)::int from household_members where district_code = '310110' and valid_to is null) as current,
                 (select count(*)::int from economic_facts where district_code = '310110') as f`,
    );
    expect(counts).toEqual({
      p: 2000 + summary.deceased,
      dead: summary.deceased,
      h: summary.households,
      m: summary.memberships,
      current: 2000,
      f: summary.facts,
    });
    // The history is there to be found: deaths, moves between households, facts that changed.
    expect(summary.deceased).toBeGreaterThan(0);
    expect(summary.memberships - 2000 - summary.deceased).toBeGreaterThan(0);
    const [ended] = await selectRows<{ death: number; moved: number; superseded: number; spending: number }>(
      ctx.store.db,
      sql`select (select count(*)::int from household_members where end_reason = 'death') as death,
                 (select count(*)::int from household_members where end_reason = 'moved') as moved,
                 (select count(*)::int from economic_facts where valid_to is not null and kind in ('wage','pension')) as superseded,
                 (select count(distinct extract(year from valid_from))::int from economic_facts where kind = 'medical_expense') as spending`,
    );
    expect(ended!.death).toBe(summary.deceased);
    expect(ended!.moved).toBeGreaterThan(0);
    expect(ended!.superseded).toBeGreaterThan(20);
    expect(ended!.spending).toBeGreaterThanOrEqual(3);
  });

  it('writes one audit record for the load: the rows per table and the digest of exactly the rows written', async () => {
    const [record, ...more] = await seededRecords(ctx.store, '310110');
    expect(more).toEqual([]);
    const [tables] = await selectRows<Record<string, number>>(
      ctx.store.db,
      sql`select (select count(*)::int from households) as households, (select count(*)::int from persons) as persons,
                 (select count(*)::int from household_members) as household_members,
                 (select count(*)::int from economic_facts) as economic_facts,
                 (select count(*)::int from attachments) as attachments,
                 (select count(*)::int from verification_authorisations) as verification_authorisations`,
    );
    expect(record).toMatchObject({
      district_code: '310110',
      actor_id: null,
      actor_division: '310110',
      reason: '生成演示数据',
      after: { counts: tables, seed: 'db', asOf: AS_OF },
    });
    expect(record!.after.rows).toBe(Object.values(tables!).reduce((a, b) => a + b, 0));
    // The generator is deterministic: its CSV files hold the same rows, and give the same digest.
    expect(record!.after.digest).toBe(await digestOfCsv({ persons: 2000, seed: 'db', asOf: AS_OF }));
  });

  it('gives every 低保 household a standing authorisation of its adults, with the signed paper on file', async () => {
    const rows = await selectRows<{
      n: number;
      covered: number;
      papers: number;
      content: number;
    }>(
      ctx.store.db,
      sql`select count(*)::int as n,
                 count(*) filter (where a.standing and a.purpose = 'dibao' and a.valid_until is null
                   and not exists (select 1 from household_members m join persons p
                                     on p.district_code = m.district_code and p.id = m.person_id
                                   where m.district_code = a.district_code and m.household_id = a.household_id
                                     and m.valid_to is null and p.birth_date <= ${AS_OF}::date - interval '18 years'
                                     and p.id <> all (a.person_ids)))::int as covered,
                 count(t.id) filter (where t.kind = 'authorisation' and t.entity_type = 'household'
                   and t.entity_id = a.household_id::text)::int as papers,
                 count(b.sha256)::int as content
          from verification_authorisations a
          left join attachments t on t.district_code = a.district_code and t.id = a.attachment_id
          left join file_blobs b on b.sha256 = t.sha256
          where a.district_code = '310110'`,
    );
    const [r] = rows;
    expect(r!.n).toBeGreaterThan(5);
    expect(r).toEqual({ n: r!.n, covered: r!.n, papers: r!.n, content: r!.n });
  });

  it('shows children aged 0–4 on the dashboard of the day it was loaded for', async () => {
    const figures = await populationFigures(ctx.store.db, divisionScope('310110'), AS_OF);
    const under5 = figures.pyramid.find((band) => band.band === '0-4');
    expect((under5?.male ?? 0) + (under5?.female ?? 0)).toBeGreaterThan(2000 * 0.02);
  });

  it('stores exactly what the generator made', async () => {
    const first = generatePopulation({ persons: 2000, seed: 'db', asOf: AS_OF }).next();
    if (first.done) throw new Error('no household');
    const head = first.value.members[0]!.person;
    const rows = await selectRows<{
      id_number: string;
      name: string;
      categories: string[];
      birth_date: string;
    }>(
      ctx.store.db,
      sql`select id_number, name, categories, birth_date::text from persons where district_code = '310110' and id = ${head.id}`,
    );
    expect(rows).toEqual([
      { id_number: head.idNumber, name: head.name, categories: head.categories, birth_date: head.birthDate },
    ]);
  });

  it('gives every living person exactly one current membership and every household one head', async () => {
    const [problems] = await selectRows<{ orphans: number; multi: number; headless: number }>(
      ctx.store.db,
      sql`select
        (select count(*)::int from persons p where p.death_date is null and not exists (
           select 1 from household_members m where m.district_code = p.district_code and m.person_id = p.id and m.valid_to is null)) as orphans,
        (select count(*)::int from (select person_id from household_members where valid_to is null
           group by district_code, person_id having count(*) > 1) x) as multi,
        (select count(*)::int from households h where not exists (
           select 1 from household_members m where m.district_code = h.district_code and m.household_id = h.id
             and m.relation_code = '02' and m.valid_to is null)) as headless`,
    );
    expect(problems).toEqual({ orphans: 0, multi: 0, headless: 0 });
  });

  it('refuses a second load into the same district and changes nothing', async () => {
    await expect(loadDemoPopulation(ctx.store, { persons: 100, seed: 'other' })).rejects.toThrow(
      DemoDataExistsError,
    );
    await expect(seedDemoPopulation(ctx.store, { persons: 100, seed: 'other' })).resolves.toEqual({
      status: 'skipped',
      district: '310110',
    });
    const [row] = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select count(*)::int as n from persons where death_date is null`,
    );
    expect(row!.n).toBe(2000);
  });

  it('seeds another district and rebuilds dropped indexes identically', async () => {
    const before = await populationIndexes(ctx.store.db, BULK_TABLES);
    // Other modules' tables (cases, entitlements, …) point at persons and households.
    const keysBefore = await foreignKeysInto(ctx.store.db, BULK_TABLES);
    expect(keysBefore.map((k) => k.name)).toContain('cases_household_fk');
    expect(before.filter((i) => i.primaryKey)).toHaveLength(4);
    expect(before.length).toBeGreaterThanOrEqual(12);
    const result = await loadDemoPopulation(
      ctx.store,
      { district: '310104', persons: 500, seed: 'x' },
      { rebuildIndexes: true },
    );
    expect(result.persons).toBe(500);
    expect(await populationIndexes(ctx.store.db, BULK_TABLES)).toEqual(before);
    expect(await foreignKeysInto(ctx.store.db, BULK_TABLES)).toEqual(keysBefore);
    await expect(
      seedDemoPopulation(ctx.store, {
        district: '310105',
        persons: 300,
        seed: 'y',
        actor: {
          userId: null,
          divisionCode: '310105',
          requestId: 'first-start',
          reason: '首次启动生成演示数据',
        },
      }),
    ).resolves.toMatchObject({
      status: 'loaded',
      persons: 300,
    });
    // The seeder's actor is the unit's: one record, with its reason and request.
    expect(await seededRecords(ctx.store, '310105')).toMatchObject([
      { district_code: '310105', actor_id: null, reason: '首次启动生成演示数据', request_id: 'first-start' },
    ]);
  });

  it('rolls back everything when a row is rejected', async () => {
    // 310106 has no data; the same person ids as an existing run cannot collide across districts, so
    // force a failure with a progress listener that throws mid-load.
    const failing = loadDemoPopulation(
      ctx.store,
      { district: '310106', persons: 20_000, seed: 'z' },
      {
        onProgress: (stage, done) => {
          if (stage === 'persons' && done > 10_000) throw new Error('stop');
        },
      },
    );
    await expect(failing).rejects.toThrow('stop');
    const [row] = await selectRows<{ n: number }>(
      ctx.store.db,
      sql`select (select count(*)::int from persons where district_code = '310106')
               + (select count(*)::int from households where district_code = '310106') as n`,
    );
    expect(row!.n).toBe(0);
    expect(await seededRecords(ctx.store, '310106')).toEqual([]);
  });
});
