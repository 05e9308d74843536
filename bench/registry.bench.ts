/**
 * Registry benchmark: `npx tsx bench/registry.bench.ts [--persons N] [--pg URL [--schema S --keep] | --data DIR]`.
 * Loads a synthetic Yangpu population (N persons in households of 1–5, across the 301 committees) with
 * COPY, then times the registry's reads: person search by initials / name / last four ID digits in a
 * district and a street scope, household search and detail, dashboard figures, and the engine-input
 * stream (households per second, peak memory). Prints figures and ratios; asserts nothing on time.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ALL, divisionScope, type DataScope } from '../src/auth/scope.ts';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { divisionIndex } from '../src/registry/divisions.ts';
import { makeIdNumber } from '../src/registry/id-number.ts';
import { nameInitials } from '../src/registry/pinyin.ts';
import {
  getHouseholdDetail,
  populationFigures,
  searchHouseholds,
  searchPersons,
  seedDivisions,
  streamPolicyHouseholds,
} from '../src/registry/registry.service.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PERSONS = Number(arg('--persons') ?? 100_000);
const PG_URL = arg('--pg');
/** Keep the PGlite database in this folder and reuse it on the next run (skips loading). */
const DATA_DIR = arg('--data');
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红梅文斌宇浩凯丹琳雪婷晨阳欣怡子涵思远佳琪';

let state = 20221122;
function rand(n: number): number {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state % n;
}
const pick = (s: string) => s[rand(s.length)]!;

function isoDate(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

async function load(store: Store): Promise<{ households: number; seconds: number; initialsSeconds: number }> {
  const committees = divisionIndex()
    .all()
    .filter((d) => d.level === 'committee' && d.code.startsWith('310110'));
  const persons: string[] = [];
  const households: string[] = [];
  const members: string[] = [];
  let initialsMs = 0;
  let made = 0;
  let h = 0;
  const usedIds = new Set<string>();
  while (made < PERSONS) {
    const size = Math.min(1 + rand(5), PERSONS - made);
    const committee = committees[rand(committees.length)]!;
    const householdId = randomUUID();
    h += 1;
    households.push(
      `310110,${householdId},YP${String(h).padStart(7, '0')},${committee.code.slice(0, 9)},${committee.code},地址${h},${rand(5) * 1_000_000},0,1\n`,
    );
    for (let i = 0; i < size; i++) {
      const sex = rand(2) + 1;
      const birth = isoDate(1925 + rand(98), 1 + rand(12), 1 + rand(28));
      let id: string;
      do id = makeIdNumber('310110', birth, rand(500) * 2 + (sex === 1 ? 1 : 0));
      while (usedIds.has(id));
      usedIds.add(id);
      const name = pick(SURNAMES) + pick(GIVEN) + (rand(2) ? pick(GIVEN) : '');
      const t = performance.now();
      const initials = nameInitials(name);
      initialsMs += performance.now() - t;
      const disabled = rand(20) === 0;
      const personId = randomUUID();
      persons.push(
        `310110,${personId},${id},${name},${initials},${sex},${birth},310110,${committee.code},${disabled ? 1 + rand(7) : ''},${disabled ? 1 + rand(4) : ''},"{${rand(50) === 0 ? 'tekun' : ''}}",${rand(3) ? rand(500_000) : 0}\n`,
      );
      members.push(`310110,${householdId},${personId},${i === 0 ? '02' : '20'},2015-01-01,${i + 1}\n`);
      made += 1;
    }
  }
  const t0 = performance.now();
  await store.transaction(async (tx) => {
    await tx.copyFrom(
      'households',
      [
        'district_code',
        'id',
        'household_no',
        'street_code',
        'committee_code',
        'address',
        'monetary_assets_fen',
        'vehicles',
        'homes',
      ],
      households,
    );
    await tx.copyFrom(
      'persons',
      [
        'district_code',
        'id',
        'id_number',
        'name',
        'name_initials',
        'sex',
        'birth_date',
        'hukou_division_code',
        'residence_division_code',
        'disability_category',
        'disability_grade',
        'categories',
        'wage_fen',
      ],
      persons,
    );
    await tx.copyFrom(
      'household_members',
      ['district_code', 'household_id', 'person_id', 'relation_code', 'valid_from', 'seq'],
      members,
    );
  });
  await store.db.execute('analyze');
  return { households: h, seconds: (performance.now() - t0) / 1000, initialsSeconds: initialsMs / 1000 };
}

async function time<T>(label: string, runs: number, work: () => Promise<T>): Promise<T> {
  let result = await work(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) result = await work();
  const ms = (performance.now() - t0) / runs;
  process.stdout.write(`${label.padEnd(58)}${ms.toFixed(2).padStart(10)} ms\n`);
  return result;
}

async function main(): Promise<void> {
  // On the server the benchmark works in a schema of its own, dropped at the end.
  const schema = arg('--schema') ?? `bench_registry_${process.pid}`;
  if (PG_URL) await adminQuery(PG_URL, `create schema if not exists ${schema}`);
  const store = PG_URL ? openPostgres(PG_URL, { searchPath: schema, max: 2 }) : await openPglite(DATA_DIR);
  await store.migrate();
  await seedDivisions(store);
  const existing = (await searchPersons(store.db, ALL, { limit: 1 })).total;
  const loaded = existing > 0 ? { households: 0, seconds: 0, initialsSeconds: 0 } : await load(store);
  process.stdout.write(
    `store ${store.kind}; ${PERSONS} persons in ${loaded.households} households loaded by COPY in ${loaded.seconds.toFixed(2)} s ` +
      `(${Math.round(PERSONS / loaded.seconds)} persons/s); name initials ${((loaded.initialsSeconds * 1e6) / PERSONS).toFixed(1)} µs/name\n\n`,
  );
  const district: DataScope = divisionScope('310110');
  const street: DataScope = divisionScope('310110012');
  const last4 = (await searchPersons(store.db, ALL, { limit: 1, unmask: true })).rows[0]!.idNumber.slice(-4);
  const zs = await time('persons: initials "zs", district scope, page 1', 20, () =>
    searchPersons(store.db, district, { initials: 'zs' }),
  );
  await time('persons: initials "zs", street scope, page 1', 20, () =>
    searchPersons(store.db, street, { initials: 'zs' }),
  );
  await time('persons: initials "zs", district scope, page 50', 20, () =>
    searchPersons(store.db, district, { initials: 'zs', offset: 1000 }),
  );
  await time('persons: name prefix "张", district scope', 20, () =>
    searchPersons(store.db, district, { name: '张' }),
  );
  await time('persons: name contains "明", district scope', 20, () =>
    searchPersons(store.db, district, { name: '明', nameMatch: 'contains' }),
  );
  await time(`persons: last four "${last4}", district scope`, 20, () =>
    searchPersons(store.db, district, { idNumber: last4 }),
  );
  await time('households: head initials "w", street scope', 20, () =>
    searchHouseholds(store.db, street, { headInitials: 'w' }),
  );
  await time('households: member count ≥ 4, district scope', 10, () =>
    searchHouseholds(store.db, district, { minMembers: 4 }),
  );
  await time('household detail by number', 50, () =>
    getHouseholdDetail(store.db, district, { districtCode: '310110', householdNo: 'YP0000042' }),
  );
  await time('figures: district scope', 5, () => populationFigures(store.db, district, '2022-06-30'));
  await time('figures: street scope', 5, () => populationFigures(store.db, street, '2022-06-30'));
  process.stdout.write(`\n("zs" matches ${zs.total} persons in the district)\n`);

  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let count = 0;
  let members = 0;
  const t0 = performance.now();
  for await (const row of streamPolicyHouseholds(store, district, '2022-08')) {
    count += 1;
    members += row.household.members.length;
    if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const s = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(
    `stream engine input 2022-08: ${count} households, ${members} members in ${s.toFixed(2)} s = ${Math.round(count / s)} households/s; ` +
      `RSS ${Math.round(rssBefore / 1e6)} → peak ${Math.round(peak / 1e6)} MB\n`,
  );
  await store.close();
  if (PG_URL && !process.argv.includes('--keep')) await adminQuery(PG_URL, `drop schema ${schema} cascade`);
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

await main();
